"""Import-time calls into the project's own functions run their bodies at import time.

`app = create_app()` at module level runs `create_app`'s body while the module is
imported; so does a class call (`__init__`, `__post_init__`), `Class.method(...)`,
and a bare project decorator (`@register`). SL102-SL105 hazards in those bodies
are reported at the hazard, with the chain of calls that leads there. Calls are
followed to a bounded depth, each function once per chain (cycles are fine).
Heavy imports inside such bodies are not SL101 findings and not graph edges.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from startlint.findings import RelatedLocation, Span, Violation
from startlint.project import absolute
from startlint.python.model import LOCAL, Call, FunctionBody, Module
from startlint.rules.context import PythonContext
from startlint.startup.graph import SourceRoots

MAX_DEPTH = 6
HAZARD_CODES = ("SL102", "SL103", "SL104", "SL105")

ModelOf = Callable[[Path], Module | None]
AllBodies = Callable[[Path], tuple[FunctionBody, ...]]
Check = Callable[[Module, PythonContext], Iterable[Violation]]


@dataclass(frozen=True)
class CallSite:
    path: Path
    line: int  # first line of the statement holding the call
    col: int
    end_line: int
    end_col: int
    callee: str


@dataclass(frozen=True)
class ViaCall:
    path: Path  # the file holding the hazard
    violation: Violation
    chain: tuple[CallSite, ...]  # outermost first


def follow(
    starts: Iterable[tuple[Path, str]],
    model_of: ModelOf,
    roots: SourceRoots,
    checks: dict[str, Check],
    ctx: PythonContext,
    all_bodies: AllBodies | None = None,
) -> list[ViaCall]:
    """Hazards reached through import-time calls made by the given modules (path, module name).

    A model summarises only the functions its own module calls at import time;
    `all_bodies(path)` gives every function of a module another module calls into.
    """
    found: dict[tuple[Path, str, int], ViaCall] = {}
    # Breadth-first, so a function's first visit has its shortest chain: later
    # visits could only report the same hazards through longer chains.
    visited: set[tuple[Path, str]] = set()
    index = _Bodies(all_bodies)
    queue: deque[tuple[Path, str, Module, tuple[Call, ...], tuple[CallSite, ...]]] = deque()
    for path, name in starts:
        model = model_of(path)
        if model is not None:
            queue.append((path, name, model, model.calls, ()))
    while queue:
        path, name, model, calls, chain = queue.popleft()
        if len(chain) >= MAX_DEPTH:
            continue
        for call in calls:
            target = _resolve(call, path, name, model, model_of, roots, index)
            if target is None:
                continue
            callee_path, callee_name, callee_model, bodies = target
            col = call.pos.col if call.pos.line == call.stmt_line else 1
            site = CallSite(path, call.stmt_line, col, call.pos.end_line, call.pos.end_col, call.dotted or call.qualname or "")
            bodies = [b for b in bodies if (callee_path, b.name) not in visited]
            if not bodies:
                continue
            new_chain = (*chain, site)
            for body in bodies:
                visited.add((callee_path, body.name))
                synthetic = replace(callee_model, imports=(), calls=body.calls, bindings=(), uses=())
                for code, check in checks.items():
                    for violation in check(synthetic, ctx):
                        key = (callee_path, code, violation.span.start_line)
                        if key not in found:  # breadth-first: the first chain is the shortest
                            found[key] = ViaCall(callee_path, replace(violation, fix=None), new_chain)
                queue.append((callee_path, callee_name, callee_model, body.calls, new_chain))
    return list(found.values())


def _resolve(
    call: Call,
    path: Path,
    name: str,
    model: Module,
    model_of: ModelOf,
    roots: SourceRoots,
    index: _Bodies,
) -> tuple[Path, str, Module, list[FunctionBody]] | None:
    qual = call.qualname
    if not qual or "()" in qual or qual.startswith("*."):
        return None
    if qual.startswith(LOCAL + "."):
        return _bodies(path, name, model, qual[len(LOCAL) + 1 :], index)
    if qual.startswith("."):
        level = len(qual) - len(qual.lstrip("."))
        qual = absolute(qual[level:], level, name, path.name == "__init__.py")
    parts = qual.split(".")
    for split in range(len(parts) - 1, 0, -1):
        module_name = ".".join(parts[:split])
        file = roots.find(module_name)
        if file is None or not file.is_file():
            continue
        target = model_of(file)
        if target is None:
            return None
        return _bodies(file, module_name, target, ".".join(parts[split:]), index)
    return None


def _bodies(
    path: Path, name: str, model: Module, attr: str, index: _Bodies
) -> tuple[Path, str, Module, list[FunctionBody]] | None:
    found = index.lookup(path, model, attr)
    return (path, name, model, found) if found else None


@dataclass
class _Bodies:
    """Each module's function bodies by name: its model's, then (on a miss) all of them."""

    all_bodies: AllBodies | None
    by_path: dict[Path, dict[str, FunctionBody]] = field(default_factory=dict)
    complete: set[Path] = field(default_factory=set)

    def lookup(self, path: Path, model: Module, attr: str) -> list[FunctionBody]:
        if path not in self.by_path:
            self.by_path[path] = {f.name: f for f in model.functions}
        found = _named(self.by_path[path], attr)
        if not found and self.all_bodies is not None and path not in self.complete:
            self.complete.add(path)
            self.by_path[path] = {f.name: f for f in self.all_bodies(path)}
            found = _named(self.by_path[path], attr)
        return found


def _named(by_name: dict[str, FunctionBody], attr: str) -> list[FunctionBody]:
    """The function `attr`, or a class's constructors (`__init__`, `__post_init__`)."""
    if attr in by_name:
        return [by_name[attr]]
    return [by_name[f"{attr}.{m}"] for m in ("__init__", "__post_init__") if f"{attr}.{m}" in by_name]


def related(chain: tuple[CallSite, ...], rel: Callable[[Path], str]) -> tuple[RelatedLocation, ...]:
    return tuple(
        RelatedLocation(rel(s.path), Span(s.line, s.col, s.end_line, s.end_col), f"{s.callee}() runs at import time")
        for s in chain
    )
