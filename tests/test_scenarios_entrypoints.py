"""Entrypoints found automatically on the shared scenarios: from each Dockerfile's CMD /
ENTRYPOINT and the entry scripts they run, mapped back to the build context (no
`--entrypoint`, no configuration), and the start-up findings they give match the expected
ones exactly (SL101 severity and chain)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import SHARED

from startlint import catalog
from startlint.cli import main
from startlint.config import Settings
from startlint.engine import Checker
from startlint.ruledocs import all_docs
from startlint.startup import analysis
from startlint.startup.run import entrypoints_for

SCENARIOS = sorted(p.parent for p in (SHARED / "scenarios").glob("*/expected.json"))


def test_the_scenarios_are_there() -> None:
    assert len(SCENARIOS) >= 5, f"the shared scenarios are expected at {SHARED / 'scenarios'}"


@pytest.mark.parametrize("root", SCENARIOS, ids=lambda p: p.name)
def test_entrypoints_are_found_from_the_container(root: Path) -> None:
    expected = json.loads((root / "expected.json").read_text())
    root = root.resolve()
    checker = Checker(Settings(root=root), catalog.load_shipped(), all_docs())
    found = entrypoints_for(checker, [], root)
    assert [e.display for e in found] == expected["entrypoints"]
    source_roots = {(root / r).resolve() for r in expected["source_roots"]}
    for entry in found:
        located = analysis.resolve(entry, root)
        assert located is not None, entry
        file, base = located
        assert file.is_file()
        if entry.kind == "module":
            assert base in source_roots, (entry, base)
        assert entry.source.split(":")[0] in {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("root", SCENARIOS, ids=lambda p: p.name)
def test_heavy_imports_follow_the_found_entrypoints(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = json.loads((root / "expected.json").read_text())
    monkeypatch.chdir(root)
    assert main(["check", "--select", "SL101", "--format", "json", "--exit-zero", "--no-cache"]) == 0
    got = {
        (f["path"], f["line"]): (f["severity"], [r["path"] for r in f["related"]] + [f["path"]])
        for f in json.loads(capsys.readouterr().out)["findings"]
    }
    want = {
        (f["path"], f["line"]): (f["severity"], f.get("chain") or [f["path"]])
        for f in expected["findings"]
        if f["code"] == "SL101"
    }
    assert got == want
