"""Fix edits as data: build them from character offsets, check that they do not overlap,
and apply them to a text (pure functions; everything outside the edits stays byte for byte).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from startlint.docker.text import LineIndex
from startlint.findings import Applicability, Edit, Fix, Span


def edit(index: LineIndex, start: int, end: int, content: str, path: str | None = None) -> Edit:
    return Edit(index.span(start, end), content, path)


def insert(index: LineIndex, at: int, content: str, path: str | None = None) -> Edit:
    return Edit(index.span(at, at), content, path)


def fix(applicability: Applicability, message: str, edits: Iterable[Edit]) -> Fix:
    ordered = tuple(sorted(edits, key=lambda e: (e.path or "", e.span)))
    return Fix(applicability, message, ordered)


def _offsets(text: str, span: Span) -> tuple[int, int]:
    index = LineIndex(text)
    return _offset(index, span.start_line, span.start_col), _offset(index, span.end_line, span.end_col)


def _offset(index: LineIndex, line: int, col: int) -> int:
    if line > index.line_count:
        raise ValueError(f"line {line} is past the end of the text ({index.line_count} lines)")
    start = index.starts[line - 1]
    end = index.starts[line] if line < index.line_count else len(index.text)
    offset = start + col - 1
    if not start <= offset <= end:
        raise ValueError(f"column {col} is outside line {line}")
    return offset


def overlapping(edits: Sequence[Edit]) -> list[tuple[Edit, Edit]]:
    """Pairs of edits (to the same file) that overlap: share characters, insert at the same
    point, or insert strictly inside a replaced span."""
    out = []
    by_path: dict[str | None, list[Edit]] = {}
    for e in edits:
        by_path.setdefault(e.path, []).append(e)
    for group in by_path.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if _overlap(a.span, b.span):
                    out.append((a, b))
    return out


def _key(span: Span, end: bool) -> tuple[int, int]:
    return (span.end_line, span.end_col) if end else (span.start_line, span.start_col)


def _overlap(a: Span, b: Span) -> bool:
    a0, a1, b0, b1 = _key(a, False), _key(a, True), _key(b, False), _key(b, True)
    if a0 == a1 and b0 == b1:
        return a0 == b0
    if a0 == a1:
        return b0 < a0 < b1
    if b0 == b1:
        return a0 < b0 < a1
    return a0 < b1 and b0 < a1


def apply(text: str, edits: Sequence[Edit]) -> str:
    """`text` with `edits` applied (edits all to this text; they must not overlap)."""
    pairs = overlapping(edits)
    if pairs:
        raise ValueError(f"overlapping edits: {pairs[0][0].span} and {pairs[0][1].span}")
    located = sorted(((*_offsets(text, e.span), e.content) for e in edits), key=lambda t: (t[0], t[1]), reverse=True)
    for start, end, content in located:
        text = text[:start] + content + text[end:]
    return text


def apply_fixes(texts: dict[str | None, str], fixes: Iterable[Fix]) -> dict[str | None, str]:
    """Apply every edit of `fixes`, grouped by file (`None`: the finding's own file)."""
    grouped: dict[str | None, list[Edit]] = {}
    for f in fixes:
        for e in f.edits:
            grouped.setdefault(e.path, []).append(e)
    out = dict(texts)
    for path, group in grouped.items():
        out[path] = apply(out[path], group)
    return out
