"""Dockerfile parsing with BuildKit's own parser (the `dockerfile` package), plus positions.

The `dockerfile` package gives each instruction's keyword, flags, arguments, JSON or
shell form, heredocs and first/last line. Rules also need columns (and fixes need exact
character spans), so each instruction's logical line is rebuilt here from the physical
lines the way BuildKit joins them (leading whitespace of the first line dropped, the
escape character and line break removed at each continuation, comment and blank lines
inside a continuation skipped), with every character's offset in the file, and checked
against the parser's own text: when the two disagree, the instruction has no positions
(findings point at its first line, column 1, and it gets no fix).

This is the only module that imports `dockerfile`, and only when a Dockerfile is parsed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from startlint.docker.text import LineIndex

INSTRUCTIONS = frozenset(
    {
        "FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT",
        "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
    }
)
_DIRECTIVE = re.compile(r"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")
_COMMENT = re.compile(r"^\s*#")


@dataclass(frozen=True)
class Logical:
    """An instruction's logical line and, for each of its characters, the offset in the file."""

    text: str
    offsets: tuple[int, ...]  # len(text) + 1 entries: the last is just past the final character

    def file_offset(self, i: int) -> int:
        return self.offsets[min(max(i, 0), len(self.offsets) - 1)]

    def file_end(self, i: int) -> int:
        """The file offset just past logical character i - 1 (the end of a span ending at i)."""
        if i <= 0:
            return self.offsets[0]
        return self.offsets[min(i, len(self.offsets) - 1) - 1] + 1


@dataclass(frozen=True)
class Flag:
    name: str  # without the leading dashes, lower case
    value: str | None
    text: str  # as written (--from=build)


@dataclass(frozen=True)
class Heredoc:
    name: str
    content: str
    start: int | None  # file offset of the content's first character, when it is verbatim there


@dataclass(frozen=True)
class Instruction:
    index: int
    keyword: str  # upper case
    start_line: int
    end_line: int
    flags: tuple[Flag, ...]
    json: bool
    values: tuple[str, ...]  # the parser's arguments (JSON items, or key/value pairs, or words)
    heredocs: tuple[Heredoc, ...]
    logical: Logical | None  # None when positions could not be rebuilt
    args_start: int  # index in logical.text where the arguments start (after keyword and flags)
    logical_end_line: int  # last line of the logical line (heredoc bodies follow it)
    has_comment_lines: bool  # comment lines inside its continuation
    original: str
    sub: Instruction | None = None  # ONBUILD's instruction

    def flag(self, name: str) -> str | None:
        for f in self.flags:
            if f.name == name:
                return f.value if f.value is not None else ""
        return None

    @property
    def args_text(self) -> str:
        """The arguments as one line (the shell command of RUN/CMD), without flags."""
        if self.logical is not None:
            return self.logical.text[self.args_start :]
        first = self.original.split("\n", 1)[0]
        return _split_keyword_and_flags(first)[1]


@dataclass(frozen=True)
class ParseError:
    line: int
    col: int
    message: str


@dataclass(frozen=True)
class ParsedDockerfile:
    text: str
    index: LineIndex
    escape: str
    instructions: tuple[Instruction, ...]


def parse(text: str) -> ParsedDockerfile | ParseError:
    import dockerfile  # type: ignore[import-not-found]  # BuildKit's parser: loaded only when needed

    try:
        commands = dockerfile.parse_string(text)
    except dockerfile.GoParseError as exc:
        return ParseError(_error_line(text, str(exc), dockerfile.parse_string, dockerfile.GoParseError), 1, str(exc))
    index = LineIndex(text)
    escape = _escape_of(text)
    instructions = []
    for i, cmd in enumerate(commands):
        instructions.append(_instruction(i, cmd, index, escape))
    return ParsedDockerfile(text, index, escape, tuple(instructions))


def _error_line(text: str, message: str, parse_string: Callable[[str], object], error: type[Exception]) -> int:
    """The line a parse error starts at: the first line from which every prefix fails alike
    (BuildKit's error carries no position)."""
    lines = text.splitlines(keepends=True)
    for m in range(len(lines) - 1, -1, -1):
        try:
            parse_string("".join(lines[:m]))
        except error as exc:
            if str(exc) == message:
                continue
            return m + 1
        return m + 1
    return 1


