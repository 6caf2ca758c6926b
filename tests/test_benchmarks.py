"""Smoke test of the benchmark harness (benchmarks/run.py): a 3-file corpus, one round.

This checks that the harness runs and writes a complete report; it does not time
anything and needs neither ruff nor Fixit (both are skipped).
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

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

    # The instrumented cold run's profile (3 files: checked in one process, no pool).
    assert "## Where the cold time goes" in report
    assert re.search(r"^\| start-up and checking the files in one process \(no pool\) \| \d", report, re.M)
    assert re.search(r"^\| `ast.parse` \| \d+\.\d\d \| \d+% \|", report, re.M)


def _harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run", HARNESS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


def test_the_profile_says_why_a_missed_cold_target_is_missed() -> None:
    bench = _harness()

    def scenario(key: str, seconds: float) -> object:
        s = bench.Scenario(key, key, [], Path("."), key)
        s.samples.append(bench.Sample(seconds, 0, 0))
        return s

    worker = {"parse": 3.0, "build_model": 3.5, "extract": 0.3, "check_file": 3.9, "tasks": 4.0}
    profile = {
        "marks": {"imported": 0.1, "pool_start": 0.2, "pool_end": 4.2, "done": 4.8},
        "cpu": {"parent_during_pool": 0.3},
        "parent": {"seconds": {"analysis": 0.5, "summaries": 0.25}, "calls": {"summaries": 40}},
        "workers": [{"seconds": worker}, {"seconds": worker}],
    }
    # cold 6 s, floor 7 s (one process) and 4 s (two): 0.86x the floor, the target missed.
    lines = bench.profile_lines(profile, scenario("sl_cold", 6.0), scenario("ast1", 7.0), scenario("ast2", 4.0))
    text = "\n".join(lines)
    assert "| checking the files in 2 worker processes | 4.00 s |" in text
    assert "| start-up analysis, in the parent alone (40 function summaries, 250 ms) | 500 ms |" in text
    assert "| `ast.parse` | 3.00 | 75% |" in text
    assert "| freeing the tree, the rest of building the model | 0.20 | 5% |" in text
    assert "| import-time extraction (`python/import_time.py`) | 0.30 | 8% |" in text
    # 0.75 x 7 s / 4 s = 1.31x the two-process floor allowed, 6 / 4 = 1.50x taken; the
    # workers' 0.8 s beyond parsing and freeing is 25% of 3.2 s; the parent alone 0.2 + 0.6 s.
    assert "at most 1.31× the two-process floor; startlint's cold check took 1.50× it" in text
    assert "spent 0.80 s (25% of the floor's own work" in text
    assert "the parent worked 800 ms alone" in text

    # A met target gets no explanation.
    met = bench.profile_lines(profile, scenario("sl_cold", 5.0), scenario("ast1", 7.0), scenario("ast2", 4.0))
    assert not any(line.startswith("Why") for line in met)
