"""Every fixture under tests/fixtures/python/ declares its findings inline.

A line ending in `# expect: SL101` (several codes: `# expect: SL101, SL104`) must
produce exactly those findings on that line; every other line must produce none.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers import REPO, check_source

FIXTURES = sorted((REPO / "tests" / "fixtures" / "python").rglob("*.py"))
_EXPECT = re.compile(r"#\s*expect:\s*(?P<codes>SL\d{3}(?:\s*,\s*SL\d{3})*)")


def expected(text: str) -> set[tuple[int, str]]:
    out = set()
    for number, line in enumerate(text.splitlines(), start=1):
        match = _EXPECT.search(line)
        if match:
            out |= {(number, c.strip()) for c in match.group("codes").split(",")}
    return out


def test_there_are_fixtures_for_every_python_rule() -> None:
    codes = {p.parent.name for p in FIXTURES}
    assert {"SL101", "SL102", "SL103", "SL104", "SL105"} <= codes


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    found = {(f.span.start_line, f.code) for f in check_source(text, path=f"pkg/{path.name}")}
    assert found == expected(text)
