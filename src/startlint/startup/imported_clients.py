"""SL102 on a client another first-party module built: `from app.clients import s3`, then
`s3.list_buckets()` at import time. A file's own rules see only `app.clients.s3`; which
client that is, only the module that built it says (`s3 = boto3.client("s3")`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from startlint.findings import Violation
from startlint.python.model import LOCAL, Module
from startlint.rules.context import PythonContext, call_span, display
from startlint.rules.python.network_call import CODE, client_of
from startlint.startup.graph import SourceRoots

ModelOf = Callable[[Path], Module | None]
Built = dict[Path, dict[str, str]]  # per module file: module-level name -> the call that built it


def find(model: Module, model_of: ModelOf, roots: SourceRoots, ctx: PythonContext, built: Built) -> Iterator[Violation]:
    """SL102 for the import-time calls of `model` on clients other modules built, one per
    statement (as the rule does). `built` caches each module's bound calls across models."""
    seen: set[int] = set()
    for call in model.calls:
        qual = call.qualname
        # `module.name.method` at least: a module's own function (`re.compile`) is not it.
        if not qual or qual.count(".") < 2 or qual.startswith((LOCAL + ".", ".", "*.")) or call.stmt_line in seen:
            continue
        behind = _client_behind(qual, model_of, roots, ctx, built)
        if behind is None or ctx.catalogs.is_network(qual) or client_of(qual, ctx.catalogs) is not None:
            continue  # (the last two: the file's own SL102 reports it)
        value, module_name = behind
        client = client_of(value, ctx.catalogs)
        if client is None:
            continue
        seen.add(call.stmt_line)
        shown = replace(call, qualname=value)
        yield Violation(
            CODE,
            call_span(call),
            f"{display(shown, value)} runs at import time: a request through the "
            f"{client.replace('()', '')} client that {module_name} builds at import, before the service "
            "can serve, and a slow or unreachable host delays or fails every cold start; make the "
            "call on first use (a functools.cache'd accessor)",
        )


def _client_behind(
    qual: str, model_of: ModelOf, roots: SourceRoots, ctx: PythonContext, built: Built
) -> tuple[str, str] | None:
    """`app.clients.s3.list_buckets` -> (`boto3.client().list_buckets`, `app.clients`) when
    first-party `app.clients` binds `s3` to a call's result at module level."""
    owner = roots.owner(qual)
    if owner is None:
        return None
    file, module_name, attr = owner
    if file not in built:
        target = model_of(file)
        built[file] = {} if target is None else {c.bound_to: c.qualname for c in target.calls if c.bound_to and c.qualname}
    name, _, rest = attr.partition(".")
    made = built[file].get(name)
    if made is None or made.startswith(LOCAL + ".") or not ctx.catalogs.is_client(made):
        return None
    return (f"{made}().{rest}" if rest else f"{made}()"), module_name
