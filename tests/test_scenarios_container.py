"""The shared scenarios: exactly the expected Dockerfile and entry-script findings (SL2xx,
SL3xx) at the expected path and line, with the fix applicability the scenario gives
(where it gives one), through the real engine over discovery. Clean files stay clean.
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
from startlint.findings import Finding
from startlint.ruledocs import all_docs

SCENARIOS = sorted(p.parent for p in (SHARED / "scenarios").glob("*/expected.json"))
CONTAINER = ("SL2", "SL3")


def test_the_scenarios_are_there() -> None:
    assert len(SCENARIOS) >= 5, f"the shared scenarios are expected at {SHARED / 'scenarios'}"


def container_findings(root: Path) -> list[Finding]:
    settings = Settings(root=root)
    checker = Checker(settings, catalog.load_shipped(), all_docs())
    return [f for f in checker.check_files(discover([root], settings)) if f.code.startswith(CONTAINER)]


def _expected(root: Path) -> list[dict[str, object]]:
    data = json.loads((root / "expected.json").read_text())
    return [f for f in data["findings"] if str(f["code"]).startswith(CONTAINER)]


@pytest.mark.parametrize("root", SCENARIOS, ids=lambda p: p.name)
def test_scenario_container_findings(root: Path) -> None:
    got = {(f.code, f.path, f.span.start_line) for f in container_findings(root)}
    want = {(str(f["code"]), str(f["path"]), int(str(f["line"]))) for f in _expected(root)}
    assert sorted(got - want) == [], "unexpected findings"
    assert sorted(want - got) == [], "missing findings"


@pytest.mark.parametrize("root", SCENARIOS, ids=lambda p: p.name)
def test_scenario_container_fix_and_severity(root: Path) -> None:
    found = {(f.code, f.path, f.span.start_line): f for f in container_findings(root)}
    for expected in _expected(root):
        key = (str(expected["code"]), str(expected["path"]), int(str(expected["line"])))
        finding = found[key]
        assert finding.severity.value == expected["severity"], key
        if expected["fix"] is None:
            continue
        applicability = finding.fix.applicability.value if finding.fix is not None else "none"
        assert applicability == expected["fix"], key
        if finding.fix is not None:
            assert finding.fix.edits, key


@pytest.mark.parametrize("root", SCENARIOS, ids=lambda p: p.name)
def test_scenario_clean_container_files(root: Path) -> None:
    clean = set(json.loads((root / "expected.json").read_text())["clean_files"])
    dirty = {f.path for f in container_findings(root)}
    assert clean & dirty == set()
