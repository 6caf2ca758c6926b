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
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from startlint.findings import RelatedLocation, Span, Violation
from startlint.project import absolute
from startlint.python.model import LOCAL, Call, FunctionBody, Module
from startlint.rules.context import PythonContext
from startlint.startup.graph import SourceRoots

MAX_DEPTH = 6
MAX_REEXPORTS = 4  # re-exports followed for one call (`pkg` -> `pkg.api` -> `pkg.api.net`)
HAZARD_CODES = ("SL102", "SL103", "SL104", "SL105")

ModelOf = Callable[[Path], Module | None]
AllBodies = Callable[[Path], tuple[FunctionBody, ...]]
# The summary of one function from its own lines (model.index), None if they do not parse alone.
OneBody = Callable[[Path, Module, str, tuple[int, int]], FunctionBody | None]
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
    one_body: OneBody | None = None,
) -> list[ViaCall]:
    """Hazards reached through import-time calls made by the given modules (path, module name).

    A model summarises only the functions its own module calls at import time;
    `one_body` summarises a function another module calls into from its own lines;
    `all_bodies(path)` gives every function of the module when that fails.
    """
    found: dict[tuple[Path, str, int], ViaCall] = {}
    # Breadth-first, so a function's first visit has its shortest chain: later
    # visits could only report the same hazards through longer chains.
    visited: set[tuple[Path, str]] = set()
    index = _Bodies(all_bodies, one_body)
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
    hops: int = 0,
) -> tuple[Path, str, Module, list[FunctionBody]] | None:
    """The function (or a class's constructors) a call runs; through a package's
    re-export (`from .net import fetch` in `pkg/__init__.py`), up to MAX_REEXPORTS hops."""
    qual = call.qualname
    if not qual or "()" in qual or qual.startswith("*."):
        return None
    if qual.startswith(LOCAL + "."):
        return _bodies(path, name, model, qual[len(LOCAL) + 1 :], index)
    if qual.startswith("."):
        level = len(qual) - len(qual.lstrip("."))
        qual = absolute(qual[level:], level, name, path.name == "__init__.py")
    owner = roots.owner(qual)
    if owner is None:
        return None
    file, module_name, attr = owner
    target = model_of(file)
    if target is None:
        return None
    found = _bodies(file, module_name, target, attr, index)
    if found is None and hops < MAX_REEXPORTS:
        again = _reexported(target, module_name, file, attr)
        if again is not None:
            return _resolve(replace(call, qualname=again), path, name, model, model_of, roots, index, hops + 1)
    return found


def _reexported(model: Module, module_name: str, path: Path, attr: str) -> str | None:
    """What `attr` names when the module only imports it (a package's re-export)."""
    head, _, rest = attr.partition(".")
    for imp in model.imports:
        for imported in imp.names:
            if imported.bound != head or imported.name == "*":
                continue
            if imp.kind == "from":
                base = absolute(imp.module, imp.level, module_name, path.name == "__init__.py") if imp.level else imp.module
                target = f"{base}.{imported.name}" if base else ""
            elif imp.kind == "import" and imported.asname is not None:
                target = imported.name  # `import a.b as head`
            else:
                continue
            if target:
                return f"{target}.{rest}" if rest else target
    return None


def _bodies(
    path: Path, name: str, model: Module, attr: str, index: _Bodies
) -> tuple[Path, str, Module, list[FunctionBody]] | None:
    found = index.lookup(path, model, attr)
    return (path, name, model, found) if found else None


@dataclass
class _Bodies:
    """Each module's function bodies by name: its model's; then, where the model has
    an index, each function summarised from its own lines; else (or when that
    fails) all of the file's."""

    all_bodies: AllBodies | None
    one_body: OneBody | None = None
    by_path: dict[Path, dict[str, FunctionBody]] = field(default_factory=dict)
    complete: set[Path] = field(default_factory=set)
    spans: dict[Path, dict[str, tuple[int, int]]] = field(default_factory=dict)

    def lookup(self, path: Path, model: Module, attr: str) -> list[FunctionBody]:
        if path not in self.by_path:
            self.by_path[path] = {f.name: f for f in model.functions}
        if path not in self.complete and self.one_body is not None:
            if model.index is None:
                return []  # the module defines no function (model.functions is empty too)
            alone = self._alone(path, model, attr)
            if alone is not None:
                return alone
            return self._whole(path, attr)
        found = _named(self.by_path[path], attr)
        return found or self._whole(path, attr)

    def _alone(self, path: Path, model: Module, attr: str) -> list[FunctionBody] | None:
        """The function or constructors `attr` names, each summarised from its lines."""
        assert model.index is not None and self.one_body is not None
        if path not in self.spans:
            self.spans[path] = model.index.by_name()
        spans, known = self.spans[path], self.by_path[path]
        names = _constructors(spans, attr)
        for name in names:
            if name not in known:
                body = self.one_body(path, model, name, spans[name])
                if body is None:
                    return None
                known[name] = body
        return [known[name] for name in names]

    def _whole(self, path: Path, attr: str) -> list[FunctionBody]:
        if self.all_bodies is not None and path not in self.complete:
            self.complete.add(path)
            self.by_path[path] = {f.name: f for f in self.all_bodies(path)}
        return _named(self.by_path[path], attr)


def _constructors(names: Container[str], attr: str) -> list[str]:
    """`attr` if it names a function, else the constructors of the class it names."""
    if attr in names:
        return [attr]
    return [f"{attr}.{m}" for m in ("__init__", "__post_init__") if f"{attr}.{m}" in names]


def _named(by_name: dict[str, FunctionBody], attr: str) -> list[FunctionBody]:
    """The function `attr`, or a class's constructors (`__init__`, `__post_init__`)."""
    return [by_name[name] for name in _constructors(by_name, attr)]


def related(chain: tuple[CallSite, ...], rel: Callable[[Path], str]) -> tuple[RelatedLocation, ...]:
    return tuple(
        RelatedLocation(rel(s.path), Span(s.line, s.col, s.end_line, s.end_col), f"{s.callee}() runs at import time")
        for s in chain
    )
