"""Rule docs: strict metadata, one implementation a code, executed examples (STYLE.md 3-4)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers import check_source
from startlint.cli import main
from startlint.ruledocs import all_docs
from startlint.rules import implemented_codes

DOCS = all_docs()


def test_every_implemented_code_has_docs_and_every_doc_an_implementation() -> None:
    assert sorted(DOCS) == sorted(implemented_codes())


@pytest.mark.parametrize("code", sorted(DOCS))
def test_bad_example_fires_exactly_as_documented(code: str) -> None:
    for example in DOCS[code].examples:
        found = [
            (f.span.start_line, f.span.start_col, f.message)
            for f in check_source(example.bad, path=example.path)
            if f.code == code
        ]
        assert found == [(e.line, e.col, e.message) for e in example.expect]
        assert example.expect, f"{code}: a bad example must declare its findings"


@pytest.mark.parametrize("code", sorted(DOCS))
def test_good_example_is_clean(code: str) -> None:
    for example in DOCS[code].examples:
        assert [f for f in check_source(example.good, path=example.path)] == []


@pytest.mark.parametrize("code", sorted(DOCS))
def test_explain_has_the_fixed_sections(code: str) -> None:
    text = DOCS[code].explain()
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety"):
        assert heading in text


@pytest.mark.parametrize("code", sorted(c for c, d in DOCS.items() if d.fix != "none"))
def test_fixed_example_is_what_the_fix_produces(code: str, tmp_path: Path) -> None:
    examples = [e for e in DOCS[code].examples if e.fixed is not None]
    assert examples, f"{code} has a fix: its docs must show the fixed output"
    for example in examples:
        path = tmp_path / example.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(example.bad, encoding="utf-8")
        old = Path.cwd()
        os.chdir(tmp_path)
        try:
            main(["check", "--fix", "--unsafe-fixes", "--exit-zero", "--quiet", example.path])
        finally:
            os.chdir(old)
        assert path.read_text(encoding="utf-8") == example.fixed
        assert [f for f in check_source(example.fixed, path=example.path) if f.code == code] == []
