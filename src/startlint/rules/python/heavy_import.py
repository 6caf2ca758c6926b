"""SL101 heavy-import: an import-time import of a module in the heavy catalog."""

from __future__ import annotations

from collections.abc import Iterator

from startlint.catalog import HeavyModule
from startlint.findings import Violation
from startlint.fixes import plan
from startlint.python import model as m
from startlint.rules.context import PythonContext, call_span, span_of

CODE = "SL101"


def check(module: m.Module, ctx: PythonContext) -> Iterator[Violation]:
    uses = {(u.name, u.kind): u for u in module.uses}
    calls = {c.pos: c for c in module.calls}
    for imp in module.imports:
        hit = _heaviest(imp, ctx)
        if hit is None:
            continue
        name, entry = hit
        call = calls.get(imp.pos) if imp.kind == "dynamic" else None
        span = call_span(call) if call is not None else span_of(imp.pos)
        fix, _ = plan.heavy_import(module, imp, ctx.fix_options)
        yield Violation(CODE, span, _message(imp, name, entry, uses), fix=fix)


def _heaviest(imp: m.Import, ctx: PythonContext) -> tuple[str, HeavyModule] | None:
    best: tuple[str, HeavyModule] | None = None
    for name in imp.modules:
        if name.startswith("."):
            continue  # relative: first-party
        entry = ctx.catalogs.heavy_module(name)
        if entry is not None and (best is None or entry.cost_ms > best[1].cost_ms):
            best = (name, entry)
    return best


def cost_text(entry: HeavyModule) -> str:
    cost = f"≈{entry.cost_ms / 1000:.1f} s" if entry.cost_ms >= 1000 else f"≈{entry.cost_ms} ms"
    if entry.source == "measured":
        return f"{cost} at import; measured {entry.name} {entry.version}".rstrip()
    return f"{cost} at import"


def _message(
    imp: m.Import, name: str, entry: HeavyModule, uses: dict[tuple[str, str], m.NameUse]
) -> str:
    how = "is imported at module level"
    if imp.kind == "dynamic":
        how = "is imported at import time (importlib.import_module / __import__)"
    elif m.CTX_CLASS_BODY in imp.context:
        how = "is imported in a class body"
    head = f"'{name}' {how} ({cost_text(entry)})"
    if m.CTX_IMPORT_GUARD in imp.context:
        head += "; the try/except ImportError still pays the full cost whenever it is installed"
    bound = [n.bound for n in imp.names if n.bound != "*"]
    at_import = sorted(
        (uses[(b, m.USE_IMPORT_TIME)].first_line, b) for b in bound if (b, m.USE_IMPORT_TIME) in uses
    )
    if at_import:
        line, used = at_import[0]
        return (
            f"{head}; '{used}' is used at import time (line {line}), so the import cannot move "
            "until that use does"
        )
    if imp.kind == "dynamic" or not bound:
        return f"{head}; import it inside the functions that use it"
    only_annotations = all(
        (b, m.USE_DEFERRED) not in uses
        and (b, m.USE_LATER_AT_TOP_LEVEL) not in uses
        and (b, m.USE_ANNOTATION) in uses
        for b in bound
    )
    if only_annotations:
        return f"{head}; it is only used in annotations: import it under 'if TYPE_CHECKING:'"
    lazy = f"lazy import {name}" if imp.kind == "import" else f"lazy from {imp.module} import ..."
    return f"{head}; import it inside the functions that use it, or use '{lazy}' on Python 3.15+"
