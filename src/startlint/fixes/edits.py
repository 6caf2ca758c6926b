"""Turn a before/after pair into edits, and apply edits to text."""

from __future__ import annotations

from collections.abc import Sequence

from startlint.findings import Edit, Span


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and character column of a character offset."""
    line = text.count("\n", 0, offset) + 1
    start = text.rfind("\n", 0, offset) + 1
    return line, offset - start + 1


def _offset(text: str, line: int, col: int) -> int:
    start = 0
    for _ in range(line - 1):
        start = text.index("\n", start) + 1
    return start + col - 1


def edit_between(old: str, new: str, path: str | None = None) -> Edit | None:
    """One replacement that turns `old` into `new` (None when they are equal)."""
    if old == new:
        return None
    prefix = 0
    limit = min(len(old), len(new))
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    start = _position(old, prefix)
    end = _position(old, len(old) - suffix)
    return Edit(Span(*start, *end), new[prefix : len(new) - suffix], path)


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """Apply non-overlapping edits (to this text) from the last to the first."""
    spans = sorted(
        ((_offset(text, e.span.start_line, e.span.start_col), _offset(text, e.span.end_line, e.span.end_col), e.content) for e in edits),
        reverse=True,
    )
    previous_start = len(text) + 1
    for start, end, content in spans:
        if end > previous_start:
            raise ValueError("overlapping edits")
        text = text[:start] + content + text[end:]
        previous_start = start
    return text
