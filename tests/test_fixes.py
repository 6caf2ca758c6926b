"""The fix engine end to end: before/after pairs, the invariants every fix keeps, and the CLI's fix modes.

Each directory in `tests/fixtures/fixes/` is one case: `before/` is a small project tree
(with a `startlint.toml` when the case needs `unsafe-fixes`, `target-version` or
`lazy-style`), `after/` is exactly what `startlint check --fix` must leave behind.
A case whose `after/` equals its `before/` is an abort case (or an unsafe fix that
`--fix` alone must not apply). On top of the exact comparison, every case is held to
the same invariants (docs/STYLE pattern 5): every changed file still parses, a second
`--fix` changes nothing, and no finding that still carries an applicable fix remains.
"""

from __future__ import annotations

import ast
import difflib
import io
import json
import os
import shutil
import stat
import sys
import warnings
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from startlint import catalog, config
from startlint.cli import main
from startlint.discovery import discover
from startlint.engine import Checker
from startlint.findings import Applicability, Edit, Finding, Span
from startlint.fixes.edits import apply_edits
from startlint.fixes.writer import ChangedOnDisk, WriteFailed, write_all
from startlint.python.source import decode
from startlint.ruledocs import all_docs
from startlint.rules import implemented_codes

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "fixes"
CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "before").is_dir())

# Abort cases of SL101 whose message must say why there is no fix.
ABORT_REASONS = {
    "sl101_abort_decorator": "used at import time",
    "sl101_abort_base_class": "used at import time",
    "sl101_abort_module_call": "used at import time",
}
# Cases run without `unsafe-fixes` whose finding must still offer the (unsafe) fix.
UNSAFE_LEFT = {
    "cross_module_safe_only": "SL103",
    "cross_module_attribute_safe_only": "SL103",
    "cross_module_patched_by_string_safe_only": "SL103",
    "sl101_annotations_no_future_safe_only": "SL101",
    "sl101_annotations_pydantic_safe_only": "SL101",
    "sl101_string_annotation_safe_only": "SL101",
    "sl104_accessor_safe_only": "SL104",
}


# ---------------------------------------------------------------- helpers


def tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` (no caches), by POSIX relative path."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not {"__pycache__", ".startlint_cache"} & set(p.parts)
    }


def checker_for(root: Path) -> Checker:
    settings = config.load_settings(config.find_config(root), implemented_codes(), root)
    return Checker(settings, catalog.extend(catalog.load_shipped(), settings.catalog), all_docs())


def planned(root: Path) -> list[Finding]:
    """The findings of a tree with their planned fixes (as `check` would report them)."""
    checker = checker_for(root)
    return sorted(checker.check_files(discover([root], checker.settings)), key=lambda f: f.sort_key)


def applicable(finding: Finding, unsafe: bool) -> bool:
    return finding.fix is not None and (finding.fix.applicability is Applicability.SAFE or unsafe)


def parses(text: str, target: tuple[int, int]) -> bool:
    """Whether fixed source is valid Python for the case's target version."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, "<fixed>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
        return True
    except SyntaxError:
        if target < (3, 15):
            return False
    import libcst as cst  # `lazy import` (PEP 810) is newer than the running Python

    try:
        cst.parse_module(text, config=cst.PartialParserConfig(python_version="3.14"))
    except cst.ParserSyntaxError:
        return False
    return True


def run_cli(args: list[str], cwd: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    old = Path.cwd()
    os.chdir(cwd)
    try:
        code = main(args)
    finally:
        os.chdir(old)
    out, err = capsys.readouterr()
    return code, out, err


def fix(cwd: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    return run_cli(["check", "--fix", "--exit-zero", *extra, "."], cwd, capsys)


def copy_case(name: str, dest: Path, side: str = "before") -> Path:
    shutil.copytree(FIXTURES / name / side, dest)
    return dest


@pytest.fixture
def isolated(tmp_path: Path) -> Iterator[Path]:
    """A directory with no startlint configuration above it."""
    assert config.find_config(tmp_path) is None, "a configuration file above the temporary directory"
    yield tmp_path


# ---------------------------------------------------------------- the pairs


def test_every_case_has_both_trees() -> None:
    assert len(CASES) >= 50
    for name in CASES:
        assert (FIXTURES / name / "after").is_dir(), name
        before, after = tree(FIXTURES / name / "before"), tree(FIXTURES / name / "after")
        assert set(before) == set(after), f"{name}: before/ and after/ hold different files"
        if "startlint.toml" in before:
            assert before["startlint.toml"] == after["startlint.toml"], name


@pytest.mark.parametrize("name", CASES)
def test_fix_case(name: str, isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    work = copy_case(name, isolated / "work")
    pristine = copy_case(name, isolated / "pristine")
    expected = tree(FIXTURES / name / "after")
    original = tree(pristine)
    settings = checker_for(pristine).settings
    unsafe, target = settings.unsafe_fixes, settings.target_version

    before = planned(pristine)
    code, _, err = fix(work, capsys)
    assert code == 0, err
    assert "internal error" not in err, err
    result = tree(work)

    # 1. Exactly the expected files, byte for byte.
    assert set(result) == set(expected)
    for rel in sorted(expected):
        if result[rel] != expected[rel]:
            want, got = decode(expected[rel]), decode(result[rel])
            if got != want:
                diff = difflib.unified_diff(
                    want.splitlines(keepends=True), got.splitlines(keepends=True), "expected", "actual"
                )
                pytest.fail(f"{name}/{rel}: the result differs from after/:\n" + "".join(diff), pytrace=False)
            assert result[rel] == expected[rel], f"{name}/{rel}: bytes differ from after/ (encoding, BOM or newlines)"

    # 2. Every changed Python file still parses.
    for rel, data in result.items():
        if rel.endswith(".py") and data != original[rel]:
            assert parses(decode(data), target), f"{name}/{rel}: the fixed file does not parse"

    # 3. A second pass changes nothing.
    fix(work, capsys)
    assert tree(work) == result, f"{name}: a second --fix changed the result again"

    # 4. What had an applicable fix is gone; nothing fixable is left behind.
    after = planned(work)
    left = [f"{f.path}:{f.span.start_line} {f.code} ({f.fix.message})" for f in after if applicable(f, unsafe) and f.fix]
    assert not left, f"{name}: findings still offer a fix --fix did not apply: {left}"
    fixed = Counter((f.path, f.code) for f in before if applicable(f, unsafe))
    counts_before = Counter((f.path, f.code) for f in before)
    # A Streamlit script still calls its cached function on the first run: the hazard is
    # then reported inside it, through that call (no fix), and no longer at its old place.
    counts_after = Counter((f.path, f.code) for f in after if not f.related)
    for key, n in fixed.items():
        assert counts_after[key] <= counts_before[key] - n, f"{name}: {key} still reported after its fix"

    if result == original:  # abort, or an unsafe fix --fix alone must not apply
        assert [(f.path, f.code, f.span, f.message) for f in after] == [
            (f.path, f.code, f.span, f.message) for f in before
        ]
        assert before, f"{name}: an unchanged case must still report its finding"
        if name in ABORT_REASONS:
            assert any(ABORT_REASONS[name] in f.message for f in before), [f.message for f in before]
        if name in UNSAFE_LEFT:
            offered = [f for f in before if f.code == UNSAFE_LEFT[name]]
            assert offered and all(
                f.fix is not None and f.fix.applicability is Applicability.UNSAFE for f in offered
            ), f"{name}: expected an unsafe fix on {UNSAFE_LEFT[name]}, got {[f.fix for f in offered]}"
    else:
        assert any(applicable(f, unsafe) for f in before), f"{name}: the file changed, but no finding offered a fix"


# ---------------------------------------------------------------- writing files


def test_mode_bits_are_kept(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    work = copy_case("sl101_single_function", isolated / "work")
    path = work / "mod.py"
    path.chmod(0o754)
    fix(work, capsys)
    assert path.read_bytes() == (FIXTURES / "sl101_single_function" / "after" / "mod.py").read_bytes()
    assert stat.S_IMODE(path.stat().st_mode) == 0o754
    assert list(tree(work)) == ["mod.py"], "a temporary file was left behind"


def test_files_with_nothing_to_fix_are_not_rewritten(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    work = isolated / "work"
    work.mkdir()
    (work / "clean.py").write_text("import os\n\n\ndef cwd():\n    return os.getcwd()\n")
    (work / "abort.py").write_bytes((FIXTURES / "sl101_abort_decorator" / "before" / "mod.py").read_bytes())
    (work / "fixed.py").write_bytes((FIXTURES / "sl101_single_function" / "before" / "mod.py").read_bytes())
    old = 1_000_000_000_000_000_000  # 2001: any write moves the mtime
    for p in work.iterdir():
        os.utime(p, ns=(old, old))
    inodes = {p.name: p.stat().st_ino for p in work.iterdir()}  # before any cache directory exists

    fix(work, capsys)

    for name in ("clean.py", "abort.py"):
        st = (work / name).stat()
        assert st.st_mtime_ns == old, f"{name} was rewritten"
        assert st.st_ino == inodes[name], f"{name} was replaced"
    assert (work / "fixed.py").stat().st_mtime_ns != old


def test_a_file_changed_on_disk_is_not_overwritten_nor_are_the_others(tmp_path: Path) -> None:
    path, other = tmp_path / "mod.py", tmp_path / "other.py"
    original = b"import torch\n\n\ndef f():\n    return torch.zeros(1)\n"
    path.write_bytes(original)
    other.write_bytes(original)
    fixed = "def f():\n    import torch\n\n    return torch.zeros(1)\n"
    edited = b"import torch\n\n\ndef f():\n    return torch.ones(1)  # edited meanwhile\n"
    path.write_bytes(edited)

    with pytest.raises(ChangedOnDisk):
        write_all({path: (original, fixed), other: (original, fixed)})

    assert path.read_bytes() == edited and other.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mod.py", "other.py"]


def test_write_all_keeps_the_encoding_and_counts_what_it_wrote(tmp_path: Path) -> None:
    path = tmp_path / "mod.py"
    original = "# -*- coding: latin-1 -*-\nX = 'é'\n".encode("latin-1")
    path.write_bytes(original)
    assert write_all({path: (original, decode(original))}) == 0
    assert write_all({path: (original, "# -*- coding: latin-1 -*-\nX = 'è'\n")}) == 1
    assert path.read_bytes() == "# -*- coding: latin-1 -*-\nX = 'è'\n".encode("latin-1")


def test_a_fix_across_files_is_written_whole_or_not_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The second swap fails (an immutable or unwritable file): the first is put back.
    first, second = tmp_path / "a.py", tmp_path / "b.py"
    first.write_bytes(b"A = 1\n")
    second.write_bytes(b"B = 1\n")
    real_replace = os.replace

    def replace(src: str, dst: str | Path) -> None:
        if Path(dst) == second:
            raise PermissionError(1, "Operation not permitted", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(WriteFailed, match="no file was written"):
        write_all({first: (b"A = 1\n", "A = 2\n"), second: (b"B = 1\n", "B = 2\n")})
    monkeypatch.setattr(os, "replace", real_replace)
    assert first.read_bytes() == b"A = 1\n" and second.read_bytes() == b"B = 1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.py", "b.py"]


# ---------------------------------------------------------------- --diff


def test_diff_prints_a_unified_diff_and_writes_nothing(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    work = copy_case("sl103_accessor", isolated / "work")
    before = tree(work)
    code, out, _ = run_cli(["check", "--diff", "."], work, capsys)
    assert code == 1
    assert tree(work) == before
    assert out.startswith("--- a/mod.py\n+++ b/mod.py\n@@ ")
    assert "-storage_client = storage.Client()\n" in out
    assert "+def get_storage_client():\n" in out
    assert "+    bucket = get_storage_client().bucket(\"results\")\n" in out


def test_diff_of_every_file_it_would_change(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    work = copy_case("cross_module_safe_only", isolated / "work")  # no unsafe-fixes in its config
    before = tree(work)
    code, out, _ = run_cli(["check", "--diff", "."], work, capsys)
    assert (code, out) == (0, ""), "the cross-module fix is unsafe: no diff without --unsafe-fixes"
    assert tree(work) == before
    code, out, _ = run_cli(["check", "--diff", "--unsafe-fixes", "."], work, capsys)
    assert code == 1
    assert "+++ b/app/clients.py" in out and "+++ b/app/routes.py" in out
    assert tree(work) == before


def test_diff_with_nothing_to_fix_exits_zero(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    work = copy_case("sl101_abort_decorator", isolated / "work")
    code, out, _ = run_cli(["check", "--diff", "."], work, capsys)
    assert (code, out) == (0, "")


# ---------------------------------------------------------------- editor mode


# One safe fix (pandas moves into frame()) and one finding without a fix (the client is
# used at import time).
EDITOR_SOURCE = """import boto3
import pandas as pd

s3 = boto3.client("s3")
REGION = s3.meta.region_name


def frame(rows):
    return pd.DataFrame(rows)
"""
EDITOR_FIXED = """import boto3

s3 = boto3.client("s3")
REGION = s3.meta.region_name


def frame(rows):
    import pandas as pd

    return pd.DataFrame(rows)
"""


def stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))


def test_stdin_fix_prints_the_fixed_source(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin(monkeypatch, EDITOR_SOURCE)
    (isolated / "app").mkdir()
    code, out, err = run_cli(["check", "-", "--stdin-filename", "app/x.py", "--fix", "--exit-zero"], isolated, capsys)
    assert code == 0
    assert out == EDITOR_FIXED
    assert "app/x.py:3:" in err and "SL103" in err  # the finding without a fix (on the fixed text), on stderr
    assert "SL101" not in err
    assert list(isolated.rglob("*.py")) == []  # nothing written


def test_stdin_fix_with_json_reports_on_stderr(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin(monkeypatch, EDITOR_SOURCE)
    code, out, err = run_cli(
        ["check", "-", "--stdin-filename", "app/x.py", "--fix", "--format", "json", "--exit-zero"], isolated, capsys
    )
    assert code == 0
    assert out == EDITOR_FIXED
    report = json.loads(err)
    assert [(f["path"], f["code"]) for f in report["findings"]] == [("app/x.py", "SL103")]


def test_stdin_without_fix_reports_on_stdout(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin(monkeypatch, (FIXTURES / "sl103_accessor" / "before" / "mod.py").read_text())
    code, out, err = run_cli(["check", "-", "--stdin-filename", "x.py", "--exit-zero"], isolated, capsys)
    assert "x.py:7:" in out and "SL103" in out and "[*]" in out
    assert err == ""


# ---------------------------------------------------------------- JSON and SARIF fixes

SINGLE_FIX = [
    "sl101_single_function",
    "sl101_alias",
    "sl101_annotations_future",
    "sl101_try_guard",
    "sl103_accessor",
    "sl103_accessor_annotation",
    "sl102_accessor",
    "encoding_cookie",
    "utf8_bom",
    "cross_module_unsafe",
]


def _expected_texts(name: str) -> dict[str, str]:
    return {rel: decode(data) for rel, data in tree(FIXTURES / name / "after").items() if rel.endswith(".py")}


def _before_texts(root: Path) -> dict[str, str]:
    return {rel: decode(data) for rel, data in tree(root).items() if rel.endswith(".py")}


@pytest.mark.parametrize("name", SINGLE_FIX)
def test_json_edits_give_the_fixed_text(name: str, isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    work = copy_case(name, isolated / "work")
    texts = _before_texts(work)
    _, out, _ = run_cli(["check", "--format", "json", "--exit-zero", "."], work, capsys)
    report = json.loads(out)
    with_fix = [f for f in report["findings"] if f["fix"] is not None]
    assert len(with_fix) == 1, with_fix
    finding = with_fix[0]
    assert finding["fix"]["edits"], "the JSON fix carries no edits"
    by_path: dict[str, list[Edit]] = {}
    for e in finding["fix"]["edits"]:
        span = Span(e["line"], e["column"], e["end_line"], e["end_column"])
        by_path.setdefault(e["path"] or finding["path"], []).append(Edit(span, e["content"]))
    applied = dict(texts)
    for rel, edits in by_path.items():
        applied[rel] = apply_edits(texts[rel], edits)
    assert applied == _expected_texts(name)
    assert report["summary"]["fixable"] + report["summary"]["unsafe_fixable"] == 1


def _offset(text: str, line: int, column: int) -> int:
    """A SARIF (line, column) in Unicode code points to a string offset."""
    lines = text.splitlines(keepends=True)
    return sum(len(x) for x in lines[: line - 1]) + column - 1


@pytest.mark.parametrize("name", SINGLE_FIX)
def test_sarif_replacements_apply_cleanly(name: str, isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    work = copy_case(name, isolated / "work")
    texts = _before_texts(work)
    _, out, _ = run_cli(["check", "--format", "sarif", "--exit-zero", "."], work, capsys)
    run = json.loads(out)["runs"][0]
    assert run.get("columnKind") == "unicodeCodePoints"
    results = [r for r in run["results"] if r.get("fixes")]
    assert len(results) == 1
    applied = dict(texts)
    for change in results[0]["fixes"][0]["artifactChanges"]:
        rel = change["artifactLocation"]["uri"]
        text = texts[rel]
        pieces = []
        for rep in change["replacements"]:
            region = rep["deletedRegion"]
            start = _offset(text, region["startLine"], region["startColumn"])
            end = _offset(text, region["endLine"], region["endColumn"])
            pieces.append((start, end, rep.get("insertedContent", {}).get("text", "")))
        for start, end, content in sorted(pieces, reverse=True):
            text = text[:start] + content + text[end:]
        applied[rel] = text
    assert applied == _expected_texts(name)


# ---------------------------------------------------------------- text output


def test_text_output_marks_fixable_findings(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    work = isolated / "work"
    shutil.copytree(FIXTURES / "sl101_single_function" / "before", work / "safe")
    shutil.copytree(FIXTURES / "sl104_accessor_safe_only" / "before", work / "unsafe")
    shutil.copytree(FIXTURES / "sl101_abort_decorator" / "before", work / "none")
    code, out, _ = run_cli(["check", "--no-color", "."], work, capsys)
    assert code == 1
    lines = {line.split(":", 1)[0] + " " + line.split()[1]: line for line in out.splitlines() if ": SL" in line}
    assert lines["safe/mod.py SL101"].endswith(" [*]")
    assert lines["unsafe/mod.py SL104"].endswith(" [unsafe fix]")
    assert lines["unsafe/mod.py SL101"].endswith("so the import cannot move until that use does")
    assert not lines["none/mod.py SL101"].endswith("]")
    assert "1 fixable with --fix; 1 more with --unsafe-fixes." in out


def test_fix_reports_what_it_applied(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    work = copy_case("sl103_accessor_two_functools_once", isolated / "work")
    code, out, err = fix(work, capsys)
    assert "applied 2 fixes in 1 file" in err
    assert "All checked: no findings" in out
