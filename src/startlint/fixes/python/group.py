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
from libcst.metadata import CodeRange, GlobalScope

from startlint.fixes.groups import lazy_group
from startlint.fixes.python.accessor import accessor_name, is_main_guard, runs_later
from startlint.fixes.python.cst import FixAborted, Located, Statement, binds, ensure_import, prepend_to_function, references
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
    scopes = located.scopes
    assert scopes is not None
    global_scope = next(s for s in scopes.values() if isinstance(s, GlobalScope))
    taken: set[str] = set()
    getters: dict[str, str] = {}
    uses: dict[cst.CSTNode, str] = {}
    for name in group.names:
        if len(global_scope.assignments[name]) != 1:
            raise FixAborted(f"'{name}' is bound more than once")
        getters[name] = getter = _fresh(accessor_name(name, module), module, taken)
        for access in references(global_scope, name):
            node = access.node
            if not runs_later(access.scope, node, located) and not any(_inside(located, node, s) for s in member_nodes):
                raise FixAborted(f"'{name}' is used at import time outside the statements that move")
            uses[node] = getter
    # Reads first, on the original nodes; then the statements become functions.
    extents = {i: located.positions[body[i]] for i in members}
    module = module.visit(_Calls(uses))
    body = list(module.body)
    new_body: list[Statement] = []
    effects: list[str] = []  # side-effect functions defined so far: later functions call them
    created: set[int] = set()
    i = 0
    while i < len(body):
        stmt = body[i]
        if i not in members:
            new_body.append(_with_preludes(stmt, effects))
            i += 1
            continue
        if _binds_one(stmt) is None:
            run = [stmt]
            while i + len(run) in members and _binds_one(body[i + len(run)]) is None:
                run.append(body[i + len(run)])
            name = _fresh(_effect_name(model, extents[i]), module, taken)
            new_body.append(_function(module, name, "", [*_calls(effects), *_without_leading_blanks(run)], stmt, bool(new_body)))
            created.add(id(new_body[-1]))
            effects.append(name)
            i += len(run)
            continue
        target, value, annotation = _assignment(stmt)
        returns = f" -> {module.code_for_node(annotation)}" if annotation is not None else ""
        ret = cst.parse_statement(f"return {module.code_for_node(value)}{module.default_newline}")
        new_body.append(_function(module, getters[target], returns, [*_calls(effects), ret], stmt, bool(new_body)))
        created.add(id(new_body[-1]))
        i += 1
    new_body = _spaced(new_body, created)
    new = module.with_changes(body=new_body)
    return ensure_import(new, "functools", "import functools"), getters


def _fresh(candidate: str, module: cst.Module, taken: set[str]) -> str:
    unique, suffix = candidate, 2
    while unique in taken or binds(module, unique):
        unique = f"{candidate}_{suffix}"
        suffix += 1
    taken.add(unique)
    return unique


def _inside(located: Located, node: cst.CSTNode, stmt: cst.CSTNode) -> bool:
    where, extent = located.positions[node].start, located.positions[stmt]
    return (extent.start.line, extent.start.column) <= (where.line, where.column) <= (extent.end.line, extent.end.column)


def _binds_one(stmt: Statement) -> str | None:
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
        small = stmt.body[0]
        if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
            return small.targets[0].target.value
        if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.value is not None:
            return small.target.value
    return None


def _assignment(stmt: Statement) -> tuple[str, cst.BaseExpression, cst.BaseExpression | None]:
    assert isinstance(stmt, cst.SimpleStatementLine)
    small = stmt.body[0]
    if isinstance(small, cst.Assign):
        target = small.targets[0].target
        assert isinstance(target, cst.Name)
        return target.value, small.value, None
    assert isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.value is not None
    return small.target.value, small.value, small.annotation.annotation


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


def _without_leading_blanks(run: list[Statement]) -> list[Statement]:
    first = run[0].with_changes(leading_lines=[])
    return [first, *run[1:]]


def _function(
    module: cst.Module, name: str, returns: str, statements: list[Statement], replaced: Statement, not_first: bool
) -> Statement:
    nl, indent = module.default_newline, module.default_indent
    func = cst.parse_statement(f"@functools.cache{nl}def {name}(){returns}:{nl}{indent}pass{nl}")
    assert isinstance(func, cst.FunctionDef) and isinstance(func.body, cst.IndentedBlock)
    func = func.with_changes(body=func.body.with_changes(body=statements))
    blank = cst.EmptyLine(indent=False)
    comments = [line for line in replaced.leading_lines if line.comment is not None]
    return func.with_changes(leading_lines=[blank, blank, *comments] if not_first else comments)


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


def _spaced(body: list[Statement], created: set[int]) -> list[Statement]:
    """Two blank lines after each new function (PEP 8), as after any top-level def."""
    out: list[Statement] = []
    for index, stmt in enumerate(body):
        if index and id(body[index - 1]) in created:
            leading = list(stmt.leading_lines)
            blanks = 0
            while blanks < len(leading) and leading[blanks].comment is None:
                blanks += 1
            missing = max(0, 2 - blanks)
            stmt = stmt.with_changes(leading_lines=[*(cst.EmptyLine(indent=False) for _ in range(missing)), *leading])
        out.append(stmt)
    return out


class _Calls(cst.CSTTransformer):
    def __init__(self, uses: dict[cst.CSTNode, str]) -> None:
        self.uses = uses

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        getter = self.uses.get(original)
        return cst.Call(func=cst.Name(getter)) if getter else updated
