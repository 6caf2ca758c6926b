"""Smoke test of the benchmark harness (benchmarks/run.py): a 3-file corpus, one round.

This checks that the harness runs and writes a complete report; it does not time
anything and needs neither ruff nor Fixit (both are skipped).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HARNESS = ROOT / "benchmarks" / "run.py"


def _tiny_corpus(root: Path) -> Path:
    corpus = root / "corpus"
    (corpus / "pkg").mkdir(parents=True)
    (corpus / "a.py").write_text("import os\n\n\ndef cwd():\n    return os.getcwd()\n", encoding="utf-8")
    (corpus / "pkg" / "__init__.py").write_text("".join(f"X{i} = {i}\n" for i in range(30)), encoding="utf-8")
    (corpus / "pkg" / "b.py").write_text(
        "import json\n" + "".join(f"\n\ndef dump{i}(x):\n    return json.dumps(x)\n" for i in range(10)),
        encoding="utf-8",
    )
    (corpus / "pkg" / "broken.py").write_text("def (:\n", encoding="utf-8")  # rejected by ast.parse
    return corpus


def test_harness_writes_the_report(tmp_path: Path) -> None:
    corpus = _tiny_corpus(tmp_path)
    out = tmp_path / "BENCH.md"
    proc = subprocess.run(
        [sys.executable, str(HARNESS), "--corpus", str(corpus), "--runs", "1", "--warmup", "0",
         "--skip", "ruff", "--skip", "fixit", "--out", str(out)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    report = out.read_text(encoding="utf-8")

    # The corpus: the three valid files, the broken one rejected.
    assert "3 files" in report
    assert "1 rejected" in report and "pkg/broken.py" in report
    assert "startlint: 3" in report  # every tool checked the same files

    # The table, with a row per measured scenario.
    assert "| scenario | median | min–max | peak RSS | exit | command |" in report
    for row in ("startlint cold", "startlint --fix (1% fixable)", "ast.parse, 1 process (floor)",
                "ast.parse, 2 processes", "python -c pass"):
        assert re.search(rf"^\| {re.escape(row)} \| \d", report, re.M), row
    assert re.search(r"^\| startlint warm \|", report, re.M)  # measured, or marked as not implemented

    # The target ratios: each judged (✓/✗) or, for ruff, marked n/a because it was skipped.
    judged = r"^- [✓✗] \*\*{}\*\*: \d+\.\d\d×"
    assert re.search(judged.format(re.escape("cold ÷ single-process ast.parse")), report, re.M)
    assert re.search(judged.format(re.escape("--fix with 1% fixable ÷ cold")), report, re.M)
    assert re.search(judged.format(re.escape("one clean file ÷ python -c pass")), report, re.M)
    assert re.search(r"^- [✓✗] \*\*peak RSS\*\*", report, re.M)
    assert re.search(r"^- — \*\*cold ÷ ruff cold\*\*: n/a", report, re.M)
    assert re.search(r"^- — \*\*warm ÷ ruff cached\*\*: n/a", report, re.M)

    # The fix really applied to the injected file, and how it was run is recorded.
    assert "was gone from 1–1 of the 1 injected files" in report
    assert "## How it was run" in report and "--runs 1" in report
