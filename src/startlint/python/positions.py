"""Convert `ast`'s UTF-8 byte columns to the character columns findings use."""

from __future__ import annotations

import ast
import re

from startlint.python.model import Position


_LINE_END = re.compile(r"\r\n|\r|\n")


def split_lines(source: str) -> list[str]:
    """The source's lines as Python numbers them: it ends lines at \\n, \\r\\n and \\r only
    (not at \\f or U+2028, as str.splitlines does)."""
    return _LINE_END.split(source)


class PositionMap:
    def __init__(self, source: str) -> None:
        self._source = source
        self._ascii = source.isascii()
        self._lines: list[str] | None = None  # split on the first non-ASCII question

    def col(self, line: int, byte_col: int) -> int:
        """1-based character column of a 0-based byte offset on a 1-based line."""
        if self._ascii:
            return byte_col + 1
        if self._lines is None:
            self._lines = split_lines(self._source)
        if line > len(self._lines):
            return byte_col + 1
        text = self._lines[line - 1]
        if text.isascii():
            return byte_col + 1
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", errors="replace")) + 1

    def of(self, node: ast.AST) -> Position:
        line: int = getattr(node, "lineno")
        end_line: int = getattr(node, "end_lineno", None) or line
        col: int = getattr(node, "col_offset")
        end_col: int = getattr(node, "end_col_offset", None) or col
        return Position(line, self.col(line, col), end_line, self.col(end_line, end_col))
