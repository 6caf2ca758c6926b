"""Startup paths on the shared scenarios: SL101 severity and chains, entrypoints given explicitly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import SHARED
from startlint.cli import main

SCENARIOS = sorted(p.parent for p in (SHARED / "scenarios").glob("*/expected.json"))


@pytest.mark.skipif(not SCENARIOS, reason="../shared/scenarios is not next to this checkout")
@pytest.mark.parametrize("root", SCENARIOS, ids=lambda p: p.name)
def test_heavy_import_severity_and_chain(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = json.loads((root / "expected.json").read_text())
    monkeypatch.chdir(root)
    args = ["check", "--select", "SL101", "--format", "json", "--exit-zero"]
    for entry in expected["entrypoints"]:
        args += ["--entrypoint", entry]
    assert main(args) == 0
    got = {
        (f["path"], f["line"]): (f["severity"], [f["path"] for f in f["related"]] + [f["path"]])
        for f in json.loads(capsys.readouterr().out)["findings"]
    }
    want = {
        (f["path"], f["line"]): (f["severity"], f.get("chain") or [f["path"]])
        for f in expected["findings"]
        if f["code"] == "SL101"
    }
    assert got == want
