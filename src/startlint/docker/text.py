"""Positions in a file's text: character offsets to 1-based lines and columns and back.

Dockerfiles and scripts are split on `\\n` only (a `\\r` before it stays at the end of
its line, after every column a finding or an edit can point at), as BuildKit's and
the shell's line scanners do.
"""

from __future__ import annotations

from bisect import bisect_right

from startlint.findings import Span


class LineIndex:
    """Offsets of the starts of a text's lines."""

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        pos = text.find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = text.find("\n", pos + 1)
        self.starts = starts

    @property
    def line_count(self) -> int:
        return len(self.starts)

    def line_of(self, offset: int) -> int:
        return bisect_right(self.starts, offset)

    def position(self, offset: int) -> tuple[int, int]:
        line = self.line_of(offset)
        return line, offset - self.starts[line - 1] + 1

    def offset(self, line: int, col: int = 1) -> int:
        if line > len(self.starts):
            return len(self.text)
        return self.starts[line - 1] + col - 1

    def line_text(self, line: int) -> str:
        """Line `line` (1-based) without its line break (and without a trailing `\\r`)."""
        start = self.starts[line - 1]
        end = self.starts[line] - 1 if line < len(self.starts) else len(self.text)
        out = self.text[start:end]
        return out.removesuffix("\r")

    def line_end(self, line: int) -> int:
        """Offset just past the last character of `line` (before `\\r\\n` / `\\n`)."""
        return self.starts[line - 1] + len(self.line_text(line))

    def next_line_start(self, line: int) -> int:
        """Offset of the start of the line after `line` (the end of the text for the last)."""
        return self.starts[line] if line < len(self.starts) else len(self.text)

    def span(self, start: int, end: int) -> Span:
        a, b = self.position(start), self.position(end)
        return Span(a[0], a[1], b[0], b[1])

    def newline(self) -> str:
        """The file's line break: `\\r\\n` when its first line ends with one."""
        first = self.text.find("\n")
        return "\r\n" if first > 0 and self.text[first - 1] == "\r" else "\n"
