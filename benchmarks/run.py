#!/usr/bin/env python3
"""Benchmark startlint against ruff, Fixit, the bare `ast.parse` floor and `python -c pass`.

    python benchmarks/run.py --corpus stdlib|site-packages|PATH [--runs N] [--out BENCHMARKS.md]

Every tool runs on one copy of the same file set (only `.py` files that `ast.parse`
accepts), with cwd = that copy and stdout/stderr sent to /dev/null. The scenarios are run
round-robin: one warm-up round (not reported; it warms the OS page cache and `.pyc` files
for every tool alike), then `--runs` measured rounds, each running every scenario once,
the starting scenario rotating from round to round. Wall time is measured around the child
process; peak RSS is the child's `ru_maxrss` from `os.wait4` (the largest single process
among the child and the descendants it waited for). The report, with every number taken
from the run, goes to `--out`. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import ast
import datetime
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - startlint depends on tomli below 3.11
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent
CATALOG = REPO / "rules" / "catalogs" / "heavy_modules.toml"
DEVNULL = subprocess.DEVNULL

# Directories never copied from a PATH corpus (VCS data, virtualenvs, caches).
SKIP_DIRS = {
    ".git", ".hg", ".svn", ".venv", ".tox", ".nox", "node_modules", "__pycache__",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", ".startlint_cache", "site-packages",
}
# The only things the tools are told to skip inside the copy: their own caches.
TOOL_EXCLUDE = [".startlint_cache", ".ruff_cache"]

# Targets from issue 7 (ratios of medians measured in one run).
TARGET_COLD_VS_AST = 0.75
TARGET_WARM_VS_RUFF_CACHED = 5.0
TARGET_ONE_FILE_VS_PASS = 4.0
TARGET_FIX_VS_COLD = 1.5
TARGET_RSS_MB = 250.0
RUN_CACHE_SETTLE_S = 2.5  # startlint's run cache skips trees with a file younger than 2 s

FLOOR_1 = """\
import ast, sys
for path in open(sys.argv[1], encoding="utf-8").read().splitlines():
    with open(path, "rb") as f:
        ast.parse(f.read(), path)
"""

FLOOR_2 = """\
import ast, multiprocessing, sys
def parse(path):
    with open(path, "rb") as f:
        ast.parse(f.read(), path)
