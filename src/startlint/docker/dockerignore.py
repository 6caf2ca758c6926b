"""`.dockerignore` with Docker's own semantics (moby/patternmatcher, used by BuildKit).

Each line is a pattern; `#` at the very start of a line makes a comment; surrounding
whitespace is trimmed; patterns are cleaned like Go's `filepath.Clean` and a leading
`/` is dropped. `*` and `?` never match `/`, `**` matches any number of directories,
`[...]` is a character class, `\\` escapes, `!` re-includes. A later pattern wins, and
a path is excluded when it or one of its parent directories matches (so `.git` also
excludes `.git/HEAD`). This is not gitignore: `foo` matches only `./foo`, never
`sub/foo`, and a trailing `/` is cleaned away.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def go_clean(path: str) -> str:
    """Go's path.Clean: the shortest path equivalent to `path` (lexically)."""
    if path == "":
        return "."
    rooted = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(part)
    out = "/".join(parts)
    if rooted:
        return "/" + out
    return out or "."


def read_patterns(text: str) -> list[str]:
    """The patterns of a .dockerignore file, as `ignorefile.ReadAll` returns them."""
    out = []
    for number, line in enumerate(text.split("\n")):
        if number == 0:
            line = line.lstrip("\ufeff")
        line = line.rstrip("\r")
        if line.startswith("#"):
            continue
        pattern = line.strip()
        if not pattern:
            continue
        invert = pattern.startswith("!")
        if invert:
            pattern = pattern[1:].strip()
        if pattern:
            pattern = go_clean(pattern)
            if len(pattern) > 1 and pattern.startswith("/"):
                pattern = pattern[1:]
        out.append("!" + pattern if invert else pattern)
    return out


@dataclass(frozen=True)
class _Pattern:
    text: str
    exclusion: bool
    kind: str  # "exact", "prefix", "suffix", "regexp", "invalid"
    regexp: re.Pattern[str] | None

    def match(self, path: str) -> bool:
        if self.kind == "exact":
            return path == self.text
        if self.kind == "prefix":
            return path.startswith(self.text[:-2])
        if self.kind == "suffix":
            suffix = self.text[2:]
            if path.endswith(suffix):
                return True
            return suffix.startswith("/") and path == suffix[1:]
        if self.kind == "regexp" and self.regexp is not None:
            return self.regexp.match(path) is not None
        return False


_ESCAPE = set(".+()|{}$")


def _compile(text: str, exclusion: bool) -> _Pattern:
    regex = "^"
    kind = "exact"
    i, n = 0, len(text)
    position = 0
    while i < n:
        ch = text[i]
        if ch == "*":
            if i + 1 < n and text[i + 1] == "*":
                i += 2
                if i < n and text[i] == "/":
                    i += 1
                if i >= n:
                    if kind == "exact":
                        kind = "prefix"
                    else:
                        regex += ".*"
                        kind = "regexp"
                else:
                    regex += "(.*/)?"
                    kind = "regexp"
                if position == 0:
                    kind = "suffix"
                position += 1
                continue
            regex += "[^/]*"
            kind = "regexp"
        elif ch == "?":
            regex += "[^/]"
            kind = "regexp"
        elif ch in _ESCAPE:
            regex += "\\" + ch
        elif ch == "\\":
            if i + 1 < n:
                regex += "\\" + text[i + 1]
                kind = "regexp"
                i += 1
            else:
                regex += "\\\\"
        elif ch in "[]":
            regex += ch
            kind = "regexp"
        else:
            regex += ch
        i += 1
        position += 1
    compiled = None
    if kind == "regexp":
        try:
            compiled = re.compile(regex + "$", re.DOTALL)
        except re.error:
            return _Pattern(text, exclusion, "invalid", None)
    return _Pattern(text, exclusion, kind, compiled)


def _valid_go_pattern(pattern: str) -> bool:
    """What Go's filepath.Match rejects: an unterminated `[` class, a trailing `\\`."""
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            if i + 1 >= n:
                return False
            i += 2
            continue
        if ch == "[":
            j = i + 1
            if j < n and pattern[j] == "^":
                j += 1
            if j < n and pattern[j] == "]":
                return False  # empty class
            while j < n and pattern[j] != "]":
                if pattern[j] == "\\":
                    j += 1
                j += 1
            if j >= n:
                return False
            i = j + 1
            continue
        i += 1
    return True


class DockerIgnore:
    """A compiled .dockerignore. Invalid patterns (which make Docker fail the build) are
    listed in `invalid` and match nothing."""

    def __init__(self, patterns: list[str]) -> None:
        self.patterns: list[_Pattern] = []
        self.invalid: list[str] = []
        for raw in patterns:
            p = raw.strip()
            if not p:
                continue
            p = go_clean(p)
            exclusion = p.startswith("!")
            if exclusion:
                if len(p) == 1:
                    self.invalid.append(raw)
                    continue
                p = p[1:]
            if not _valid_go_pattern(p):
                self.invalid.append(raw)
                continue
            self.patterns.append(_compile(p, exclusion))

    @classmethod
    def from_text(cls, text: str) -> DockerIgnore:
        return cls(read_patterns(text))

    def excludes(self, path: str) -> bool:
        """Whether `path` (relative to the context, `/`-separated) is left out of the context
        (MatchesOrParentMatches)."""
        path = go_clean(path)
        if path == ".":
            return False
        parent = path.rsplit("/", 1)[0] if "/" in path else "."
        parent_dirs = parent.split("/")
        matched = False
        for pattern in self.patterns:
            if pattern.exclusion != matched:
                continue
            match = pattern.match(path)
            if not match and parent != ".":
                for i in range(len(parent_dirs)):
                    if pattern.match("/".join(parent_dirs[: i + 1])):
                        match = True
                        break
            if match:
                matched = not pattern.exclusion
        return matched
