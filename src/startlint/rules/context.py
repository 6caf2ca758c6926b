"""What a Python rule reads besides the module model, and helpers rules share."""

from __future__ import annotations

from dataclasses import dataclass

from startlint.catalog import Catalogs
from startlint.findings import Span
from startlint.fixes.plan import FixOptions
from startlint.python.import_time import STAR
from startlint.python.model import Call, Module, Position


@dataclass(frozen=True)
class PythonContext:
    catalogs: Catalogs
    fix_options: FixOptions = FixOptions()


def span_of(pos: Position) -> Span:
    return Span(pos.line, pos.col, pos.end_line, pos.end_col)


def call_span(call: Call) -> Span:
    """The finding's span: it starts on the first line of the statement holding the call."""
    if call.pos.line == call.stmt_line:
        return Span(call.pos.line, call.pos.col, call.pos.end_line, call.pos.end_col)
    return Span(call.stmt_line, 1, call.pos.end_line, call.pos.end_col)


def resolved_calls(module: Module, ctx: PythonContext) -> list[tuple[Call, str]]:
    """Import-time calls with their qualified names, `from x import *` resolved for catalog modules."""
    out = []
    stars = [s for s in reversed(module.star_imports) if ctx.catalogs.mentions(s)]
    for call in module.calls:
        qual = call.qualname
        if qual is not None and qual.startswith(STAR + "."):
            qual = f"{stars[0]}{qual[len(STAR):]}" if stars else None
        if qual is not None:
            out.append((call, qual))
    return out


def display(call: Call, qual: str) -> str:
    """How a message names the callee: as written, with its resolution when that differs."""
    written = call.dotted
    plain = qual.replace("()", "")
    if written is not None and call.qualname is not None and call.qualname.startswith(STAR + "."):
        return f"{written}() ({plain})"
    if written is None:
        return f"{qual.rsplit('.', 1)[-1]}() (on {qual.rsplit('.', 1)[0]})"
    if written == plain or written == qual:
        return f"{written}()"
    return f"{written}() ({plain})"
