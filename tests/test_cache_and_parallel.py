"""The result cache and worker processes never change what a run reports."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from startlint import cache as cache_module
from startlint import run_cache
from startlint.cli import main


@pytest.fixture(autouse=True)
def _default_cache_location(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about where the cache lives: no redirect from conftest."""
    monkeypatch.delenv(cache_module.ENV, raising=False)

HAZARDS = [
    "import torch\n\n\ndef f():\n    return torch\n",
    "import boto3\n\ns3 = boto3.client('s3')\nBUCKETS = s3.list_buckets()\n",
    "import joblib\n\nMODEL = joblib.load('m.joblib')\n",
    "import time\n\ntime.sleep(1)\n",
    "def clean():\n    import pandas\n    return pandas\n",
]


def make_tree(root: Path, files: int = 12) -> None:
    for i in range(files):
        path = root / "pkg" / f"mod_{i:03}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# module {i}\n" + HAZARDS[i % len(HAZARDS)])


def report(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, object]]:
    old = Path.cwd()
    os.chdir(root)
    try:
        main(["check", "--format", "json", "--exit-zero", *args])
    finally:
        os.chdir(old)
    return json.loads(capsys.readouterr().out)["findings"]


def assert_cache_agrees(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cached = report(root, capsys)
    assert cached == report(root, capsys, "--no-cache")
    assert cached == report(root, capsys)  # and a second, fully warm run


def entries(root: Path) -> list[Path]:
    """The per-file model entries (not the run cache's)."""
    base = root / ".startlint_cache"
    return [p for p in base.rglob("*") if p.is_file() and p.name != ".gitignore" and p.parent != base / "runs"]


def test_cold_and_warm_runs_report_the_same(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_tree(tmp_path)
    assert_cache_agrees(tmp_path, capsys)
    assert len(entries(tmp_path)) == 12  # one entry a distinct file
    ignore = tmp_path / ".startlint_cache" / ".gitignore"
    assert ignore.read_text().strip().endswith("*")


def test_an_edited_file_is_rechecked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_tree(tmp_path)
    before = report(tmp_path, capsys)
    (tmp_path / "pkg" / "mod_004.py").write_text("import torch\n")  # was clean
    after = report(tmp_path, capsys)
    assert len(after) == len(before) + 1
    assert_cache_agrees(tmp_path, capsys)


def test_config_and_catalog_changes_apply_to_cached_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_tree(tmp_path)
    report(tmp_path, capsys)
    (tmp_path / "startlint.toml").write_text('ignore = ["SL105"]\n')
    assert not any(f["code"] == "SL105" for f in report(tmp_path, capsys))
    assert_cache_agrees(tmp_path, capsys)
    (tmp_path / "startlint.toml").write_text('[catalog]\nnot-heavy = ["torch"]\nheavy-modules = { "joblib" = 250 }\n')
    codes = {(f["path"], f["code"]) for f in report(tmp_path, capsys)}
    assert ("pkg/mod_000.py", "SL101") not in codes and ("pkg/mod_002.py", "SL101") in codes
    assert_cache_agrees(tmp_path, capsys)


def test_a_heavy_catalog_change_rebuilds_what_models_track(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Models record deferred uses only of what heavy imports bind: a module cached
    while joblib was not heavy must not look unused once it is."""
    (tmp_path / "jobs.py").write_text("import joblib\n\n\ndef load():\n    return joblib.load('m.joblib')\n")
    assert not [f for f in report(tmp_path, capsys) if f["code"] == "SL101"]
    (tmp_path / "startlint.toml").write_text('[catalog]\nheavy-modules = { "joblib" = 250 }\n')
    [finding] = [f for f in report(tmp_path, capsys) if f["code"] == "SL101"]
    fix = finding["fix"]
    assert isinstance(fix, dict) and str(fix["message"]).startswith("function-local")
    assert_cache_agrees(tmp_path, capsys)


def test_a_new_version_does_not_read_old_entries(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_tree(tmp_path)
    report(tmp_path, capsys)
    old = set(entries(tmp_path))
    monkeypatch.setattr(cache_module, "__version__", "9.9.9")
    monkeypatch.setattr(run_cache, "__version__", "9.9.9")
    assert_cache_agrees(tmp_path, capsys)
    assert set(entries(tmp_path)) - old, "the new version wrote entries of its own"


def test_deleted_and_renamed_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_tree(tmp_path)
    report(tmp_path, capsys)
    (tmp_path / "pkg" / "mod_001.py").unlink()
    (tmp_path / "pkg" / "mod_000.py").rename(tmp_path / "pkg" / "renamed.py")
    found = report(tmp_path, capsys)
    paths = {f["path"] for f in found}
    assert "pkg/renamed.py" in paths and "pkg/mod_000.py" not in paths and "pkg/mod_001.py" not in paths
    assert_cache_agrees(tmp_path, capsys)


def test_corrupt_and_foreign_entries_are_rebuilt(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_tree(tmp_path)
    expected = report(tmp_path, capsys, "--no-cache")
    report(tmp_path, capsys)
    for i, entry in enumerate(entries(tmp_path)):
        entry.write_bytes(b"\x00garbage" if i % 2 else b"\xe3\x05\x00\x00\x00")
    assert report(tmp_path, capsys) == expected
    assert report(tmp_path, capsys) == expected


def test_cache_location_setting_environment_and_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_tree(tmp_path)
    (tmp_path / "startlint.toml").write_text('cache-dir = "build/slcache"\n')
    report(tmp_path, capsys)
    assert (tmp_path / "build" / "slcache" / ".gitignore").is_file()
    elsewhere = tmp_path / "env-cache"
    monkeypatch.setenv("STARTLINT_CACHE_DIR", str(elsewhere))
    report(tmp_path, capsys)
    assert (elsewhere / ".gitignore").is_file()
    monkeypatch.chdir(tmp_path)
    assert main(["clean"]) == 0
    assert not elsewhere.exists()
    monkeypatch.delenv("STARTLINT_CACHE_DIR")
    assert main(["clean"]) == 0
    assert not (tmp_path / "build" / "slcache").exists()
    (tmp_path / "build" / "slcache").mkdir(parents=True)
    (tmp_path / "build" / "slcache" / "precious.txt").write_text("not a cache")
    assert main(["clean"]) == 2  # refuses a directory that is not its own
    assert (tmp_path / "build" / "slcache" / "precious.txt").exists()
    capsys.readouterr()


def test_no_cache_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_tree(tmp_path)
    report(tmp_path, capsys, "--no-cache")
    assert not (tmp_path / ".startlint_cache").exists()


def test_parallel_and_sequential_runs_are_identical(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_tree(tmp_path, files=150)  # above the pool threshold
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "main.py").write_text("from pkg import mod_000\n")
    shutil.copy(tmp_path / "pkg" / "mod_001.py", tmp_path / "pkg" / "__init__.py")
    sequential = report(tmp_path, capsys, "--no-cache", "--jobs", "1", "--entrypoint", "app/main.py")
    parallel = report(tmp_path, capsys, "--no-cache", "--jobs", "2", "--entrypoint", "app/main.py")
    assert parallel == sequential
    assert any(f["severity"] == "error" and f["related"] for f in parallel)  # the chain survived the pool


def test_parallel_and_sequential_fixing_are_identical(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Fixes in workers (in-file ones) then in the parent (cross-file ones) give what one
    process gives: same files, same report."""
    for jobs in ("1", "2"):
        root = tmp_path / f"jobs{jobs}"
        make_tree(root, files=10)  # more files to fix than FIX_POOL_MIN
        (root / "pkg" / "__init__.py").write_text("")
        (root / "pkg" / "routes.py").write_text(
            "from pkg.mod_001 import s3\n\n\ndef buckets():\n    return s3.list_buckets()\n"
        )
        (root / "startlint.toml").write_text("unsafe-fixes = true\n")
        report(root, capsys, "--no-cache", "--fix", "--jobs", jobs)
    one, two = tmp_path / "jobs1", tmp_path / "jobs2"
    texts = {p.relative_to(one).as_posix(): p.read_text() for p in one.rglob("*.py")}
    assert texts == {p.relative_to(two).as_posix(): p.read_text() for p in two.rglob("*.py")}
    assert "get_s3" in texts["pkg/routes.py"]  # the cross-file rewrite happened
    assert texts["pkg/mod_000.py"] != "# module 0\n" + HAZARDS[0]  # and the in-file ones
    assert report(one, capsys, "--no-cache") == report(two, capsys, "--no-cache")


# ------------------------------------------------------------------ the run cache


def replayed(root: Path, *args: str) -> tuple[bool, str]:
    """Run a check in a fresh interpreter: whether it replayed the run cache (it then never
    loads the checker), and what it printed."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from startlint.cli import main\n"
        "main(sys.argv[1:])\n"
        "sys.stderr.write('CHECKED' if 'startlint.engine' in sys.modules else 'REPLAYED')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, "check", "--exit-zero", *args],
        cwd=root, capture_output=True, text=True, timeout=120,
        env={k: v for k, v in os.environ.items() if k != cache_module.ENV},
    )
    return done.stderr.endswith("REPLAYED"), done.stdout


def settle(root: Path) -> None:
    """Date every file back a minute: the run cache stores no run with a file younger than 2 s."""
    past = time.time() - 60
    for path in root.rglob("*"):
        os.utime(path, (past, past))


def test_an_unchanged_tree_is_replayed_without_checking(tmp_path: Path) -> None:
    make_tree(tmp_path)
    assert not replayed(tmp_path)[0]
    assert not replayed(tmp_path)[0], "files written just now: the run must not be stored"
    settle(tmp_path)
    first, out = replayed(tmp_path)
    assert not first
    again, out_again = replayed(tmp_path)
    assert again and out_again == out
    assert replayed(tmp_path, "--format", "github", "--quiet")[0]  # output options are not part of the key
    # Another format is rendered from the stored findings once (JSON's fix edits need the
    # checker), then replayed as it was stored; it is what an uncached run prints.
    _, json_first = replayed(tmp_path, "--format", "json")
    again_json, json_again = replayed(tmp_path, "--format", "json")
    assert again_json and json_again == json_first == replayed(tmp_path, "--format", "json", "--no-cache")[1]
    assert not replayed(tmp_path, "--select", "SL101")[0]  # what is checked is
    (tmp_path / "pkg" / "mod_003.py").write_text("# module 3\nimport torch\n")
    changed, changed_out = replayed(tmp_path)
    assert not changed and changed_out != out
    assert replayed(tmp_path, "--no-cache")[0] is False


def test_files_read_but_not_reported_on_invalidate_the_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An entry script and the build context (.dockerignore) change Dockerfile findings."""
    make_tree(tmp_path, files=3)
    (tmp_path / "Dockerfile").write_text(
        'FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nCMD ["sh", "start.sh"]\n'
    )
    (tmp_path / "start.sh").write_text("#!/bin/sh\nuvicorn app.main:app\n")
    settle(tmp_path)
    assert_cache_agrees(tmp_path, capsys)
    before = {(f["path"], f["code"]) for f in report(tmp_path, capsys)}
    (tmp_path / "start.sh").write_text("#!/bin/sh\nexec uvicorn app.main:app\n")
    (tmp_path / ".dockerignore").write_text(".git\n.venv\n")
    after = {(f["path"], f["code"]) for f in report(tmp_path, capsys)}
    assert after != before
    settle(tmp_path)
    assert_cache_agrees(tmp_path, capsys)
    (tmp_path / ".git").mkdir()  # a new directory the context would send
    settle(tmp_path)
    assert_cache_agrees(tmp_path, capsys)


def test_the_run_cache_ignores_itself_in_git(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "Dockerfile").write_text("FROM python:3.11\n")  # no Python file: no model entry
    settle(tmp_path)
    report(tmp_path, capsys)
    report(tmp_path, capsys)
    assert (tmp_path / ".startlint_cache" / ".gitignore").is_file()


def test_a_run_that_reads_outside_the_root_is_not_stored(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project, outside = tmp_path / "project", tmp_path / "outside"
    make_tree(project, files=2)
    outside.mkdir()
    (outside / "serve.py").write_text("import torch\n")
    (project / "startlint.toml").write_text("")
    settle(tmp_path)
    report(project, capsys, "--entrypoint", str(outside / "serve.py"))
    assert not (project / ".startlint_cache" / "runs").exists()


def test_named_files_are_replayed_until_any_module_changes(tmp_path: Path) -> None:
    """A named file's findings depend on other modules (here: whether the file is on the
    start-up path of the service's entry module), so any edit in the tree misses."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "main.py").write_text("from app import routes\n")
    (tmp_path / "app" / "routes.py").write_text("import torch\n")
    (tmp_path / "startlint.toml").write_text('entrypoints = ["app.main:app"]\n')
    settle(tmp_path)
    named = ("--format", "json", "app/routes.py")
    first, out = replayed(tmp_path, *named)
    assert not first
    assert replayed(tmp_path, "--format", "json")[1] != out  # a directory check: its own entry
    again, out_again = replayed(tmp_path, *named)
    assert again and out_again == out, "the directory check must not evict the named file's entry"
    assert replayed(tmp_path, "--format", "json", "app/main.py")[1] != out  # other files: other entry
    (tmp_path / "app" / "main.py").write_text("import json\n")  # routes.py leaves the start-up path
    changed, changed_out = replayed(tmp_path, *named)
    assert not changed and changed_out != out
    assert changed_out == replayed(tmp_path, *named, "--no-cache")[1]


def test_named_files_in_a_large_tree_are_not_stored(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    make_tree(tmp_path, files=4)
    settle(tmp_path)
    monkeypatch.setattr(run_cache, "NAMED_FILES_WALK_LIMIT", 3)
    report(tmp_path, capsys, "pkg/mod_000.py")
    assert not (tmp_path / ".startlint_cache" / "runs").exists()
    monkeypatch.setattr(run_cache, "NAMED_FILES_WALK_LIMIT", 4)  # exactly as many files: walked
    report(tmp_path, capsys, "pkg/mod_000.py")
    assert len(list((tmp_path / ".startlint_cache" / "runs").iterdir())) == 1


def test_the_run_cache_keeps_a_bounded_number_of_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_tree(tmp_path, files=run_cache._SLOTS + 2)
    settle(tmp_path)
    for i in range(run_cache._SLOTS + 2):
        report(tmp_path, capsys, f"pkg/mod_{i:03}.py")
    report(tmp_path, capsys, "pkg/mod_000.py", "--select", "SL101")
    report(tmp_path, capsys, "pkg/mod_000.py", "--select", "SL101")  # same command: replaced, not added
    assert len(list((tmp_path / ".startlint_cache" / "runs").iterdir())) == run_cache._SLOTS


# ------------------------------------------------------------------ the replay before argparse


def test_the_replay_knows_every_option_the_key_covers() -> None:
    from startlint.cli import build_parser
    from startlint.replay import CHECK_DEFAULTS

    defaults = vars(build_parser().parse_args(["check"]))
    keyed = {k: v for k, v in defaults.items() if k not in run_cache._OUTPUT_ONLY and k != "paths"}
    assert keyed == CHECK_DEFAULTS


def test_the_replay_knows_every_report_format() -> None:
    """The replay names the formats without importing the reporters (re, pathlib)."""
    from startlint import replay, reporters

    assert replay.FORMATS == reporters.FORMATS


@pytest.mark.parametrize(
    "argv",
    [
        ["check"],
        ["check", "pkg"],
        ["check", "pkg/mod_000.py", "pkg/mod_001.py", "--format", "json", "-q"],
        ["check", "--format=sarif", "--exit-zero", "--fail-on", "warning", "--jobs", "2", "--", "pkg"],
        ["check", "--no-color", "--statistics", "-j", "1", "."],
    ],
)
def test_the_replay_keys_a_check_as_the_cli_does(tmp_path: Path, argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from startlint import cli, replay

    make_tree(tmp_path, files=3)
    (tmp_path / "startlint.toml").write_text('select = ["SL1"]\n')
    monkeypatch.chdir(tmp_path / "pkg" if argv == ["check"] else tmp_path)
    request = replay.parse(argv)
    assert request is not None
    fast = replay.keyed(request)
    args = cli.build_parser().parse_args(argv)
    full = cli._run_cache(args, [Path(p) for p in (args.paths or ["."])])
    assert fast is not None and full is not None
    assert (fast.path, fast.base, str(fast.root)) == (full.path, full.base, str(full.root))


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--fix"], ["check", "--no-cache"], ["check", "-"], ["check", "--select", "SL101"],
        ["check", "--config", "x.toml"], ["check", "a.py", "--format", "json", "b.py"], ["check", "--form", "json"],
        ["check", "--format", "xml"], ["check", "--jobs", "0"], ["check", "-qj2"], ["rules"], ["--version"], [],
    ],
)
def test_other_command_lines_go_to_the_cli(argv: list[str]) -> None:
    from startlint import replay

    assert replay.parse(argv) is None


def _console(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m startlint` (the console script's entry), reporting what it imported."""
    probe = (
        "import sys, runpy\n"
        "sys.argv = ['startlint', *sys.argv[1:]]\n"
        "try:\n"
        "    runpy.run_module('startlint', run_name='__main__')\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "sys.stderr.write(' '.join(m for m in ('argparse', 'pathlib', 'startlint.cli') if m in sys.modules))\n"
        "sys.exit(code)\n"
    )
    return subprocess.run(
        [sys.executable, "-c", probe, *args], cwd=root, capture_output=True, text=True, timeout=120,
        env={k: v for k, v in os.environ.items() if k != cache_module.ENV},
    )


def test_a_stored_check_replays_before_argparse_and_pathlib_load(tmp_path: Path) -> None:
    make_tree(tmp_path, files=5)
    settle(tmp_path)
    first = _console(tmp_path, "check", "pkg/mod_001.py")
    assert first.returncode == 1 and "startlint.cli" in first.stderr  # checked, and stored
    again = _console(tmp_path, "check", "pkg/mod_001.py")
    assert (again.returncode, again.stdout, again.stderr) == (1, first.stdout, "")
    assert _console(tmp_path, "check", "pkg/mod_001.py", "--exit-zero").returncode == 0
    # Another output format: rendered once by the full CLI, then replayed.
    as_json = _console(tmp_path, "check", "--format", "json", "pkg/mod_001.py")
    assert "startlint.cli" in as_json.stderr
    replayed_json = _console(tmp_path, "check", "--format", "json", "pkg/mod_001.py")
    assert replayed_json.stderr == "" and replayed_json.stdout == as_json.stdout
    # An edit anywhere in the tree (a module the file may import) is a miss.
    (tmp_path / "pkg" / "mod_004.py").write_text("import torch\n")
    assert "startlint.cli" in _console(tmp_path, "check", "pkg/mod_001.py").stderr


def test_a_miss_hands_its_entry_to_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The replay keyed the entry (a walk of the tree): the CLI does not walk again."""
    from startlint import cli, replay

    make_tree(tmp_path, files=3)
    monkeypatch.chdir(tmp_path)
    attempt = replay.replay(["check", "pkg"])
    assert attempt.code is None and attempt.runs is not None

    def walked_again(*args: object) -> None:
        raise AssertionError("keyed twice")

    monkeypatch.setattr(cli, "_run_cache", walked_again)
    assert cli.main(["check", "pkg"], attempt) == 1
    assert "SL101" in capsys.readouterr().out
