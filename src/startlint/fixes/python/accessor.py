"""The cached-accessor fix (SL102, SL103, SL104).

`storage_client = storage.Client()` becomes

    @functools.cache
    def get_storage_client():
        return storage.Client()

and every use of `storage_client` becomes `get_storage_client()`: the work runs
once, on first use, instead of at import. Other first-party modules that import
the name are rewritten too (which the planner marks unsafe).
"""

from __future__ import annotations

import re

import libcst as cst
from libcst.metadata import FunctionScope, GlobalScope, Scope

from startlint.fixes.python.cst import (
    FixAborted,
    Located,
    Statement,
    binds,
    ensure_import,
    references,
    two_blank_lines_before,
)


def accessor_name(name: str, module: cst.Module, taken: set[str] | None = None) -> str:
    private = name.startswith("_")
    base = name.lstrip("_")
    base = base.lower() if base.isupper() else _snake(base)
    return fresh_name(f"{'_' if private else ''}get_{base}", module, taken)


def fresh_name(candidate: str, module: cst.Module, taken: set[str] | None = None) -> str:
    """`candidate`, or with a suffix, so that it neither binds a name of the module nor
    one already `taken` by this fix (which it then adds)."""
    taken = set() if taken is None else taken
    unique, suffix = candidate, 2
    while unique in taken or binds(module, unique):
        unique = f"{candidate}_{suffix}"
        suffix += 1
    taken.add(unique)
    return unique


def plain_assignment(stmt: cst.CSTNode) -> tuple[str, cst.BaseExpression, cst.BaseExpression | None] | None:
    """(name, value, annotation) of `NAME = value` or `NAME: T = value` alone on its line."""
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return None
    small = stmt.body[0]
    if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
        return small.targets[0].target.value, small.value, None
    if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.value is not None:
        return small.target.value, small.value, small.annotation.annotation
    return None


def cached_function(
    module: cst.Module, name: str, returns: str, statements: list[Statement], replaced: Statement, first: bool,
    decorator: str = "functools.cache",
) -> cst.FunctionDef:
    """`@functools.cache def name() -> returns:` holding `statements`, in place of `replaced`:
    two blank lines above it unless it opens the file (PEP 8); its comments stay with it."""
    nl, indent = module.default_newline, module.default_indent
    func = cst.parse_statement(f"@{decorator}{nl}def {name}(){returns}:{nl}{indent}pass{nl}")
    assert isinstance(func, cst.FunctionDef) and isinstance(func.body, cst.IndentedBlock)
    blank = cst.EmptyLine(indent=False)
    comments = [line for line in replaced.leading_lines if line.comment is not None]
    # A comment at the end of the replaced line (`s3 = boto3.client("s3")  # eu bucket`)
    # goes to the end of the statement that now computes the value.
    trailing = getattr(replaced, "trailing_whitespace", None)
    last = statements[-1] if statements else None
    if trailing is not None and trailing.comment is not None and isinstance(last, cst.SimpleStatementLine):
        statements = [*statements[:-1], last.with_changes(trailing_whitespace=trailing)]
    return func.with_changes(
        body=func.body.with_changes(body=statements),
        leading_lines=comments if first else [blank, blank, *comments],
    )


def returning(module: cst.Module, value: cst.BaseExpression) -> Statement:
    return cst.parse_statement(f"return {module.code_for_node(value)}{module.default_newline}")


