"""SL104 model-load-at-import: a model or large artifact loaded at import time."""

from __future__ import annotations

from collections.abc import Iterator

from startlint.findings import Applicability, Violation
from startlint.fixes import plan
from startlint.python.model import Module
from startlint.rules.context import PythonContext, call_span, display, resolved_calls

CODE = "SL104"


def check(module: Module, ctx: PythonContext) -> Iterator[Violation]:
    seen: set[int] = set()
    for call, qual in resolved_calls(module, ctx):
        if call.stmt_line in seen or not ctx.catalogs.is_model_loader(qual):
            continue
        seen.add(call.stmt_line)
        yield Violation(
            CODE,
            call_span(call),
            f"{display(call, qual)} loads a model or artifact at import time: it is read from disk "
            "(or downloaded) and deserialised on every cold start, in every worker, before the "
            "service can answer its first request; load it on first use with a functools.cache'd "
            "accessor",
            fix=plan.accessor(module, call, ctx.fix_options, Applicability.UNSAFE),
        )
