"""The human-readable report: one line a finding, then a summary.

    app/main.py:3:1: SL101 [error] `torch` is imported at import time (1.9 s) [*]
        app/main.py:12:5: first used here

The line ends with ` [*]` when the finding has a safe fix (`--fix` applies it) and
` [unsafe fix]` when its fix is unsafe. With `show_source`, the finding's source
line follows with carets under the span. With `statistics`, a table of counts by
rule replaces the finding lines. Colour comes from rich, imported only when asked
for: plain output never loads it.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from typing import TYPE_CHECKING

from startlint.findings import Applicability, Finding, Severity
from startlint.reporters import SourceLines

if TYPE_CHECKING:
    from collections.abc import Mapping

    from startlint.results import ReportOptions, RunResult
    from startlint.ruledocs import RuleDoc

# A report is built as lines of (text, style) segments; the style is a rich style
# string, ignored for plain output.
Segment = tuple[str, str]
Line = list[Segment]

_SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "blue"}
_PATH, _CODE, _FIX, _GUTTER, _SUMMARY = "bold", "bold", "cyan", "blue", "bold"
_SEVERITIES = (Severity.ERROR, Severity.WARNING, Severity.INFO)


def render(result: RunResult, rules: Mapping[str, RuleDoc], options: ReportOptions) -> str:
    findings = sorted(result.findings, key=lambda f: f.sort_key)
    lines: list[Line] = []
    if options.statistics:
        lines += _statistics(findings)
    else:
        sources = SourceLines(result.root) if options.show_source else None
        for finding in findings:
            lines += _finding(finding, sources)
    if not options.quiet:
        lines += _summary(result)
    if not lines:
        return ""
    return _to_ansi(lines) if options.color else "".join(_plain(line) + "\n" for line in lines)


def _finding(finding: Finding, sources: SourceLines | None) -> list[Line]:
    span = finding.span
    head: Line = [
        (finding.path, _PATH),
        (f":{span.start_line}:{span.start_col}: ", ""),
        (finding.code, _CODE),
        (" ", ""),
        (f"[{finding.severity.value}]", _SEVERITY_STYLE[finding.severity]),
        (f" {finding.message}", ""),
    ]
    if finding.fix is not None:
        safe = finding.fix.applicability is Applicability.SAFE
        head.append((" [*]" if safe else " [unsafe fix]", _FIX))
    out = [head]
    if sources is not None:
        text = sources.line(finding.path, span.start_line)
        if text is not None:
            out += _excerpt(text, finding, _SEVERITY_STYLE[finding.severity])
    for rel in finding.related:
        out.append(
            [
                ("    ", ""),
                (rel.path, _PATH),
                (f":{rel.span.start_line}:{rel.span.start_col}: {rel.message}", ""),
            ]
        )
    if sources is not None:
        out.append([])  # a blank line between findings once they span several lines
    return out


def _excerpt(text: str, finding: Finding, style: str) -> list[Line]:
    """The source line with carets under the span (to the line's end if the span goes on)."""
    span = finding.span
    start = min(max(span.start_col, 1), len(text) + 1) - 1  # 0-based character index
    end = span.end_col - 1 if span.end_line == span.start_line else len(text)
    end = min(max(end, start), len(text))
    # The caret line copies tabs so it lines up however wide the terminal draws them.
    pad = "".join("\t" if ch == "\t" else " " * _width(ch) for ch in text[:start])
    carets = "^" * max(1, sum(_width(ch) for ch in text[start:end]))
    number = str(span.start_line)
    return [
        [(f"{number} | ", _GUTTER), (text, "")],
        [(" " * len(number) + " | ", _GUTTER), (pad, ""), (carets, style)],
    ]


def _width(ch: str) -> int:
    """Terminal columns a character takes: 0 for combining marks, 2 for wide East Asian."""
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _statistics(findings: list[Finding]) -> list[Line]:
    counts = Counter(f.code for f in findings)
    names: dict[str, str] = {}
    safe: set[str] = set()
    unsafe: set[str] = set()
    for f in findings:
        names.setdefault(f.code, f.name)
        if f.fix is not None:
            (safe if f.fix.applicability is Applicability.SAFE else unsafe).add(f.code)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if not rows:
        return []
    count_w = max(len(str(n)) for _, n in rows)
    code_w = max(len(code) for code, _ in rows)
    name_w = max(len(names[code]) for code, _ in rows)
    out: list[Line] = []
    for code, n in rows:
        line: Line = [(f"{n:>{count_w}}  ", ""), (f"{code:<{code_w}}", _CODE), ("  ", "")]
        marker = "[fixable]" if code in safe else "[unsafe fix]" if code in unsafe else ""
        if marker:
            line += [(f"{names[code]:<{name_w}}  ", ""), (marker, _FIX)]
        else:
            line.append((names[code], ""))
        out.append(line)
    return out


def _summary(result: RunResult) -> list[Line]:
    files = _plural(result.files_checked, "file")
    if not result.findings:
        return [[(f"All checked: no findings in {files}.", _SUMMARY)]]
    by_severity = Counter(f.severity for f in result.findings)
    parts = [_count(by_severity[s], s) for s in _SEVERITIES if by_severity[s]]
    found = f"Found {_plural(len(result.findings), 'finding')} ({', '.join(parts)}) in {files}."
    out: list[Line] = [[(found, _SUMMARY)]]
    safe, unsafe = result.fixable, result.unsafe_fixable
    if safe and unsafe:
        out.append([(f"{safe} fixable with --fix; {unsafe} more with --unsafe-fixes.", "")])
    elif safe:
        out.append([(f"{safe} fixable with --fix.", "")])
    elif unsafe:
        out.append([(f"{unsafe} fixable with --unsafe-fixes.", "")])
    return out


def _count(n: int, severity: Severity) -> str:
    return f"{n} info" if severity is Severity.INFO else _plural(n, severity.value)


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _plain(line: Line) -> str:
    return "".join(text for text, _ in line)


def _to_ansi(lines: list[Line]) -> str:
    """The lines styled with ANSI escapes by rich, which loads here and only here."""
    import io

    from rich.console import Console
    from rich.text import Text

    buffer = io.StringIO()
    width = max((len(_plain(line)) for line in lines), default=0)
    console = Console(
        file=buffer,
        force_terminal=True,
        color_system="standard",
        no_color=False,  # the caller decided; NO_COLOR is its business, not ours
        width=max(width, 80),
        markup=False,  # `[` in a message is text, never markup
        highlight=False,
        emoji=False,
        legacy_windows=False,
    )
    for line in lines:
        styled = Text()
        for text, style in line:
            styled.append(text, style=style or None)
        console.print(styled, soft_wrap=True)
    return buffer.getvalue()