def _snake(name: str) -> str:
    """`AsyncSessionLocal` -> `async_session_local`; other names unchanged."""
    if not name[:1].isupper():
        return name
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def fix_accessor(module: cst.Module, line: int, decorator: str | None = None) -> tuple[cst.Module, str, str]:
    """Returns the new module, the name replaced, and the accessor's name.

    With a `decorator` other than functools' (`st.cache_data` in a Streamlit script, which
    reruns top to bottom), reads at import time are rewritten too instead of aborting."""
    located = Located(module, scopes=True)
    module = located.module
    stmt = located.top_level_at(line)
    assignment = plain_assignment(stmt)
    if assignment is None:
        raise FixAborted("not a plain `NAME = value` assignment")
    name, value, annotation = assignment
    global_scope = located.global_scope()
    if len(global_scope.assignments[name]) != 1:
        raise FixAborted(f"'{name}' is bound more than once")
    getter = accessor_name(name, module)
    uses: dict[cst.CSTNode, str] = {}
    for access in references(global_scope, name):
        if decorator is None and not runs_later(access.scope, access.node, located):
            raise FixAborted(f"'{name}' is used at import time")
        uses[access.node] = getter
    returns = f" -> {module.code_for_node(annotation)}" if annotation else ""
    body = list(module.body)
    index = body.index(stmt)
    body[index] = cached_function(module, getter, returns, [returning(module, value)], stmt, first=not index,
                                  decorator=decorator or "functools.cache")
    if index + 1 < len(body):  # definitions read best with blank lines around them
        body[index + 1] = two_blank_lines_before(body[index + 1])
    new = module.with_changes(body=body).visit(CallInstead(uses))
    if decorator is not None:
        return new, name, getter
    return ensure_import(new, "functools", "import functools"), name, getter


def runs_later(scope: Scope | None, node: cst.CSTNode, located: Located) -> bool:
    """Whether a read runs after the import: in a def or lambda, or under `if __name__ == "__main__":`."""
    while scope is not None and not isinstance(scope, GlobalScope):
        if isinstance(scope, FunctionScope):
            return True
        scope = scope.parent
    where = located.positions[node].start
    for stmt in located.module.body:
        if isinstance(stmt, cst.If) and is_main_guard(stmt.test):
            body = located.positions[stmt.body]
            if (body.start.line, body.start.column) <= (where.line, where.column) <= (body.end.line, body.end.column):
                return True
    return False


def is_main_guard(test: cst.BaseExpression) -> bool:
    """`__name__ == "__main__"`, either way round."""
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    target = test.comparisons[0]
    if not isinstance(target.operator, cst.Equal):
        return False
    sides = [test.left, target.comparator]
    names = [n for n in sides if isinstance(n, cst.Name) and n.value == "__name__"]
    strings = [n for n in sides if isinstance(n, cst.SimpleString) and n.evaluated_value == "__main__"]
    return len(names) == 1 and len(strings) == 1


class CallInstead(cst.CSTTransformer):
    """Each read of a deferred name (the node, as found before any change) calls its getter."""

    def __init__(self, uses: dict[cst.CSTNode, str]) -> None:
        self.uses = uses

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        getter = self.uses.get(original)
        return cst.Call(func=cst.Name(getter)) if getter else updated


def rewrite_importer(module: cst.Module, source_module: str, name: str, getter: str, owners: frozenset[str] = frozenset()) -> cst.Module:
    """In a module that imports `name` from `source_module`, import and call the getter.

    `from m import name` becomes `from m import getter` and each use `getter()`;
    `owner.name`, where `owner` is one of the expressions naming the module
    (`clients`, `app.clients`), becomes `owner.getter()`.
    """
    located = Located(module, scopes=True)
    module = located.module
    global_scope = located.global_scope()
    targets = {alias: bound for _, alias, bound in imports_of(module, name)}
    reads = AttributeReads(owners, name)
    module.visit(reads)
    if reads.written:
        raise FixAborted(f"{source_module}.{name} is assigned or deleted here")
    if not targets and not reads.found:
        raise FixAborted(f"no import of {source_module}.{name}")
    uses: dict[cst.CSTNode, str] = {}
    for bound in set(targets.values()):
        new_bound = bound if bound != name else getter
        for access in references(global_scope, bound):
            uses[access.node] = new_bound
    return module.visit(_RewriteImporter(targets, name, getter, uses, frozenset(reads.found)))


