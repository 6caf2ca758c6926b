"""Regenerate the rules table in README.md from rules/docs/ (a test fails when it is stale)."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path

from startlint.ruledocs import all_docs
from startlint.rules import implemented_codes

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- rules-table:start -->", "<!-- rules-table:end -->"


def table() -> str:
    docs = all_docs()
    rows = ["| code | name | default severity | fix | what it finds |", "|---|---|---|---|---|"]
    for code in implemented_codes():
        d = docs[code]
        rows.append(f"| {d.code} | {d.name} | {d.severity.value} | {d.fix} | {d.summary} |")
    return "\n".join(rows)


def render(readme: str) -> str:
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.DOTALL)
    return pattern.sub(f"{START}\n{table()}\n{END}", readme)


def main(argv: Sequence[str] | None = None) -> int:
    text = README.read_text(encoding="utf-8")
    README.write_text(render(text), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
