"""`startlint graph` on every shared scenario: its entrypoints are found without being
named, and each tree reaches every module whose heavy import expected.json puts on the
start-up path, with the catalog's costs."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from startlint.cli import main

SCENARIOS = Path(__file__).resolve().parents[2] / "shared" / "scenarios"
CASES = sorted(p.parent.name for p in SCENARIOS.glob("*/expected.json"))


def test_the_scenarios_are_there() -> None:
    assert len(CASES) >= 5


def modules(node: dict[str, Any]) -> set[str]:
    found = {node["module"]}
    for child in node.get("children", []):
        found |= modules(child)
    return found


@pytest.mark.parametrize("name", CASES)
def test_graph_finds_the_entrypoints_and_the_heavy_imports_on_their_paths(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = SCENARIOS / name
    expected = json.loads((scenario / "expected.json").read_text())
    old = Path.cwd()
    os.chdir(scenario)
    try:
        assert main(["graph", "--format", "json"]) == 0
    finally:
        os.chdir(old)
    entries = json.loads(capsys.readouterr().out)["entrypoints"]
    assert len(entries) == len(expected["entrypoints"])
    reached = set().union(*(modules(e["tree"]) for e in entries))
    on_path = {f["path"] for f in expected["findings"] if f["code"] == "SL101" and f.get("on_startup_path")}
    assert on_path <= reached, sorted(on_path - reached)
    if on_path:
        assert any(e["estimated_heavy_import_ms"] > 0 for e in entries)
        for entry in entries:
            assert entry["estimated_heavy_import_ms"] == sum(entry["heavy_modules"].values())
