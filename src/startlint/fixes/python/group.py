"""The grouped accessor fix: statements that depend on each other become lazy together.

    _gcs = storage.Client()
    if not os.path.exists(PATH):
        _gcs.bucket(B).blob(N).download_to_filename(PATH)
    _clf = joblib.load(PATH)
    LABELS = list(_clf.classes_)

becomes an accessor per assignment and one cached function for the side effect,
which every function defined after it (accessors included) calls first:

    @functools.cache
    def _get_gcs():
        return storage.Client()

    @functools.cache
    def _download_to_filename():
        if not os.path.exists(PATH):
            _get_gcs().bucket(B).blob(N).download_to_filename(PATH)

    @functools.cache
    def _get_clf():
        _download_to_filename()
        return joblib.load(PATH)
    ...

Which statements belong together is decided by `startlint.fixes.groups` from the
import-time model; this module only rewrites, and re-checks with LibCST's scopes
that no read of a deferred name is left at import time.
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst
from libcst.metadata import CodeRange

from startlint.fixes.groups import lazy_group
from startlint.fixes.python.accessor import (
    CallInstead,
    accessor_name,
    cached_function,
    fresh_name,
    is_main_guard,
    plain_assignment,
    returning,
    runs_later,
)
from startlint.fixes.python.cst import (
    FixAborted,
    Located,
    Statement,
    ensure_import,
    prepend_to_function,
    references,
    two_blank_lines_before,
)
from startlint.python import model as m


def fix_group(
    module: cst.Module, model: m.Module, line: int, does_io: Callable[[str], bool]
) -> tuple[cst.Module, dict[str, str]]:
    """Returns the new module and the getter of each name that became an accessor."""
    group = lazy_group(model, line, does_io)
    if isinstance(group, str):
        raise FixAborted(group)
    located = Located(module, scopes=True)
    module = located.module
    body = list(module.body)
    index_of = {id(located.top_level_at(s.line)): s for s in group.members}
    members = {i for i, stmt in enumerate(body) if id(stmt) in index_of}
    if len(members) != len(group.members):
        raise FixAborted("the statements moved since the check")
    member_nodes = [body[i] for i in sorted(members)]
    global_scope = located.global_scope()
    taken: set[str] = set()
    getters: dict[str, str] = {}
    uses: dict[cst.CSTNode, str] = {}
    for name in group.names:
        if len(global_scope.assignments[name]) != 1:
            raise FixAborted(f"'{name}' is bound more than once")
        getters[name] = getter = accessor_name(name, module, taken)
        for access in references(global_scope, name):
            node = access.node
            if not runs_later(access.scope, node, located) and not any(_inside(located, node, s) for s in member_nodes):
                raise FixAborted(f"'{name}' is used at import time outside the statements that move")
            uses[node] = getter
    # Reads first, on the original nodes; then the statements become functions.
    extents = {i: located.positions[body[i]] for i in members}
    module = module.visit(CallInstead(uses))
    body = list(module.body)
    new_body: list[Statement] = []
    effects: list[str] = []  # side-effect functions defined so far: later functions call them
    i = 0
    while i < len(body):
        stmt = body[i]
        if new_body and i - 1 in members:
            stmt = two_blank_lines_before(stmt)  # after a new function, as after any def
        if i not in members:
            new_body.append(_with_preludes(stmt, effects))
            i += 1
            continue
        assignment = plain_assignment(stmt)
        if assignment is None:  # side effects in a row become one function
            run = [stmt]
            while i + len(run) in members and plain_assignment(body[i + len(run)]) is None:
                run.append(body[i + len(run)])
            name = fresh_name(_effect_name(model, extents[i]), module, taken)
            statements = [*_calls(effects), run[0].with_changes(leading_lines=[]), *run[1:]]
            new_body.append(cached_function(module, name, "", statements, stmt, first=not new_body))
            effects.append(name)
            i += len(run)
            continue
        target, value, annotation = assignment
        returns = f" -> {module.code_for_node(annotation)}" if annotation is not None else ""
        statements = [*_calls(effects), returning(module, value)]
        new_body.append(cached_function(module, getters[target], returns, statements, stmt, first=not new_body))
        i += 1
    new = module.with_changes(body=new_body)
    return ensure_import(new, "functools", "import functools"), getters


def _inside(located: Located, node: cst.CSTNode, stmt: cst.CSTNode) -> bool:
    where, extent = located.positions[node].start, located.positions[stmt]
    return (extent.start.line, extent.start.column) <= (where.line, where.column) <= (extent.end.line, extent.end.column)


def _effect_name(model: m.Module, extent: CodeRange) -> str:
    """`_download` for a side effect whose last call is `nltk.download(...)`."""
    calls = [c for c in model.calls if extent.start.line <= c.stmt_line <= extent.end.line]
    if not calls:
        return "_at_first_use"
    last = max(calls, key=lambda c: (c.pos.end_line, c.pos.end_col, -c.pos.line, -c.pos.col))
    name = (last.qualname or last.dotted or "at_first_use").rsplit(".", 1)[-1].strip("_()")
    return f"_{name}" if name.isidentifier() else "_at_first_use"


def _calls(names: list[str]) -> list[Statement]:
    return [cst.SimpleStatementLine([cst.Expr(cst.Call(cst.Name(n)))]) for n in names]


def _with_preludes(stmt: Statement, effects: list[str]) -> Statement:
    """A function, method or `__main__` block defined after side effects calls them first."""
    if not effects:
        return stmt
    calls = _calls(effects)
    if isinstance(stmt, cst.FunctionDef):
        for call in reversed(calls):
            stmt = prepend_to_function(stmt, call)
        return stmt
    if isinstance(stmt, cst.ClassDef) and isinstance(stmt.body, cst.IndentedBlock):
        inner = [_with_preludes(s, effects) if isinstance(s, cst.FunctionDef) else s for s in stmt.body.body]
        return stmt.with_changes(body=stmt.body.with_changes(body=inner))
    if isinstance(stmt, cst.If) and is_main_guard(stmt.test) and isinstance(stmt.body, cst.IndentedBlock):
        return stmt.with_changes(body=stmt.body.with_changes(body=[*calls, *stmt.body.body]))
    return stmt
