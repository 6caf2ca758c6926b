"""The shared scenarios' fixes: each Python finding's fix applicability as expected.json gives
it, and `--fix --unsafe-fixes` on the two scenarios with a `fixed/` tree changes the files
that tree changes and leaves exactly `python_findings_after_fix`.

Where startlint decides otherwise, DIVERGENCES says what it does instead and why, and the
test holds it to that (a change either way fails until the table says so).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import SHARED
from startlint import catalog
from startlint.config import Settings
from startlint.discovery import discover
from startlint.engine import Checker
from startlint.ruledocs import all_docs

SCENARIOS = sorted(p.parent for p in (SHARED / "scenarios").glob("*/expected.json"))
WITH_FIXED = [root for root in SCENARIOS if (root / "fixed").is_dir()]

# (scenario, path, line) -> (startlint's applicability, why it differs from expected.json)
DIVERGENCES: dict[tuple[str, str, int], tuple[str, str]] = {
    ("cloudrun-ml-api", "app/ml/classifier.py", 14): (
        "unsafe",
        "the client is read by the download below it at import, so its accessor has to defer the "
        "download and the load that needs the file with it: a grouped fix, which is unsafe",
    ),
}
# Files fixed/ changes that startlint leaves alone, and findings it leaves that fixed/ does not.
NOT_CHANGED: dict[str, set[str]] = {}
LEFT_AFTER_FIX: dict[str, set[tuple[str, str, int]]] = {}


def applicabilities(root: Path) -> dict[tuple[str, str, int], str]:
    settings = Settings(root=root)
    checker = Checker(settings, catalog.load_shipped(), all_docs())
    return {
        (f.code, f.path, f.span.start_line): f.fix.applicability.value if f.fix else "none"
        for f in checker.check_files(discover([root], settings))
        if f.path.endswith(".py")
    }


@pytest.mark.skipif(not SCENARIOS, reason="../shared/scenarios is not next to this checkout")
@pytest.mark.parametrize("root", SCENARIOS, ids=lambda p: p.name)
def test_fix_applicability_is_as_expected(root: Path) -> None:
    expected = json.loads((root / "expected.json").read_text())
    got = applicabilities(root)
    wrong = []
    for f in expected["findings"]:
        if not f["path"].endswith(".py") or f.get("fix") is None or f.get("via_call"):
            continue
        want = f["fix"]
        divergence = DIVERGENCES.get((root.name, f["path"], f["line"]))
        if divergence is not None:
            want = divergence[0]
        actual = got.get((f["code"], f["path"], f["line"]))
        if actual != want:
            wrong.append(f"{f['path']}:{f['line']} {f['code']}: expected {want}, got {actual}")
    assert not wrong


def run_fix(work: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "startlint", "check", "--no-cache", "--fix", "--unsafe-fixes", "--exit-zero", "."],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.skipif(not WITH_FIXED, reason="../shared/scenarios is not next to this checkout")
@pytest.mark.parametrize("root", WITH_FIXED, ids=lambda p: p.name)
def test_fix_reaches_the_fixed_tree(root: Path, tmp_path: Path) -> None:
    expected = json.loads((root / "expected.json").read_text())["fixed"]
    work = tmp_path / root.name
    shutil.copytree(root, work, ignore=shutil.ignore_patterns("fixed", "expected.json"))
    before = {p.relative_to(work).as_posix(): p.read_bytes() for p in work.rglob("*.py")}
    done = run_fix(work)
    assert done.returncode == 0, done.stderr
    changed = {rel for rel, data in before.items() if (work / rel).read_bytes() != data}
    assert changed == set(expected["files"]) - NOT_CHANGED.get(root.name, set())
    for rel in changed:
        compile((work / rel).read_text(encoding="utf-8"), rel, "exec", dont_inherit=True)

    settings = Settings(root=work)
    checker = Checker(settings, catalog.load_shipped(), all_docs())
    left = {
        (f.code, f.path, f.span.start_line)
        for f in checker.check_files(discover([work], settings))
        if f.path.endswith(".py")
    }
    want = {(f["code"], f["path"], f["line"]) for f in expected["python_findings_after_fix"]}
    assert left == want | LEFT_AFTER_FIX.get(root.name, set())

    # Fixing again changes nothing.
    fixed = {p.relative_to(work).as_posix(): p.read_bytes() for p in work.rglob("*.py")}
    run_fix(work)
    assert {p.relative_to(work).as_posix(): p.read_bytes() for p in work.rglob("*.py")} == fixed