if __name__ == "__main__":
    paths = open(sys.argv[1], encoding="utf-8").read().splitlines()
    with multiprocessing.get_context("fork").Pool(2) as pool:
        pool.map(parse, paths, chunksize=max(1, len(paths) // 64))
"""


# --------------------------------------------------------------------------- measuring


@dataclass
class Sample:
    seconds: float
    rss_bytes: int
    exit_code: int


# The children's environment: set once in main() (see child_environment()).
CHILD_ENV: dict[str, str] | None = None


def child_environment(work: Path) -> tuple[dict[str, str], str]:
    """Bytecode goes to a cache in the work area, for every child: written once, never
    into the corpus copy. (Fixit puts the project on sys.path, so the stdlib modules its
    worker pool imports come from a stdlib copy; their `__pycache__` folders appearing
    mid-run changed startlint's run-cache key.) With PYTHONDONTWRITEBYTECODE set, a
    package without shipped .pyc files (such as an editable install) would be compiled
    from source on every start: measure what users get instead."""
    env = dict(os.environ)
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    note = ("every measured command runs with `PYTHONPYCACHEPREFIX` = a directory in the work area, so each "
            "Python tool compiles its modules once (before the rounds) and nothing writes `__pycache__` into "
            "the corpus copy")
    if env.pop("PYTHONDONTWRITEBYTECODE", None) is not None:
        note += " (PYTHONDONTWRITEBYTECODE, set here, is removed for them)"
    return env, note + "."


def run_measured(cmd: Sequence[str], cwd: Path) -> Sample:
    """Run `cmd` with output discarded; wall time and the child's peak RSS (os.wait4)."""
    start = time.perf_counter()
    proc = subprocess.Popen(list(cmd), cwd=cwd, env=CHILD_ENV, stdin=DEVNULL, stdout=DEVNULL, stderr=DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code  # the pid is reaped; keep Popen from waiting on it again
    rss = usage.ru_maxrss if sys.platform == "darwin" else usage.ru_maxrss * 1024
    return Sample(elapsed, rss, code)


def _tree_memory(root: int) -> tuple[int, int]:
    """(RSS, PSS) in bytes summed over `root` and its descendants, from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        rest = stat[stat.rfind(b")") + 2:].split()
        parents[int(entry)] = int(rest[1])
    tree = {root}
    grew = True
    while grew:
        grew = False
        for pid, ppid in parents.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                grew = True
    rss = pss = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
                for line in f:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1]) * 1024
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
        except OSError:
            continue
    return rss, pss


def run_tree_sampled(cmd: Sequence[str], cwd: Path, interval: float = 0.02) -> tuple[int, int] | None:
    """Peak (RSS, PSS) summed over the whole process tree, sampled; Linux only; untimed."""
    if not Path("/proc/self/smaps_rollup").exists():
        return None
    proc = subprocess.Popen(list(cmd), cwd=cwd, env=CHILD_ENV, stdin=DEVNULL, stdout=DEVNULL, stderr=DEVNULL)
    peak = [0, 0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            rss, pss = _tree_memory(proc.pid)
            peak[0] = max(peak[0], rss)
            peak[1] = max(peak[1], pss)
            done.wait(interval)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    proc.wait()
    done.set()
    thread.join()
    return peak[0], peak[1]


@dataclass
class Scenario:
    key: str
    label: str
    cmd: list[str]
    cwd: Path
    shown: str  # the command as shown in the report
    detail: str = ""  # what the command does not say (shown after it)
    before: Callable[[int], Path | None] | None = None  # returns a cwd override
    after: Callable[[int], None] | None = None
    samples: list[Sample] = field(default_factory=list)
    note: str = ""

    def once(self, round_no: int) -> Sample:
        cwd = self.cwd
        if self.before is not None:
            cwd = self.before(round_no) or cwd
        try:
            return run_measured(self.cmd, cwd)
        finally:
            if self.after is not None:
                self.after(round_no)


# --------------------------------------------------------------------------- corpus


@dataclass
class Corpus:
    name: str
    source: Path
    files: list[str]  # relative POSIX paths, sorted
    lines: int
    size: int
    rejected: list[str]
    line_counts: dict[str, int]


def corpus_roots(spec: str) -> tuple[str, Path]:
    if spec == "stdlib":
        return "stdlib", Path(sysconfig.get_paths()["stdlib"])
    if spec == "site-packages":
        return "site-packages", Path(sysconfig.get_paths()["purelib"])
    path = Path(spec).resolve()
    if not path.is_dir():
        raise SystemExit(f"error: {spec}: not 'stdlib', 'site-packages' or a directory")
    return str(path), path


def collect(spec: str) -> Corpus:
    name, root = corpus_roots(spec)
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        rel_dir = here.relative_to(root)
        if spec == "stdlib":
            dirnames[:] = [d for d in dirnames if d not in ("site-packages", "dist-packages", "__pycache__")]
        else:
            dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
        for filename in filenames:
            full = here / filename
            if filename.endswith(".py") and full.is_file() and not full.is_symlink():
                found.append((rel_dir / filename).as_posix())
    found.sort()
    files: list[str] = []
    rejected: list[str] = []
    counts: dict[str, int] = {}
    size = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for rel in found:
            data = (root / rel).read_bytes()
            try:
                ast.parse(data, rel)
            except (SyntaxError, ValueError, UnicodeDecodeError):
                rejected.append(rel)
                continue
            files.append(rel)
            counts[rel] = len(data.splitlines())
            size += len(data)
    if not files:
        raise SystemExit(f"error: no parseable .py files under {root}")
    return Corpus(name, root, files, sum(counts.values()), size, rejected, counts)


def copy_files(corpus: Corpus, dest: Path) -> None:
    for rel in corpus.files:
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(corpus.source / rel, target)


def choose_fixable(corpus: Corpus) -> list[str]:
    """~1% of the files (at least one), spread evenly over the sorted list, that still
    parse after the injection (e.g. not files starting with `from __future__`)."""
    eligible = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for rel in corpus.files:
            data = inject((corpus.source / rel).read_bytes())
            try:
                ast.parse(data, rel)
            except (SyntaxError, ValueError, UnicodeDecodeError):
                continue
            eligible.append(rel)
    want = max(1, round(len(corpus.files) / 100))
    step = len(eligible) / want
    return [eligible[int(i * step)] for i in range(min(want, len(eligible)))]


def inject(data: bytes) -> bytes:
    newline = b"\r\n" if b"\r\n" in data[:4096] else b"\n"
    if data and not data.endswith((b"\n", b"\r")):
        data += newline
    return (
        b"import torch" + newline + data + newline
        + b"def _startlint_bench():" + newline + b"    return torch" + newline
    )


def still_injected(copy: Path, files: list[str]) -> int:
    """How many of the injected files still start with the module-level `import torch`."""
    return sum((copy / rel).read_bytes().startswith(b"import torch") for rel in files)


# --------------------------------------------------------------------------- tools


def newest_mtime(top: Path) -> float:
    return max((p.stat().st_mtime for p in top.rglob("*") if p.is_file()), default=0.0)


def find_startlint() -> list[str]:
    beside = Path(sys.executable).parent / "startlint"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("startlint")
    return [found] if found else [sys.executable, "-m", "startlint"]


def find_tool(name: str) -> str | None:
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    return shutil.which(name)


def version_of(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=CHILD_ENV)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unknown ({exc})"
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr).strip() else "unknown"


def heavy_modules() -> list[str]:
    with open(CATALOG, "rb") as f:
        data = tomllib.load(f)
    names = [entry["name"] for entry in data.get("module", [])]
    return sorted(n for n in names if not any(c in n for c in "*?["))


def toml_list(items: Sequence[str]) -> str:
    return "[" + ", ".join('"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"' for s in items) + "]"


# --------------------------------------------------------------------------- machine


def machine_info() -> list[tuple[str, str]]:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    memory = "unknown"
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f"{pages / 2**30:.1f} GiB"
    except (ValueError, OSError, AttributeError):
        pass
    return [
        ("platform", platform.platform()),
        ("CPU", cpu),
        ("cores", f"{os.cpu_count()} logical, {usable} usable by this process"),
        ("memory", memory),
    ]


def load_average() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg()) + " (1 / 5 / 15 min)"
    except OSError:
        return "unknown"


# --------------------------------------------------------------------------- report


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def fmt_s(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"


def fmt_mb(rss: int) -> str:
    return f"{rss / 2**20:.0f} MB"


def median(s: Scenario) -> float:
    return statistics.median(x.seconds for x in s.samples)


def peak(s: Scenario) -> int:
    return max(x.rss_bytes for x in s.samples)


def ratio_line(label: str, num: Scenario | None, den: Scenario | None, target: float | None,
               missing: str, explain: str = "") -> str:
    if num is None or den is None or not num.samples or not den.samples:
        return f"- — **{label}**: n/a ({missing})"
    a, b = median(num), median(den)
    r = a / b
    detail = f"{fmt_s(a)} ÷ {fmt_s(b)}"
    if target is None:
        return f"- (report) **{label}**: {r:.2f}× ({detail}){explain}"
    if r <= target:
        return f"- ✓ **{label}**: {r:.2f}× ({detail}; target ≤ {target:g}×)"
    need = target * b
    return (
        f"- ✗ **{label}**: {r:.2f}× ({detail}; target ≤ {target:g}×) — gap: {r / target:.2f}× over the "
        f"target; {num.label} must fall from {fmt_s(a)} to ≤ {fmt_s(need)} ({fmt_s(a - need)} less)"
    )


# --------------------------------------------------------------------------- cold profile

PROFILER = REPO / "benchmarks" / "cold_profile.py"


def run_cold_profile(work: Path, copy: Path, cold_flags: list[str]) -> dict[str, Any] | None:
    """benchmarks/cold_profile.py's report of one cold check, or None if it failed."""
    out = work / "cold-profile.json"
    proc = subprocess.run([sys.executable, str(PROFILER), str(out), "check", *cold_flags, "."], cwd=copy,
                          stdout=DEVNULL, stderr=DEVNULL, env=CHILD_ENV)
    try:
        found: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if proc.returncode == 0 else None


def profile_lines(profile: dict[str, Any], cold: Scenario | None, ast1: Scenario | None,
                  ast2: Scenario | None) -> list[str]:
    """The "where the cold time goes" section: phases, the checking processes' steps and,
    when the cold target is missed, what the profile says about why."""
    marks, parent = profile["marks"], profile["parent"]["seconds"]
    workers = [w["seconds"] for w in profile["workers"]]
    pooled = bool(workers) and "pool_start" in marks
    # The processes that checked files: the workers, or the parent itself without a pool.
    checkers = workers or [parent]
    n = len(checkers)

    def mean(key: str) -> float:
        return sum(c.get(key, 0.0) for c in checkers) / n

    parse, extract, model, check = mean("parse"), mean("extract"), mean("build_model"), mean("check_file")
    steps = [
        ("`ast.parse`", parse),
        ("freeing the tree, the rest of building the model", max(model - parse - extract, 0.0)),
        ("import-time extraction (`python/import_time.py`)", extract),
        ("reading and decoding the file, the rules, the findings", max(check - model, 0.0)),
    ]
    if pooled:
        steps.append(("encoding the results for the parent", max(mean("tasks") - check, 0.0)))
    busy = sum(t for _, t in steps) or 1.0
    analysis = parent.get("analysis", 0.0)
    summaries, summary_calls = parent.get("summaries", 0.0), profile["parent"]["calls"].get("summaries", 0)
    done = marks["done"]
    lines = [
        "## Where the cold time goes",
        "",
        "One more cold check, untimed: `benchmarks/cold_profile.py` runs startlint's CLI with wall-clock timers "
        "around its phases and, in each process that checks files, around `ast.parse`, the extraction and the "
        f"per-file check (the timers cost a few ms in all). It took {fmt_s(done)}.",
        "",
        "| phase | wall |",
        "|---|---:|",
    ]
    if pooled:
        lines += [
            f"| start-up in the parent: imports, configuration, file discovery | {fmt_s(marks['pool_start'])} |",
            f"| checking the files in {n} worker processes | {fmt_s(marks['pool_end'] - marks['pool_start'])} |",
        ]
    else:
        lines.append(f"| start-up and checking the files in one process (no pool) | {fmt_s(done - analysis)} |")
    lines.append(f"| start-up analysis, in the parent alone ({summary_calls} function summaries, "
                 f"{fmt_s(summaries)}) | {fmt_s(analysis)} |")
    if pooled:
        lines.append(f"| the rest (report) | {fmt_s(max(done - marks['pool_end'] - analysis, 0.0))} |")
    lines += [
        "",
        f"Each checking process ({'mean of ' + str(n) if n > 1 else 'one'}):",
        "",
        "| step | seconds | share |",
        "|---|---:|---:|",
        *(f"| {label} | {seconds:.2f} | {seconds / busy:.0%} |" for label, seconds in steps),
    ]
    if pooled and "parent_during_pool" in profile["cpu"]:
        lines += ["", f"The parent meanwhile used {profile['cpu']['parent_during_pool']:.2f} s of CPU "
                  "(receiving and decoding the models), taken from the workers' cores."]
    lines.append("")
    if cold and ast1 and ast2 and cold.samples and ast1.samples and ast2.samples:
        c, one, two = median(cold), median(ast1), median(ast2)
        if c / one > TARGET_COLD_VS_AST:
            floor_work = steps[0][1] + steps[1][1]
            extra = busy - floor_work
            alone = (marks["pool_start"] if pooled else 0.0) + (done - marks.get("pool_end", done))
            lines += [
                f"Why the cold target is missed: two processes of bare `ast.parse` take {two / one:.2f}× "
                f"one process here, so {TARGET_COLD_VS_AST:g}× one process means at most "
                f"{TARGET_COLD_VS_AST * one / two:.2f}× the two-process floor; startlint's cold check took "
                f"{c / two:.2f}× it. In the profile, each checking process spent {extra:.2f} s "
                f"({extra / floor_work:.0%} of the floor's own work, parsing and freeing) on top of the floor, "
                f"and the parent worked {fmt_s(alone)} alone, before and after the checking.",
                "",
            ]
    return lines


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default="stdlib", help="'stdlib', 'site-packages' or a directory")
    parser.add_argument("--runs", type=int, default=5, help="measured rounds (default 5)")
    parser.add_argument("--out", default="BENCHMARKS.md", help="report file (default BENCHMARKS.md)")
    parser.add_argument("--fixit-files", type=int, default=100,
                        help="Fixit runs on the first N files by sorted path (default 100)")
    parser.add_argument("--skip", action="append", default=[], choices=["ruff", "fixit"],
                        help="do not measure this tool even if it is installed (repeatable)")
    parser.add_argument("--warmup", type=int, default=1,
                        help="unreported warm-up rounds before the measured ones (default 1)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary work directory")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.warmup < 0:
        parser.error("--warmup must not be negative")
    invocation = "python benchmarks/run.py " + shlex.join(sys.argv[1:] if argv is None else list(argv))

    def log(msg: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)

    started = datetime.datetime.now(datetime.timezone.utc)
    load_start = load_average()
    t_start = time.perf_counter()
    log(f"collecting corpus {args.corpus!r}")
    corpus = collect(args.corpus)
    log(f"{len(corpus.files)} files, {corpus.lines} lines ({len(corpus.rejected)} rejected by ast.parse)")

    work = Path(tempfile.mkdtemp(prefix="startlint-bench-"))
    try:
        return _bench(args, invocation, corpus, work, started, load_start, t_start, log)
    finally:
        if args.keep:
            log(f"work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def _bench(args: argparse.Namespace, invocation: str, corpus: Corpus, work: Path,
           started: datetime.datetime, load_start: str, t_start: float,
           log: Callable[[str], None]) -> int:
    global CHILD_ENV
    CHILD_ENV, env_note = child_environment(work)
    copy = work / "corpus"
    copy.mkdir()
    copy_files(corpus, copy)
    startlint_config = f"exclude = {toml_list(TOOL_EXCLUDE)}\nrespect-gitignore = false\n"
    (copy / ".startlint.toml").write_text(startlint_config, encoding="utf-8")
    filelist = work / "files.txt"
    filelist.write_text("".join(str(copy / rel) + "\n" for rel in corpus.files), encoding="utf-8")

    # The --fix corpus: the same copy with ~1% of the files given a fixable SL101.
    fixable = choose_fixable(corpus)
    fix_template = work / "fix-template"
    shutil.copytree(copy, fix_template)
    for rel in fixable:
        path = fix_template / rel
        path.write_bytes(inject(path.read_bytes()))

    sl = find_startlint()
    sl_help = subprocess.run([*sl, "check", "--help"], capture_output=True, text=True, env=CHILD_ENV).stdout
    has_cache = "--no-cache" in sl_help
    cold_flags = ["--no-cache"] if has_cache else []
    notes: list[str] = [env_note] if env_note else []
    if not has_cache:
        notes.append("cache not implemented yet: `startlint check --help` has no `--no-cache`, so "
                     "'cold' is a normal run and the warm rows are skipped.")

    # The first startlint run (untimed): which files it checks, what it finds, the whole
    # process tree's memory; with a cache it also fills it, so the warm rows read a filled
    # cache even without a warm-up round.
    seen: list[str] = []
    probe_out = work / "probe.json"
    tree = run_tree_sampled([*sl, "check", "--format", "json", "--exit-zero", "--output-file", str(probe_out), "."],
                            copy)
    sl_version = "unknown"
    flagged: set[str] | None = None
    try:
        probe = json.loads(probe_out.read_text(encoding="utf-8"))
        sl_version = f"startlint {probe['tool']['version']}"
        sl_files = probe["summary"]["files"]
        flagged = {os.path.relpath(Path(copy, f["path"]), copy).replace(os.sep, "/") for f in probe["findings"]}
        seen.append(f"startlint: {sl_files}")
        if sl_files != len(corpus.files):
            notes.append(f"**startlint checked {sl_files} files, the corpus has {len(corpus.files)}.**")
    except (OSError, ValueError, KeyError, TypeError):
        seen.append("startlint: unknown (no JSON report)")
        notes.append("the first startlint run wrote no JSON report: file count and version unknown.")

    # One instrumented cold run (untimed): where startlint's cold time goes.
    profile = run_cold_profile(work, copy, cold_flags)
    if profile is None:
        notes.append("the instrumented cold run (benchmarks/cold_profile.py) failed: no time profile.")

    # A small clean file: the smallest file of ≥ 20 lines startlint reports nothing on.
    candidates = sorted((rel for rel in corpus.files if corpus.line_counts[rel] >= 20),
                        key=lambda r: (corpus.line_counts[r], r)) or list(corpus.files)
    clean_file = next((rel for rel in candidates if flagged is not None and rel not in flagged), None)
    if clean_file is None:
        notes.append("no file without findings: the one-file row is skipped.")

    # The file touched between warm runs: the median file by size.
    by_size = sorted(corpus.files, key=lambda r: ((copy / r).stat().st_size, r))
    touched = by_size[len(by_size) // 2]
    touched_original = (copy / touched).read_bytes()
    touched_stat = (copy / touched).stat()

    def touch(round_no: int) -> Path | None:
        # A new comment every time, so no earlier run can have cached this content.
        with open(copy / touched, "ab") as f:
            f.write(f"\n# startlint benchmark touch {round_no} {time.time_ns()}\n".encode())
        return None

    def restore(_round: int) -> None:
        # Bytes and modification time: the tree is then exactly as before the touch, so
        # the next "nothing changed" run (startlint's or ruff's) sees nothing changed.
        (copy / touched).write_bytes(touched_original)
        os.utime(copy / touched, ns=(touched_stat.st_atime_ns, touched_stat.st_mtime_ns))

    fix_dirs: dict[int, Path] = {}
    fix_results: list[int] = []

    def fresh_fix_copy(round_no: int) -> Path:
        dest = work / f"fix-{round_no}-{time.time_ns()}"
        shutil.copytree(fix_template, dest)
        fix_dirs[round_no] = dest
        return dest

    def check_fix(round_no: int) -> None:
        dest = fix_dirs.pop(round_no)
        fix_results.append(len(fixable) - still_injected(dest, fixable))
        shutil.rmtree(dest, ignore_errors=True)

    scenarios: list[Scenario] = []
    sl_shown = "startlint"
    scenarios.append(Scenario("sl_cold", "startlint cold", [*sl, "check", *cold_flags, "."], copy,
                              shlex.join([sl_shown, "check", *cold_flags, "."])))
    if has_cache:
        scenarios.append(Scenario("sl_warm", "startlint warm", [*sl, "check", "."], copy,
                                  f"{sl_shown} check .", "cache filled, nothing changed"))
        scenarios.append(Scenario("sl_touch", "startlint warm, 1 file touched", [*sl, "check", "."], copy,
                                  f"{sl_shown} check .", f"a new comment line appended to `{touched}` before, "
                                  "restored after", before=touch, after=restore))
    if clean_file is not None:
        scenarios.append(Scenario("sl_one", "startlint one clean file", [*sl, "check", clean_file], copy,
                                  shlex.join([sl_shown, "check", clean_file]),
                                  f"{corpus.line_counts[clean_file]} lines, no findings; replayed from the run cache"))
        # What pre-commit or an editor pays right after an edit: the run cache misses.
        scenarios.append(Scenario("sl_one_nc", "startlint one clean file, --no-cache",
                                  [*sl, "check", "--no-cache", clean_file], copy,
                                  shlex.join([sl_shown, "check", "--no-cache", clean_file]),
                                  "as above, every cache off: the file and what its result depends on are analysed"))
    scenarios.append(Scenario("sl_fix", "startlint --fix (1% fixable)", [*sl, "check", "--fix", *cold_flags, "."],
                              copy, shlex.join([sl_shown, "check", "--fix", *cold_flags, "."]),
                              f"fresh copy per run; {len(fixable)} of {len(corpus.files)} files have a fixable SL101",
                              before=fresh_fix_copy, after=check_fix))

    versions: list[tuple[str, str]] = [
        ("Python", f"{platform.python_implementation()} {platform.python_version()} ({sys.executable})"),
        ("startlint", f"{sl_version} ({shlex.join(sl)})"),
    ]
    try:
        from importlib.metadata import version as dist_version
        versions.append(("libcst", dist_version("libcst")))
    except Exception:  # noqa: BLE001 - only for the report
        pass

    ruff = None if "ruff" in args.skip else find_tool("ruff")
    if ruff:
        heavy = heavy_modules()
        ruff_toml = work / "ruff.toml"
        ruff_toml.write_text(
            f'cache-dir = "{(work / "ruff_cache").as_posix()}"\n'
            f"exclude = {toml_list(TOOL_EXCLUDE)}\nrespect-gitignore = false\n\n"
            f'[lint]\nselect = ["TID253"]\n\n[lint.flake8-tidy-imports]\n'
            f"banned-module-level-imports = {toml_list(heavy)}\n",
            encoding="utf-8",
        )
        versions.append(("ruff", version_of([ruff, "--version"]) + f" ({ruff})"))
        base = [ruff, "check", "--config", str(ruff_toml), "--select", "TID253"]
        shown = "ruff check --config ruff.toml --select TID253"
        scenarios.append(Scenario("ruff_cold", "ruff TID253 cold", [*base, "--no-cache", "."], copy,
                                  f"{shown} --no-cache ."))
        scenarios.append(Scenario("ruff_warm", "ruff TID253 cached", [*base, "."], copy,
                                  f"{shown} .", "cache filled, nothing changed"))
        notes.append(f"ruff.toml: `select = [\"TID253\"]`, `banned-module-level-imports` = the {len(heavy)} "
                     "non-glob names of rules/catalogs/heavy_modules.toml, `exclude` = only the two tools' "
                     "caches, `respect-gitignore = false`, cache outside the copy.")
    else:
        versions.append(("ruff", "skipped" if "ruff" in args.skip else "not installed"))

    fixit = None if "fixit" in args.skip else find_tool("fixit")
    fixit_subset = corpus.files[: args.fixit_files]
    fixit_lines = sum(corpus.line_counts[r] for r in fixit_subset)
    if fixit:
        versions.append(("fixit", version_of([fixit, "--version"]) + f" ({fixit})"))
        scenarios.append(Scenario("fixit", f"Fixit default rules, {len(fixit_subset)} files",
                                  [fixit, "lint", *fixit_subset], copy,
                                  "fixit lint FILE…", f"the first {len(fixit_subset)} files by sorted path, "
                                  f"{fixit_lines} lines"))
    else:
        versions.append(("fixit", "skipped" if "fixit" in args.skip else "not installed"))

    py = sys.executable
    # `-I`: with cwd = a stdlib copy, `python -c` would import `ast` and `multiprocessing`
    # from the copy (cwd comes first on sys.path) and could write `__pycache__` into it.
    scenarios.append(Scenario("ast1", "ast.parse, 1 process (floor)", [py, "-I", "-c", FLOOR_1, str(filelist)], copy,
                              "python -I -c SCRIPT files.txt", "reads and `ast.parse`s each file, nothing else"))
    scenarios.append(Scenario("ast2", "ast.parse, 2 processes", [py, "-I", "-c", FLOOR_2, str(filelist)], copy,
                              "python -I -c SCRIPT files.txt", "the same in a `multiprocessing` Pool(2)"))
    scenarios.append(Scenario("pass", "python -c pass", [py, "-c", "pass"], copy, "python -c pass"))

    if ruff:
        shown_files = subprocess.run([ruff, "check", "--config", str(work / "ruff.toml"), "--show-files", "."],
                                     cwd=copy, capture_output=True, text=True, env=CHILD_ENV).stdout
        ruff_files = sum(1 for line in shown_files.splitlines() if line.strip().endswith(".py"))
        seen.append(f"ruff: {ruff_files}")
        subprocess.run([ruff, "check", "--config", str(work / "ruff.toml"), "."], cwd=copy,
                       stdout=DEVNULL, stderr=DEVNULL, env=CHILD_ENV)  # fills ruff's cache, as the probe above fills startlint's
        if ruff_files != len(corpus.files):
            notes.append(f"**ruff checked {ruff_files} files, the corpus has {len(corpus.files)}.**")
    seen.append(f"ast.parse: {len(corpus.files)}")
    if fixit:
        seen.append(f"Fixit: {len(fixit_subset)} (subset)")

    # Compile every Python tool's modules before anything is timed (pycs written once;
    # startlint's were written by the first run above).
    one = work / "one.txt"
    one.write_text(str(copy / corpus.files[0]) + "\n", encoding="utf-8")
    primers = [[py, "-I", "-c", FLOOR_1, str(one)], [py, "-I", "-c", FLOOR_2, str(one)], [py, "-c", "pass"]]
    if fixit:
        primers.append([fixit, "lint", corpus.files[0]])
    if has_cache:
        # The warm rows replay a stored run of their own command line: the probe above
        # (another command line) filled the per-file cache, these fill the run cache.
        primers.append([*sl, "check", "."])
        if clean_file is not None:
            primers.append([*sl, "check", clean_file])
    # startlint never stores a run while a file in it is less than two seconds old (its
    # stat could still change unseen): on a small corpus the copy can be that young.
    time.sleep(max(0.0, RUN_CACHE_SETTLE_S - (time.time() - newest_mtime(copy))))
    for cmd in primers:
        subprocess.run(cmd, cwd=copy, stdout=DEVNULL, stderr=DEVNULL, env=CHILD_ENV)

    order = list(scenarios)
    for round_no in range(args.warmup + args.runs):
        shift = round_no % len(order)
        this_round = order[shift:] + order[:shift]
        measured = round_no >= args.warmup
        label = f"round {round_no - args.warmup + 1}/{args.runs}" if measured else "warm-up round (not reported)"
        log(f"{label}: " + ", ".join(s.key for s in this_round))
        for s in this_round:
            sample = s.once(round_no)
            if measured:
                s.samples.append(sample)
            log(f"  {s.key:10s} {fmt_s(sample.seconds):>9s}  {fmt_mb(sample.rss_bytes):>7s}  exit {sample.exit_code}")

    # Whole-tree memory (worker processes included) from the untimed probe run above.
    tree_lines: list[str] = []
    if tree is not None:
        tree_lines.append(f"startlint, whole process tree (workers included): peak {fmt_mb(tree[0])} RSS summed "
                          f"over the processes, {fmt_mb(tree[1])} PSS — sampled every 20 ms during the untimed "
                          "first run that counts the files" + (" and fills the cache" if has_cache else ""))
    load_end = load_average()
    total = time.perf_counter() - t_start

    # ------------------------------------------------------------------ the report
    by_key = {s.key: s for s in scenarios}
    get = by_key.get
    out: list[str] = []
    w = out.append
    w("# startlint benchmarks")
    w("")
    w(f"Generated by `benchmarks/run.py` on {started.strftime('%Y-%m-%d %H:%M UTC')}; every number "
      "below was measured in that one run (see [benchmarks/README.md](benchmarks/README.md)).")
    w("")
    w(f"Command: `{invocation}` — {plural(args.runs, 'measured round')} after "
      f"{plural(args.warmup, 'warm-up round')}, {total / 60:.1f} min in all.")
    w("")
    w("## Machine")
    w("")
    for k, v in machine_info():
        w(f"- {k}: {v}")
    w(f"- load average at start: {load_start}; at end: {load_end}")
    w("")
    w("## Versions")
    w("")
    for k, v in versions:
        w(f"- {k}: {v}")
    w("")
    w("## Corpus")
    w("")
    w(f"- `{corpus.name}`: {corpus.source}")
    w(f"- {len(corpus.files)} files, {corpus.lines} lines, {corpus.size / 2**20:.1f} MiB "
      f"(`.py` files that `ast.parse` accepts; {len(corpus.rejected)} rejected"
      + (": " + ", ".join(f"`{r}`" for r in corpus.rejected[:12]) + (", …" if len(corpus.rejected) > 12 else "")
         if corpus.rejected else "") + ")")
    w(f"- files each tool checked: {'; '.join(seen)}")
    w(f"- `--fix` corpus: {len(fixable)} of the files (spread evenly over the sorted list of those that still "
      "parse afterwards) get `import torch` prepended and `def _startlint_bench(): return torch` appended, "
      "so SL101's safe fix applies")
    if fix_results:
        w(f"- `--fix` applied: the module-level `import torch` was gone from {min(fix_results)}–{max(fix_results)} "
          f"of the {len(fixable)} injected files after each run")
    w("")
    w("## Results")
    w("")
    w(f"Wall time of {plural(args.runs, 'run')} (median, min–max) and peak RSS (largest single process, "
      "`ru_maxrss` from `os.wait4`; maximum over the runs). Output to /dev/null, cwd = the corpus copy.")
    w("")
    w("| scenario | median | min–max | peak RSS | exit | command |")
    w("|---|---:|---:|---:|---|---|")
    for s in scenarios:
        if not s.samples:
            continue
        times = [x.seconds for x in s.samples]
        codes = ",".join(str(c) for c in sorted({x.exit_code for x in s.samples}))
        w(f"| {s.label} | {fmt_s(median(s))} | {fmt_s(min(times))}–{fmt_s(max(times))} | "
          f"{fmt_mb(peak(s))} | {codes} | `{s.shown}`{' — ' + s.detail if s.detail else ''} |")
    if not has_cache:
        w("| startlint warm | — | — | — | — | cache not implemented yet |")
        w("| startlint warm, 1 file touched | — | — | — | — | cache not implemented yet |")
    w("")
    fx = get("fixit")
    if fx is not None and fx.samples:
        rate = fixit_lines / median(fx)
        w(f"Fixit: {rate:,.0f} lines/s on its {len(fixit_subset)}-file subset ({fixit_lines} lines); "
          f"**extrapolated** to the whole corpus ({corpus.lines} lines): {fmt_s(corpus.lines / rate)}.")
        cold = get("sl_cold")
        if cold is not None and cold.samples:
            w(f"startlint cold: {corpus.lines / median(cold):,.0f} lines/s, "
              f"{(corpus.lines / median(cold)) / rate:.0f}× Fixit's rate.")
        w("")
    w("## Targets (issue 7)")
    w("")
    no_cache = "cache not implemented yet"
    w(ratio_line("cold ÷ single-process ast.parse", get("sl_cold"), get("ast1"), TARGET_COLD_VS_AST,
                 "not measured"))
    w(ratio_line("cold ÷ ruff cold", get("sl_cold"), get("ruff_cold"), None, "ruff not measured"))
    w(ratio_line("warm ÷ ruff cached", get("sl_warm"), get("ruff_warm"), TARGET_WARM_VS_RUFF_CACHED,
                 no_cache if not has_cache else "ruff not measured"))
    w(ratio_line("warm, 1 file touched ÷ ruff cached", get("sl_touch"), get("ruff_warm"), None,
                 no_cache if not has_cache else "ruff not measured"))
    w(ratio_line("one clean file ÷ python -c pass", get("sl_one"), get("pass"), TARGET_ONE_FILE_VS_PASS,
                 "no clean file found"))
    w(ratio_line("one clean file, --no-cache ÷ python -c pass", get("sl_one_nc"), get("pass"), None,
                 "no clean file found", " — the same file when the run cache misses (just edited)"))
    w(ratio_line("--fix with 1% fixable ÷ cold", get("sl_fix"), get("sl_cold"), TARGET_FIX_VS_COLD,
                 "not measured"))
    w(ratio_line("2-process ast.parse ÷ 1-process ast.parse", get("ast2"), get("ast1"), None, "not measured",
                 " — what two processes buy the floor here"))
    sl_peaks = [(peak(s), s.label) for s in scenarios if s.key.startswith("sl_") and s.samples]
    if sl_peaks:
        top, which = max(sl_peaks)
        mb = top / 2**20
        mark = "✓" if mb <= TARGET_RSS_MB else "✗"
        gap = "" if mb <= TARGET_RSS_MB else f" — gap: {mb - TARGET_RSS_MB:.0f} MB over ({mb / TARGET_RSS_MB:.2f}×)"
        w(f"- {mark} **peak RSS** (largest single process, any startlint scenario: {which}): "
          f"{fmt_mb(top)} (target ≤ {TARGET_RSS_MB:g} MB){gap}")
    for line in tree_lines:
        w(f"- (report) {line}")
    w("")
    if profile is not None:
        for line in profile_lines(profile, get("sl_cold"), get("ast1"), get("ast2")):
            w(line)
    w("## How it was run")
    w("")
    w(f"- `{invocation}`, from the repository root, with the interpreter above.")
    w("- The corpus files are copied once into a temporary directory; every tool runs on that copy "
      "(the `--fix` runs on a fresh copy of it each time, made outside the timing) with stdin, stdout "
      "and stderr on /dev/null.")
    warmup = (f"{plural(args.warmup, 'unreported warm-up round')} first" if args.warmup
              else "no warm-up round")
    w("- Round-robin: each round runs every scenario once, the first scenario rotating from round to "
      f"round; {warmup}. Before the rounds, every Python tool ran once (so its bytecode is compiled), "
      "the corpus copy was just written (so it is in the OS page cache), and the startlint and ruff "
      "caches the warm rows read were filled by untimed runs (startlint: one of each warm row's command "
      "line).")
    w(f"- startlint config in the copy: `.startlint.toml` = `{startlint_config.strip().replace(chr(10), '; ')}` "
      "(the default excludes would skip the stdlib's `venv` package).")
    for note in notes:
        w(f"- {note}")
    w("")
    report = "\n".join(out)
    Path(args.out).write_text(report, encoding="utf-8")
    log(f"wrote {args.out} ({total / 60:.1f} min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
