"""The outcome of one run, as the reporters receive it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from startlint.findings import Applicability, Finding, Severity


@dataclass(frozen=True)
class RunResult:
    findings: tuple[Finding, ...]  # selected, unsuppressed, sorted by Finding.sort_key
    files_checked: int
    root: Path  # finding paths are relative to this directory (POSIX separators)

    @property
    def fixable(self) -> int:
        return sum(1 for f in self.findings if f.fix and f.fix.applicability is Applicability.SAFE)

    @property
    def unsafe_fixable(self) -> int:
        return sum(1 for f in self.findings if f.fix and f.fix.applicability is Applicability.UNSAFE)


@dataclass(frozen=True)
class ReportOptions:
    color: bool = False  # rich styling (only on a terminal, never with NO_COLOR or --no-color)
    show_source: bool = False  # the source line with a caret under the span (terminal only)
    statistics: bool = False  # counts by rule instead of one line a finding
    quiet: bool = False  # findings only, no summary


def exit_code(findings: tuple[Finding, ...], fail_on: Severity) -> int:
    """1 when a finding is at or above `fail_on`, else 0."""
    return 1 if any(f.severity.rank >= fail_on.rank for f in findings) else 0