def _escape_of(text: str) -> str:
    """The escape character from the `# escape=` parser directive (BuildKit's rules)."""
    escape = "\\"
    for number, line in enumerate(text.split("\n")):
        if number == 0:
            line = line.lstrip("\ufeff")
        line = line.rstrip("\r").strip()
        match = _DIRECTIVE.match(line)
        if match is None:
            break
        if match.group(1).lower() == "escape" and match.group(2) in ("`", "\\"):
            escape = match.group(2)
    return escape


def _instruction(i: int, cmd: Any, index: LineIndex, escape: str) -> Instruction:
    """`cmd`: a `dockerfile.Command` (the package ships no type information)."""
    keyword = str(cmd.cmd).upper()
    original = str(cmd.original)
    start_line = int(cmd.start_line)
    end_line = int(cmd.end_line)
    raw_flags = tuple(str(f) for f in cmd.flags)
    values = tuple(str(v) for v in cmd.value)
    is_json = bool(cmd.json)
    raw_heredocs = tuple(cmd.heredocs or ())
    flags = tuple(_flag(f) for f in raw_flags)
    logical, logical_end, comments = _rebuild(index, start_line, escape)
    first_line = original.split("\n", 1)[0] if raw_heredocs else original
    if logical is not None and logical.text != first_line:
        logical = None
    args_start = 0
    if logical is not None:
        args_start = len(logical.text) - len(_split_keyword_and_flags(logical.text)[1])
    heredocs = []
    line = logical_end
    for doc in raw_heredocs:
        name, content = str(doc.name), str(doc.content)
        start = index.offset(line + 1) if line < index.line_count else None
        if start is not None and index.text[start : start + len(content)] != content:
            start = None
        heredocs.append(Heredoc(name, content, start))
        line += content.count("\n") + 1
    sub = None
    sub_cmd = cmd.sub_cmd
    if keyword == "ONBUILD" and sub_cmd:
        sub = Instruction(
            i, str(sub_cmd).upper(), start_line, end_line, flags, is_json, values, (), None, 0, logical_end,
            comments, original,
        )
    return Instruction(
        index=i,
        keyword=keyword,
        start_line=start_line,
        end_line=end_line,
        flags=flags if sub is None else (),
        json=is_json,
        values=values,
        heredocs=tuple(heredocs),
        logical=logical,
        args_start=args_start,
        logical_end_line=logical_end,
        has_comment_lines=comments,
        original=original,
        sub=sub,
    )


def _flag(text: str) -> Flag:
    body = text.removeprefix("--")
    name, eq, value = body.partition("=")
    return Flag(name.lower(), value if eq else None, text)


def _rebuild(index: LineIndex, start_line: int, escape: str) -> tuple[Logical | None, int, bool]:
    """The logical line starting at `start_line`, joined as BuildKit joins it."""
    continuation = re.compile(r"^(.*)" + re.escape(escape) + r"[ \t]*$", re.DOTALL)
    chars: list[str] = []
    offsets: list[int] = []
    line = start_line
    if line > index.line_count:
        return None, start_line, False
    raw = index.line_text(line)
    base = index.offset(line)
    if line == 1 and raw.startswith("\ufeff"):
        raw, base = raw[1:], base + 1
    stripped = raw.lstrip()
    base += len(raw) - len(stripped)
    match = continuation.match(stripped)
    body = match.group(1) if match else stripped
    chars.append(body)
    offsets.extend(range(base, base + len(body)))
    end_offset = base + len(body)
    comments = False
    while match is not None and line < index.line_count:
        line += 1
        raw = index.line_text(line)
        if _COMMENT.match(raw):
            comments = True
            continue
        if raw.strip() == "":
            continue
        base = index.offset(line)
        match = continuation.match(raw)
        body = match.group(1) if match else raw
        chars.append(body)
        offsets.extend(range(base, base + len(body)))
        end_offset = base + len(body)
    text = "".join(chars)
    offsets.append(end_offset)
    return Logical(text, tuple(offsets)), line, comments


def _split_keyword_and_flags(line: str) -> tuple[str, str]:
    """(keyword and flags, arguments) of a logical line, as BuildKit splits them."""
    match = re.match(r"\s*\S+\s*", line)
    if match is None:
        return line, ""
    pos = match.end()
    while line.startswith("--", pos):
        end = _word_end(line, pos)
        rest = re.match(r"\s*", line[end:])
        pos = end + (rest.end() if rest else 0)
    return line[:pos], line[pos:]


def _word_end(line: str, pos: int) -> int:
    quote = ""
    while pos < len(line):
        ch = line[pos]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch.isspace():
            break
        pos += 1
    return pos
