"""GitHub Actions workflow commands: one annotation a finding.

    ::error file=app/main.py,line=3,col=1,endLine=3,endColumn=13,title=SL101 heavy-import::message

`error`, `warning` or `notice` by severity. Related locations follow the message
on lines of their own. GitHub takes columns only for a span on one line, so a
span over several lines is annotated by its lines alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from startlint.findings import Finding, Severity

if TYPE_CHECKING:
    from collections.abc import Mapping

    from startlint.results import ReportOptions, RunResult
    from startlint.ruledocs import RuleDoc

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render(result: RunResult, rules: Mapping[str, RuleDoc], options: ReportOptions) -> str:
    findings = sorted(result.findings, key=lambda f: f.sort_key)
    return "".join(_command(f) + "\n" for f in findings)


def _command(f: Finding) -> str:
    span = f.span
    props = [("file", f.path), ("line", str(span.start_line))]
    if span.end_line == span.start_line:
        props.append(("col", str(span.start_col)))
    props.append(("endLine", str(span.end_line)))
    if span.end_line == span.start_line:
        props.append(("endColumn", str(span.end_col)))
    props.append(("title", f"{f.code} {f.name}"))
    message = f.message
    for rel in f.related:
        message += f"\n{rel.path}:{rel.span.start_line}:{rel.span.start_col}: {rel.message}"
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    return f"::{_COMMAND[f.severity]} {joined}::{escape_data(message)}"


def escape_data(text: str) -> str:
    """A command's message: `%` first, so the escapes that follow stay intact."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value: also `:` and `,`, which end it."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
