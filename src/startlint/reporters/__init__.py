"""Reporters: pure functions from a run's results to the text of a report.

`render` picks one by name and imports only that one, so `--format json` never
loads what the text reporter needs (rich, for colour) and the other way round.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

    from startlint.results import ReportOptions, RunResult
    from startlint.ruledocs import RuleDoc

FORMATS = ("text", "json", "sarif", "github")


def render(fmt: str, result: RunResult, rules: Mapping[str, RuleDoc], options: ReportOptions) -> str:
    """The report in format `fmt` (one of FORMATS)."""
    if fmt == "text":
        from startlint.reporters import text

        return text.render(result, rules, options)
    if fmt == "json":
        from startlint.reporters import json_report

        return json_report.render(result, rules, options)
    if fmt == "sarif":
        from startlint.reporters import sarif

        return sarif.render(result, rules, options)
    if fmt == "github":
        from startlint.reporters import github

        return github.render(result, rules, options)
    raise ValueError(f"unknown report format {fmt!r}: expected one of {', '.join(FORMATS)}")


# The line breaks `ast` and the tokenizer know; str.splitlines() also splits on
# form feeds and Unicode separators, which would shift line numbers.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class SourceLines:
    """The checked files' lines, each file read on first use; one instance a report.

    A file that cannot be read or decoded gives no lines, never an error: a report
    is still worth having without its source excerpts.
    """

    def __init__(self, root: Path) -> None:
        self._root = root
        self._files: dict[str, list[str] | None] = {}

    def line(self, path: str, number: int) -> str | None:
        """Line `number` (1-based) of `path` (relative to the root), without its line break."""
        if path not in self._files:
            self._files[path] = _read_lines(self._root / path)
        lines = self._files[path]
        if lines is None or not 1 <= number <= len(lines):
            return None
        return lines[number - 1]


def _read_lines(path: Path) -> list[str] | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    import io
    import tokenize

    try:  # PEP 263: BOM, coding cookie, UTF-8 by default; as the checker decoded it
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        text = data.decode("utf-8", errors="replace")
    return _LINE_BREAK.split(text)
