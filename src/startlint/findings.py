"""What a check produces: findings, their positions, fixes and related locations.

Positions are 1-based lines and 1-based columns counted in characters (not
bytes); an end column points just past the last character, as in SARIF.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


class Applicability(str, Enum):
    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True, order=True)
class Span:
    start_line: int
    start_col: int
    end_line: int
    end_col: int


@dataclass(frozen=True)
class Edit:
    """Replace the text in `span` of `path` (None: the finding's own file) with `content`."""

    span: Span
    content: str
    path: str | None = None


@dataclass(frozen=True)
class Fix:
    applicability: Applicability
    message: str
    edits: tuple[Edit, ...]

    def applies(self, unsafe: bool) -> bool:
        """Whether `--fix` applies it (safe), or `--fix --unsafe-fixes` (any)."""
        return self.applicability is Applicability.SAFE or unsafe


@dataclass(frozen=True)
class RelatedLocation:
    path: str
    span: Span
    message: str


@dataclass(frozen=True)
class Violation:
    """What a rule returns: the engine adds the path, the name and the severity."""

    code: str
    span: Span
    message: str
    severity: Severity | None = None  # None: the rule's default severity
    fix: Fix | None = None
    related: tuple[RelatedLocation, ...] = ()


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    severity: Severity
    path: str  # POSIX, relative to the project root
    span: Span
    message: str
    fix: Fix | None = None
    related: tuple[RelatedLocation, ...] = field(default=())

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.span.start_line, self.span.start_col, self.code)
