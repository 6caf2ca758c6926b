"""SL105 blocking-call-at-import: import-time work that blocks or forks."""

from __future__ import annotations

from collections.abc import Iterator

from startlint.findings import Violation
from startlint.python.model import Module
from startlint.rules.context import PythonContext, call_span, display, resolved_calls

CODE = "SL105"


def check(module: Module, ctx: PythonContext) -> Iterator[Violation]:
    seen: set[int] = set()
    for call, qual in resolved_calls(module, ctx):
        if call.stmt_line in seen or not ctx.catalogs.is_blocking(qual):
            continue
        seen.add(call.stmt_line)
        yield Violation(
            CODE,
            call_span(call),
            f"{display(call, qual)} blocks or forks at import time: the process waits for it on "
            "every cold start before it can serve; run it on first use or outside the service's "
            "start-up",
        )
