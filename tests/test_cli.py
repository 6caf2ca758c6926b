"""The command line end to end: exit codes, flags, config, suppression, editor mode."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from startlint.cli import main

HEAVY = "import torch\n\n\ndef f():\n    return torch.zeros(1)\n"
CLIENT = "import boto3\n\ns3 = boto3.client('s3')\n"  # SL103: a warning
CLEAN = "import os\n\n\ndef f():\n    import torch\n    return torch, os\n"


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def run(args: list[str], cwd: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    old = Path.cwd()
    os.chdir(cwd)
    try:
        code = main(args)
    finally:
        os.chdir(old)
    out, err = capsys.readouterr()
    return code, out, err


def findings(out: str) -> list[tuple[str, str, int]]:
    return [(f["code"], f["path"], f["line"]) for f in json.loads(out)["findings"]]


# -- exit codes -------------------------------------------------------------

def test_clean_tree_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, {"a.py": CLEAN})
    assert run(["check", "."], tmp_path, capsys)[0] == 0


def test_error_finding_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, {"a.py": HEAVY})
    code, out, _ = run(["check", "--format", "json"], tmp_path, capsys)
    assert code == 1
    assert findings(out) == [("SL101", "a.py", 1)]


def test_fail_on_decides_which_severities_fail(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, {"a.py": CLIENT})
    assert run(["check", "."], tmp_path, capsys)[0] == 0  # a warning does not fail by default
    assert run(["check", ".", "--fail-on", "warning"], tmp_path, capsys)[0] == 1
    assert run(["check", ".", "--fail-on", "warning", "--exit-zero"], tmp_path, capsys)[0] == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["check", "missing.py"], "missing.py: no such file or directory"),
        (["check", "--select", "SL999"], "unknown rule code or prefix 'SL999'"),
        (["check", "-"], "--stdin-filename"),
        (["explain", "SL999"], "unknown rule 'SL999'"),
        (["check", "--config", "nope.toml"], "no such file"),
    ],
)
def test_usage_errors_exit_2_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _, err = run(args, tmp_path, capsys)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_bad_flag_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        run(["check", "--format", "xml"], tmp_path, capsys)
    assert exc.value.code == 2


# -- selection ----------------------------------------------------------------

def test_select_ignore_extend_select(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, {"a.py": HEAVY + CLIENT})
    base = ["check", "--format", "json", "--exit-zero"]
    assert {c for c, _, _ in findings(run(base, tmp_path, capsys)[1])} == {"SL101", "SL103"}
    assert {c for c, _, _ in findings(run(base + ["--select", "SL103"], tmp_path, capsys)[1])} == {"SL103"}
    assert {c for c, _, _ in findings(run(base + ["--ignore", "SL1"], tmp_path, capsys)[1])} == set()
    only = base + ["--select", "SL101", "--extend-select", "SL103"]
    assert {c for c, _, _ in findings(run(only, tmp_path, capsys)[1])} == {"SL101", "SL103"}


# -- configuration ------------------------------------------------------------

def test_config_select_and_per_file_ignores(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": '[tool.startlint]\nignore = ["SL103"]\n\n[tool.startlint.per-file-ignores]\n"scripts/*" = ["SL101"]\n',
            "app/a.py": HEAVY + CLIENT,
            "scripts/train.py": HEAVY,
        },
    )
    code, out, _ = run(["check", "--format", "json"], tmp_path, capsys)
    assert findings(out) == [("SL101", "app/a.py", 1)]
    assert code == 1


def test_nearest_config_wins_and_paths_are_relative_to_its_root(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": '[tool.startlint]\nignore = ["SL101"]\n',
            "svc/startlint.toml": 'select = ["SL101"]\n',
            "svc/app.py": HEAVY + CLIENT,
        },
    )
    code, out, _ = run(["check", "svc", "--format", "json"], tmp_path, capsys)
    assert findings(out) == [("SL101", "app.py", 1)]


def test_pyproject_without_a_startlint_table_is_skipped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        tmp_path,
        {
            ".startlint.toml": 'ignore = ["SL101"]\n',
            "svc/pyproject.toml": '[project]\nname = "svc"\n',
            "svc/app.py": HEAVY,
        },
    )
    assert run(["check", "svc"], tmp_path, capsys)[0] == 0


def test_config_flag_overrides_the_search(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, {"startlint.toml": 'ignore = ["SL101"]\n', "other.toml": "fail-on = 'error'\n", "a.py": HEAVY})
    assert run(["check", "a.py"], tmp_path, capsys)[0] == 0
    assert run(["check", "a.py", "--config", "other.toml"], tmp_path, capsys)[0] == 1


def test_catalog_extension_adds_a_heavy_module(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        tmp_path,
        {
            "startlint.toml": '[catalog]\nheavy-modules = { "bigcorp_ml" = 900 }\nnot-heavy = ["torch"]\n',
            "a.py": "import bigcorp_ml\nimport torch\n",
        },
    )
    code, out, _ = run(["check", "--format", "json"], tmp_path, capsys)
    assert findings(out) == [("SL101", "a.py", 1)]
    assert "≈900 ms" in json.loads(out)["findings"][0]["message"]


@pytest.mark.parametrize(
    "config, message",
    [
        ('slect = ["SL101"]\n', "startlint.toml:1: 'slect'"),
        ('select = "SL101"\n', "'select' in the file: got 'SL101'; expected a list of rule codes"),
        ('\nignore = ["SL777"]\n', "startlint.toml:2: 'ignore' in the file: unknown rule code or prefix 'SL777'"),
        ('fail-on = "fatal"\n', "expected one of 'error', 'warning', 'info'"),
        ('exclude = ["[abc"]\n', "bad glob '[abc'"),
        ('select = [\n', "invalid TOML"),
        # Nested tables: the line of what is wrong inside them.
        ('[per-file-ignores]\n"x.py" = ["NOPE1"]\n', "startlint.toml:2: 'per-file-ignores' in the file: unknown rule code or prefix 'NOPE1'"),
        ('[catalog]\nheavy-modules = { "x" = "slow" }\n', "startlint.toml:2: 'catalog' in the file: catalog: 'catalog.heavy-modules'"),
        ('[catalog]\n\nmodels = []\n', "startlint.toml:3: 'catalog' in the file: catalog: unknown key 'catalog.models'"),
        ('target-version = "python3"\n', "'target-version'"),
    ],
)
def test_config_errors_exit_2_naming_file_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config: str, message: str
) -> None:
    write(tmp_path, {"startlint.toml": config, "a.py": CLEAN})
    code, _, err = run(["check", "."], tmp_path, capsys)
    assert code == 2
    assert message in err
    assert str(tmp_path / "startlint.toml") in err
    assert "Traceback" not in err


def test_broken_pyproject_toml_reports_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, {"pyproject.toml": '[tool.startlint]\nselect = ["SL1"\n', "a.py": CLEAN})
    code, _, err = run(["check", "."], tmp_path, capsys)
    assert code == 2
    assert "pyproject.toml: invalid TOML" in err and "line 3" in err


# -- suppression --------------------------------------------------------------

@pytest.mark.parametrize(
    "line, suppressed",
    [
        ("import torch  # startlint: ignore[SL101]", True),
        ("import torch  # startlint: ignore[SL103]", False),
        ("import torch  # noqa: SL101", True),
        ("import torch  # noqa: E501", False),
        ("import torch  # noqa", True),
        ("import torch  # startlint: ignore", True),
    ],
)
def test_inline_suppression(tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, suppressed: bool) -> None:
    write(tmp_path, {"a.py": line + "\n"})
    code, out, _ = run(["check", "--format", "json", "--exit-zero"], tmp_path, capsys)
    assert (findings(out) == []) is suppressed


def test_file_level_suppression(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, {"a.py": "# startlint: ignore-file\nimport torch\n", "b.py": HEAVY})
    code, out, _ = run(["check", "--format", "json"], tmp_path, capsys)
    assert findings(out) == [("SL101", "b.py", 1)]


# -- SL001 and unreadable files ------------------------------------------------

def test_parse_error_is_reported_and_other_files_still_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {"a.py": "def f(:\n    pass\n", "b.py": HEAVY})
    code, out, err = run(["check", "--format", "json"], tmp_path, capsys)
    assert code == 1
    assert findings(out) == [("SL001", "a.py", 1), ("SL101", "b.py", 1)]
    first = json.loads(out)["findings"][0]
    assert first["column"] == 7 and "could not parse" in first["message"]
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "data, message, at",
    [
        (b"import torch\x00\n", "binary", (1, 1)),
        (b"import os\nx = 'caf\xe9'\n", "cannot decode", (2, 9)),  # the first bad byte
        (b"# -*- coding: klingon -*-\nimport torch\n", "cannot decode", (1, 1)),
    ],
)
def test_unreadable_files_are_sl001_not_tracebacks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, message: str, at: tuple[int, int]
) -> None:
    (tmp_path / "a.py").write_bytes(data)
    code, out, err = run(["check", "--format", "json"], tmp_path, capsys)
    (finding,) = json.loads(out)["findings"]
    assert (finding["code"], finding["path"]) == ("SL001", "a.py")
    assert message in finding["message"] and (finding["line"], finding["column"]) == at
    assert code == 1 and "Traceback" not in err


def test_bom_and_coding_cookie_are_honoured(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.py").write_bytes(b"\xef\xbb\xbfimport torch\n")
    (tmp_path / "b.py").write_bytes("# -*- coding: latin-1 -*-\nx = 'é'; import torch\n".encode("latin-1"))
    code, out, _ = run(["check", "--format", "json"], tmp_path, capsys)
    got = json.loads(out)["findings"]
    assert [(f["path"], f["line"], f["column"]) for f in got] == [("a.py", 1, 1), ("b.py", 2, 10)]


# -- discovery -----------------------------------------------------------------

def test_gitignore_and_exclude_are_honoured_but_named_files_are_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        tmp_path,
        {
            ".gitignore": "generated/\n*.tmp.py\n!keep.tmp.py\n",
            "startlint.toml": 'extend-exclude = ["legacy"]\n',
            "generated/a.py": HEAVY,
            "x.tmp.py": HEAVY,
            "keep.tmp.py": HEAVY,
            "legacy/old.py": HEAVY,
            ".venv/lib/site.py": HEAVY,
            "app/ok.py": HEAVY,
        },
    )
    (tmp_path / ".git").mkdir()
    out = run(["check", "--format", "json"], tmp_path, capsys)[1]
    assert sorted(p for _, p, _ in findings(out)) == ["app/ok.py", "keep.tmp.py"]
    out = run(["check", "--format", "json", "legacy/old.py", "generated/a.py"], tmp_path, capsys)[1]
    assert sorted(p for _, p, _ in findings(out)) == ["generated/a.py", "legacy/old.py"]


# -- editor mode ----------------------------------------------------------------

def test_stdin_mode_reports_against_the_given_name_with_its_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"proj/startlint.toml": 'ignore = ["SL103"]\n', "elsewhere/.keep": ""})
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO((HEAVY + CLIENT).encode())))
    code, out, _ = run(
        ["check", "-", "--stdin-filename", "../proj/app/main.py", "--format", "json"],
        tmp_path / "elsewhere",
        capsys,
    )
    assert findings(out) == [("SL101", "app/main.py", 1)]
    assert code == 1


def test_stdin_filename_alone_reads_stdin_and_never_the_file_on_disk(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    on_disk = "import os\n"
    write(tmp_path, {"app/main.py": on_disk})
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(HEAVY.encode())))
    code, out, _ = run(["check", "--stdin-filename", "app/main.py", "--format", "json"], tmp_path, capsys)
    assert findings(out) == [("SL101", "app/main.py", 1)] and code == 1  # the buffer, as in ruff
    # With paths as well it is a usage error: checking or fixing the disk file instead of
    # the editor's buffer would report on, or rewrite, something else.
    code, _, err = run(["check", "--stdin-filename", "app/main.py", "--fix", "app"], tmp_path, capsys)
    assert code == 2 and "--stdin-filename reads stdin" in err
    assert (tmp_path / "app" / "main.py").read_text() == on_disk


def test_output_file_folders_are_made_and_a_bad_target_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {"a.py": HEAVY})
    code, _, _ = run(["check", "--format", "json", "-o", "reports/ci/out.json", "a.py"], tmp_path, capsys)
    assert code == 1 and findings((tmp_path / "reports" / "ci" / "out.json").read_text()) == [("SL101", "a.py", 1)]
    code, _, err = run(["check", "-o", "reports", "a.py"], tmp_path, capsys)
    assert code == 2 and err.startswith("startlint: error: --output-file reports:") and "internal" not in err


# -- rules and explain -------------------------------------------------------------

def test_rules_lists_every_rule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["rules", "--format", "json"], tmp_path, capsys)
    rows = {r["code"]: r for r in json.loads(out)}
    assert code == 0
    assert rows["SL101"]["name"] == "heavy-import" and rows["SL103"]["severity"] == "warning"
    code, out, _ = run(["rules"], tmp_path, capsys)
    assert any(line.split()[:2] == ["SL104", "model-load-at-import"] for line in out.splitlines())


def test_explain_prints_the_docs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["explain", "sl102"], tmp_path, capsys)
    assert code == 0
    assert out.startswith("SL102 network-call-at-import:")
    assert "## Use instead" in out


# -- the installed command ---------------------------------------------------------

def _importtime(args: list[str], cwd: Path) -> str:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "startlint", *args],
        cwd=cwd, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"},
    )
    return proc.stderr


@pytest.mark.parametrize("args", [["--version"], ["check", "clean.py"], ["check", "clean.py", "--format", "sarif"]])
def test_startup_path_imports_neither_libcst_nor_rich(tmp_path: Path, args: list[str]) -> None:
    write(tmp_path, {"clean.py": CLEAN})
    loaded = {line.rsplit("|", 1)[-1].strip() for line in _importtime(args, tmp_path).splitlines() if "|" in line}
    assert "startlint.cli" in loaded  # the measurement works
    assert not {m for m in loaded if m.split(".")[0] in ("libcst", "rich")}


def test_python_dash_m_and_version(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "startlint", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0
    assert proc.stdout.startswith("startlint 0.")


@pytest.mark.parametrize(
    "glob", ["a[", "***", "\\", "a\\", "a\\\\", "a\\\\\\", "!", "!x", "x/*.py", "[]", "**/b", "a[!b]c", "\\!x"]
)
def test_glob_check_agrees_with_pathspec(glob: str) -> None:
    """config.check_glob rejects what pathspec (which matches the globs) rejects, without importing it."""
    import pathspec

    from startlint.config import check_glob

    try:
        pathspec.GitIgnoreSpec.from_lines([glob])
        accepted = glob.count("[") == glob.count("]")
    except Exception:
        accepted = False
    try:
        check_glob(glob)
        ours = True
    except ValueError:
        ours = False
    assert ours == accepted


def test_a_reader_that_goes_away_is_not_an_internal_error() -> None:
    # `startlint rules | head -1`: the pipe closes before startlint writes.
    proc = subprocess.Popen(
        [sys.executable, "-m", "startlint", "rules"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 1
    assert err == ""


def test_no_color_counts_only_when_set_to_something(monkeypatch: pytest.MonkeyPatch) -> None:
    # no-color.org: "when present and not an empty string".
    from startlint.replay import report_view

    monkeypatch.setenv("NO_COLOR", "")
    assert report_view("text", True, False, False, False)[1] is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert report_view("text", True, False, False, False)[1] is False
