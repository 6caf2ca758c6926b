"""`# startlint: ignore[SL101]`, `# noqa: SL101` and `# startlint: ignore-file` comments.

Suppression is applied once, after every rule ran. A comment suppresses findings
that start (or end) on its line; `#` comments on the line above a Dockerfile
instruction or shell command work the same way (see `for_line_above`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_IGNORE = re.compile(
    r"#\s*(?:startlint:\s*ignore(?!-file)|noqa)(?:\s*(?:\[|:)\s*(?P<codes>[A-Z]+[0-9]*(?:\s*,\s*[A-Z]+[0-9]*)*)\s*\]?)?",
    re.IGNORECASE,
)
_IGNORE_FILE = re.compile(r"^\s*#\s*startlint:\s*ignore-file\b", re.IGNORECASE | re.MULTILINE)
ALL = frozenset({"*"})


@dataclass(frozen=True)
class Suppressions:
    whole_file: bool
    by_line: dict[int, frozenset[str]]  # line -> codes ("*" for every code)

    def suppresses(self, code: str, start_line: int, end_line: int) -> bool:
        if self.whole_file:
            return True
        for line in {start_line, end_line}:
            codes = self.by_line.get(line)
            if codes and ("*" in codes or any(code.startswith(c) for c in codes)):
                return True
        return False


def parse(text: str, shift: int = 0) -> Suppressions:
    """Find suppression comments; `shift=1` makes a comment apply to the next line."""
    if "noqa" not in text and "startlint" not in text:
        return Suppressions(False, {})
    whole = _IGNORE_FILE.search(text) is not None
    by_line: dict[int, frozenset[str]] = {}
    for number, line in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        if "#" not in line:
            continue
        match = _IGNORE.search(line)
        if match is None:
            continue
        codes = match.group("codes")
        found = (
            frozenset(c.strip().upper() for c in codes.split(",")) if codes else ALL
        )
        by_line[number + shift] = by_line.get(number + shift, frozenset()) | found
    return Suppressions(whole, by_line)