class AttributeReads(cst.CSTVisitor):
    """`owner.name` nodes, and whether any of them is an assignment or `del` target."""

    def __init__(self, owners: frozenset[str], name: str) -> None:
        self.owners = owners
        self.name = name
        self.found: list[cst.Attribute] = []
        self.written = False

    def _matches(self, node: cst.BaseExpression) -> bool:
        return isinstance(node, cst.Attribute) and node.attr.value == self.name and dotted(node.value) in self.owners

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if self._matches(node):
            self.found.append(node)

    def _targets(self, *targets: cst.BaseExpression) -> None:
        for target in targets:
            if self._matches(target) or any(self._matches(e.value) for e in _elements(target)):
                self.written = True

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._targets(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._targets(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._targets(node.target)

    def visit_Del(self, node: cst.Del) -> None:
        self._targets(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._targets(node.target)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._targets(node.asname.name)


def _elements(node: cst.BaseExpression) -> list[cst.BaseElement]:
    if isinstance(node, (cst.Tuple, cst.List)):
        return [e for e in node.elements for e in [e, *_elements(e.value)]]
    return []


def dotted(node: cst.BaseExpression) -> str | None:
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    return ".".join([node.value, *reversed(parts)])


def imports_of(module: cst.Module, name: str) -> list[tuple[cst.ImportFrom, cst.ImportAlias, str]]:
    """The module-level `from ... import name [as bound]` of a module: statement, alias, bound name."""
    found = []
    for stmt in module.body:
        for node in stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ():
            if isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar):
                for alias in node.names:
                    if isinstance(alias.name, cst.Name) and alias.name.value == name:
                        asname = alias.asname.name if alias.asname else None
                        found.append((node, alias, asname.value if isinstance(asname, cst.Name) else name))
    return found


class _RewriteImporter(cst.CSTTransformer):
    def __init__(
        self,
        aliases: dict[cst.ImportAlias, str],
        name: str,
        getter: str,
        uses: dict[cst.CSTNode, str],
        reads: frozenset[cst.Attribute],
    ) -> None:
        self.aliases = aliases
        self.name = name
        self.getter = getter
        self.uses = uses
        self.reads = reads

    def leave_ImportAlias(self, original: cst.ImportAlias, updated: cst.ImportAlias) -> cst.ImportAlias:
        if original in self.aliases:
            return updated.with_changes(name=cst.Name(self.getter))
        return updated

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        if original in self.uses:
            return cst.Call(func=cst.Name(self.uses[original]))
        return updated

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        if original in self.reads:
            return cst.Call(func=updated.with_changes(attr=cst.Name(self.getter)))
        return updated


def rename_in_all(module: cst.Module, name: str, getter: str) -> cst.Module:
    """`__all__ = ["NAME", ...]` lists the getter instead: star imports keep working."""
    body = list(module.body)
    for index, stmt in enumerate(body):
        if isinstance(stmt, cst.SimpleStatementLine) and _assigns_all(stmt):
            body[index] = stmt.visit(_RenameString(name, getter))  # type: ignore[assignment]
    return module.with_changes(body=body)


def _assigns_all(stmt: cst.SimpleStatementLine) -> bool:
    for small in stmt.body:
        targets: list[cst.BaseExpression] = []
        if isinstance(small, cst.Assign):
            targets = [t.target for t in small.targets]
        elif isinstance(small, (cst.AugAssign, cst.AnnAssign)):
            targets = [small.target]
        if any(isinstance(t, cst.Name) and t.value == "__all__" for t in targets):
            return True
    return False


class _RenameString(cst.CSTTransformer):
    def __init__(self, name: str, getter: str) -> None:
        self.name = name
        self.getter = getter

    def leave_SimpleString(self, original: cst.SimpleString, updated: cst.SimpleString) -> cst.SimpleString:
        if original.evaluated_value == self.name:
            quote = original.quote
            return updated.with_changes(value=f"{original.prefix}{quote}{self.getter}{quote}")
        return updated
