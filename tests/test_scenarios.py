"""The shared scenarios: exactly the expected SL1xx findings, at the expected path and line,
including those reached through import-time calls into first-party functions (`via_call`).
Severities and chains are asserted in test_scenarios_startup.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import SHARED
from startlint import catalog
from startlint.config import Settings
from startlint.discovery import discover
from startlint.engine import Checker
from startlint.ruledocs import all_docs
from startlint.startup.run import analyse

SCENARIOS = sorted(p.parent for p in (SHARED / "scenarios").glob("*/expected.json"))


def python_findings(root: Path) -> set[tuple[str, str, int]]:
    settings = Settings(root=root)
    checker = Checker(settings, catalog.load_shipped(), all_docs())
    found = tuple(checker.check_files(discover([root], settings)))
    found = analyse(found, checker, [], root)  # findings reached through import-time calls
    return {(f.code, f.path, f.span.start_line) for f in found if f.code.startswith("SL1")}


@pytest.mark.skipif(not SCENARIOS, reason="../shared/scenarios is not next to this checkout")
@pytest.mark.parametrize("root", SCENARIOS, ids=lambda p: p.name)
def test_scenario_sl1xx_findings(root: Path) -> None:
    expected = json.loads((root / "expected.json").read_text())
    want = {
        (f["code"], f["path"], f["line"])
        for f in expected["findings"]
        if f["code"].startswith("SL1")
    }
    got = python_findings(root)
    assert sorted(got - want) == [], "unexpected findings"
    assert sorted(want - got) == [], "missing findings"


@pytest.mark.skipif(not SCENARIOS, reason="../shared/scenarios is not next to this checkout")
@pytest.mark.parametrize("root", SCENARIOS, ids=lambda p: p.name)
def test_scenario_clean_python_files_have_no_sl1xx(root: Path) -> None:
    expected = json.loads((root / "expected.json").read_text())
    clean = {p for p in expected["clean_files"] if p.endswith(".py")}
    dirty = {path for _, path, _ in python_findings(root)}
    assert clean & dirty == set()


@pytest.mark.skipif(not SCENARIOS, reason="../shared/scenarios is not next to this checkout")
@pytest.mark.parametrize("root", SCENARIOS, ids=lambda p: p.name)
def test_every_reporter_renders_the_scenario(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import jsonschema

    from startlint.cli import main

    monkeypatch.chdir(root)
    outputs = {}
    for fmt in ("text", "json", "sarif", "github"):
        out = tmp_path / f"report.{fmt}"
        assert main(["check", "--format", fmt, "--output-file", str(out)]) == 1
        outputs[fmt] = out.read_text(encoding="utf-8")
    findings = json.loads(outputs["json"])["findings"]
    assert findings and len(outputs["github"].splitlines()) == len(findings)
    assert f"Found {len(findings)} finding" in outputs["text"]
    sarif = json.loads(outputs["sarif"])
    schema = json.loads((SHARED / "schemas" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft7Validator(schema).validate(sarif)
    assert len(sarif["runs"][0]["results"]) == len(findings)
