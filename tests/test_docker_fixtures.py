"""Every case under tests/fixtures/docker/<topic>/<case>/ declares its findings inline.

A case is a small project (its own build context): Dockerfiles, entry scripts,
.dockerignore, requirements files. A comment line `# expect: SL203` (several codes:
`# expect: SL204, SL206`) marks the next line that is neither blank nor a comment: the
first line of an instruction in a Dockerfile, of a command in a script. Every file of
the case is checked through the real engine (discovery, build-context inference, script
discovery, suppression), with the case's own startlint.toml when it has one, and the
Dockerfile and script findings (SL001, SL2xx, SL3xx) must be exactly the marked ones.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers import REPO
from startlint import catalog, config
from startlint.config import Settings
from startlint.discovery import discover
from startlint.engine import Checker
from startlint.ruledocs import all_docs
from startlint.rules import implemented_codes

FIXTURES = REPO / "tests" / "fixtures" / "docker"
CASES = sorted(p for p in FIXTURES.glob("*/*") if p.is_dir() and p.parent.name != "fixes")
_EXPECT = re.compile(r"^\s*#\s*expect:\s*(?P<codes>SL\d{3}(?:\s*,\s*SL\d{3})*)\s*$")
CODES = ("SL0", "SL2", "SL3")


def expected(case: Path) -> set[tuple[str, int, str]]:
    out = set()
    for path in sorted(case.rglob("*")):
        if not path.is_file() or path.name.endswith((".py", ".txt", ".toml", ".cfg", ".lock")):
            continue
        lines = path.read_text(encoding="utf-8").split("\n")
        for number, line in enumerate(lines, start=1):
            match = _EXPECT.match(line)
            if not match:
                continue
            target = number + 1
            while target <= len(lines) and (not lines[target - 1].strip() or lines[target - 1].lstrip().startswith("#")):
                target += 1
            for code in match.group("codes").split(","):
                out.add((path.relative_to(case).as_posix(), target, code.strip()))
    return out


def settings_for(case: Path) -> Settings:
    own = case / "startlint.toml"
    if own.is_file():
        return config.load_settings(own, implemented_codes(), case)
    return Settings(root=case)


def findings(case: Path) -> set[tuple[str, int, str]]:
    settings = settings_for(case)
    checker = Checker(settings, catalog.load_shipped(), all_docs())
    return {
        (f.path, f.span.start_line, f.code)
        for f in checker.check_files(discover([case], settings))
        if f.code.startswith(CODES)
    }


def test_there_are_cases_for_every_container_rule() -> None:
    topics = {p.parent.name for p in CASES}
    wanted = {f"SL{n}" for n in range(201, 211)} | {"SL301", "SL001"}
    assert wanted <= topics
    marked = {code for case in CASES for _, _, code in expected(case)}
    assert wanted <= marked


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_case(case: Path) -> None:
    got = findings(case)
    want = expected(case)
    assert sorted(got - want) == [], "unexpected findings"
    assert sorted(want - got) == [], "missing findings"
