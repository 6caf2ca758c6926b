"""SL103 eager-client: an SDK, database or API client constructed at import time."""

from __future__ import annotations

from collections.abc import Iterator

from startlint.findings import Applicability, Violation
from startlint.fixes import plan
from startlint.python.model import Module
from startlint.rules.context import PythonContext, call_span, display, resolved_calls

CODE = "SL103"


def check(module: Module, ctx: PythonContext) -> Iterator[Violation]:
    seen: set[int] = set()
    for call, qual in resolved_calls(module, ctx):
        if call.stmt_line in seen or not ctx.catalogs.is_client(qual):
            continue
        seen.add(call.stmt_line)
        target = f" ('{call.bound_to}')" if call.bound_to else ""
        yield Violation(
            CODE,
            call_span(call),
            f"{display(call, qual)} builds a client at import time{target}: credential lookup and "
            "connection setup run on every cold start before the first request; build it on first "
            "use with a functools.cache'd accessor (one client per process is kept)",
            fix=plan.accessor(module, call, ctx.fix_options, Applicability.SAFE),
        )
