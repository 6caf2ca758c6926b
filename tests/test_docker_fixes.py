"""Dockerfile and entry-script fixes: before/after pairs, and the invariants every fix keeps.

Each case under tests/fixtures/docker/fixes/<case>/ is a small project; its `fixed/`
folder holds exactly the files the fixes change, as they must read afterwards (bytes:
line endings included). For every case: no two edits of one file overlap, the fixed
Dockerfiles still parse, a second pass changes nothing, and every finding that had a fix
is gone after it (idempotence).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import REPO
from startlint import catalog
from startlint.config import Settings
from startlint.discovery import DOCKERFILE, discover
from startlint.docker import edits
from startlint.docker.fixing import fix_dockerfile
from startlint.docker.parser import ParseError, parse
from startlint.engine import Checker, relative
from startlint.findings import Edit, Finding
from startlint.fixes.runner import Workspace
from startlint.ruledocs import all_docs

CASES = sorted(p for p in (REPO / "tests" / "fixtures" / "docker" / "fixes").iterdir() if p.is_dir())


def _project(case: Path, tmp_path: Path) -> Path:
    work = tmp_path / "case"
    shutil.copytree(case, work, ignore=shutil.ignore_patterns("fixed"))
    return work


def _checker(root: Path) -> Checker:
    return Checker(Settings(root=root), catalog.load_shipped(), all_docs())


def _findings(root: Path) -> list[Finding]:
    checker = _checker(root)
    return list(checker.check_files(discover([root], checker.settings)))


def _fix_all(root: Path) -> tuple[int, dict[str, bytes]]:
    checker = _checker(root)
    workspace = Workspace()
    applied = 0
    for source in discover([root], checker.settings):
        if source.kind == DOCKERFILE:
            applied += fix_dockerfile(checker, source.path, relative(source.path, root), workspace, unsafe=True)
    changed = {relative(p, root): t.encode("utf-8") for p, t in workspace.changed().items()}
    for rel, data in changed.items():
        (root / rel).write_bytes(data)
    return applied, changed


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_fixed_output_is_exact(case: Path, tmp_path: Path) -> None:
    work = _project(case, tmp_path)
    applied, changed = _fix_all(work)
    want = {p.relative_to(case / "fixed").as_posix(): p.read_bytes() for p in (case / "fixed").rglob("*") if p.is_file()}
    assert applied > 0
    assert changed == want


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_edits_never_overlap(case: Path, tmp_path: Path) -> None:
    work = _project(case, tmp_path)
    by_file: dict[str, list[Edit]] = {}
    for finding in _findings(work):
        if finding.fix is None:
            continue
        for e in finding.fix.edits:
            by_file.setdefault(e.path or finding.path, []).append(e)
    assert by_file
    for path, group in by_file.items():
        assert edits.overlapping(group) == [], path


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_fixing_twice_is_fixing_once(case: Path, tmp_path: Path) -> None:
    work = _project(case, tmp_path)
    before = [f for f in _findings(work) if f.fix is not None]
    _fix_all(work)
    for path in work.rglob("*"):
        if path.is_file() and path.name.startswith("Dockerfile") and not path.name.endswith(".dockerignore"):
            assert not isinstance(parse(path.read_text(encoding="utf-8")), ParseError)
    after = _findings(work)
    fixed_codes = {f.code for f in before}
    assert [f for f in after if f.fix is not None] == []
    for code in fixed_codes:
        assert sum(1 for f in after if f.code == code) < sum(1 for f in before if f.code == code), code
    applied, changed = _fix_all(work)
    assert (applied, changed) == (0, {})


def test_apply_is_pure_and_rejects_overlaps() -> None:
    from startlint.findings import Span

    text = "RUN pip install x\n"
    insert = Edit(Span(1, 16, 1, 16), " --no-cache-dir")
    assert edits.apply(text, [insert]) == "RUN pip install --no-cache-dir x\n"
    assert text == "RUN pip install x\n"
    with pytest.raises(ValueError):
        edits.apply(text, [insert, Edit(Span(1, 16, 1, 16), " -q")])
    with pytest.raises(ValueError):
        edits.apply(text, [Edit(Span(1, 5, 1, 16), "uv pip install"), Edit(Span(1, 10, 1, 10), "!")])
    # touching spans do not overlap
    assert edits.apply(text, [Edit(Span(1, 1, 1, 4), "run"), Edit(Span(1, 4, 1, 4), "!")]) == "run! pip install x\n"


@pytest.mark.parametrize(
    "dockerfile, code, applicability",
    [
        ("FROM python:3.12-slim\nCMD gunicorn app:app\n", "SL207", "safe"),
        ("FROM python:3.12-slim\nCMD gunicorn --bind :$PORT app:app\n", "SL207", None),  # a variable
        ("FROM python:3.12-slim\nCMD python -m app > /tmp/log\n", "SL207", None),  # a redirection
        ('FROM python:3.12-slim\nENTRYPOINT ["tini", "--"]\nCMD gunicorn app:app\n', "SL207", None),  # args of tini
        ('FROM python:3.12-slim\nSHELL ["powershell", "-Command"]\nCMD Start-Process app\n', "SL207", None),
        ('FROM python:3.12-slim\nCMD ["sh", "-c", "gunicorn app:app"]\n', "SL207", "safe"),
        ("FROM python:3.12\nCMD [\"python\", \"-m\", \"app\"]\n", "SL202", "unsafe"),
        ("ARG PY=3.12\nFROM python:${PY}\nCMD [\"python\", \"-m\", \"app\"]\n", "SL202", None),  # an ARG: no rewrite
        ("FROM python:3.12-slim\nRUN pip install torch==2.3.1\nCMD [\"python\", \"-m\", \"app\"]\n", "SL205", "unsafe"),
        ("FROM python:3.12-slim\nRUN pip install --no-cache-dir x==1 &\nCMD [\"python\", \"-m\", \"app\"]\n", None, None),
    ],
)
def test_fix_applicability(tmp_path: Path, dockerfile: str, code: str | None, applicability: str | None) -> None:
    (tmp_path / "Dockerfile").write_text(dockerfile, encoding="utf-8")
    found = [f for f in _findings(tmp_path) if f.code.startswith(("SL2", "SL3"))]
    if code is None:
        assert found == []
        return
    (finding,) = [f for f in found if f.code == code]
    got = finding.fix.applicability.value if finding.fix is not None else None
    assert got == applicability


@pytest.mark.parametrize("base", ["python", "python:latest"])
def test_an_unversioned_base_is_told_of_a_versioned_slim_tag_and_not_rewritten(base: str, tmp_path: Path) -> None:
    # `python:slim` would float like the original (SL201): advise a version, write nothing.
    (tmp_path / "Dockerfile").write_text(f'FROM {base}\nCMD ["python", "-c", "pass"]\n', encoding="utf-8")
    [fat] = [f for f in _findings(tmp_path) if f.code == "SL202"]
    assert "'python:<version>-slim' is the lighter variant" in fat.message
    assert fat.fix is None
    assert _fix_all(tmp_path)[1] == {}
