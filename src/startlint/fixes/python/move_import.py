"""SL101's fixes: `lazy import`, `__lazy_modules__`, imports moved into functions or under
`if TYPE_CHECKING:`.

Which names move: those the statement binds from a heavy module (`import os, torch`
moves `torch` only). A statement inside `try: ... except ImportError:` moves as a
whole (the guard included) when the `try` holds nothing else.
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst
from libcst.metadata import ClassScope, ComprehensionScope, FunctionScope, GlobalScope, Scope

from startlint.fixes import plan
from startlint.fixes.python.cst import (
    FixAborted,
    Located,
    after_imports_index,
    dotted_name,
    ensure_future_annotations,
    ensure_import,
    import_statement,
    insertion_index,
    prepend_to_function,
    references,
    remove_statement,
    Statement,
)

IsHeavy = Callable[[str], bool]

_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError"}


def fix_heavy_import(module: cst.Module, line: int, strategy: str, is_heavy: IsHeavy) -> cst.Module:
    located = Located(module, scopes=strategy in (plan.FUNCTION_LOCAL, plan.TYPE_CHECKING_BLOCK))
    module = located.module
    stmt = located.top_level_at(line)
    index = list(module.body).index(stmt)
    guard: cst.Try | None = None
    if isinstance(stmt, cst.Try):
        guard, stmt = stmt, _guarded_import(stmt)
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        raise FixAborted("not a single import statement")
    node = stmt.body[0]
    if not isinstance(node, (cst.Import, cst.ImportFrom)) or isinstance(node.names, cst.ImportStar):
        raise FixAborted("not a movable import")
    moving = [a for a in node.names if _alias_is_heavy(node, a, is_heavy)]
    if not moving:
        raise FixAborted("no heavy name in the statement")

    if strategy == plan.LAZY_KEYWORD:
        return _lazy_keyword(module, index, stmt, node)
    if strategy == plan.LAZY_MODULES:
        return _lazy_modules(module, node, moving)

    names = [_bound(node, a) for a in moving]
    functions, in_annotations = _uses(located, names)
    body = list(module.body)
    moved = _moved_statement(node, moving)
    if guard is not None:
        if len(moving) != len(node.names):
            raise FixAborted("a guarded import of several names")
        moved_block: Statement = guard.with_changes(leading_lines=[])
    else:
        moved_block = moved
    # 1. Import them where they are used (first: the transformer matches original nodes).
    if functions:
        module = module.visit(_PrependTo(functions, moved_block))
        body = list(module.body)
    # 2. Remove the names from the module-level statement.
    remaining = [a for a in node.names if a not in moving]
    if remaining:
        last = remaining[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        remaining = [*remaining[:-1], last]
        new_node = node.with_changes(names=remaining)
        if isinstance(new_node, cst.ImportFrom) and len(remaining) == 1:
            new_node = new_node.with_changes(lpar=None, rpar=None)
        body[index] = stmt.with_changes(body=[new_node])
    else:
        remove_statement(body, index)
    new_module = module.with_changes(body=body)
    if in_annotations:
        new_module = _add_type_checking_import(new_module, moved)
    return new_module


def _guarded_import(stmt: cst.Try) -> Statement:
    """The import inside `try: import x / except ImportError: x = None`, or abort."""
    if stmt.orelse is not None or stmt.finalbody is not None or len(stmt.body.body) != 1:
        raise FixAborted("the try block does more than import")
    inner = stmt.body.body[0]
    if not isinstance(inner, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
        raise FixAborted("the try block does more than import")
    for handler in stmt.handlers:
        caught = handler.type
        names = (
            [dotted_name(e.value) for e in caught.elements]
            if isinstance(caught, cst.Tuple)
            else [dotted_name(caught)]
        )
        if not names or not all(n.rsplit(".", 1)[-1] in _IMPORT_ERRORS for n in names):
            raise FixAborted("the try block catches more than ImportError")
    return inner


def _alias_is_heavy(node: cst.Import | cst.ImportFrom, alias: cst.ImportAlias, is_heavy: IsHeavy) -> bool:
    name = dotted_name(alias.name)
    if isinstance(node, cst.Import):
        return is_heavy(name)
    if node.relative:
        return False
    base = dotted_name(node.module)
    return is_heavy(base) or is_heavy(f"{base}.{name}")


def _bound(node: cst.Import | cst.ImportFrom, alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    name = dotted_name(alias.name)
    return name.split(".")[0] if isinstance(node, cst.Import) else name


def _moved_statement(node: cst.Import | cst.ImportFrom, moving: list[cst.ImportAlias]) -> cst.SimpleStatementLine:
    pairs = [
        (dotted_name(a.name), a.asname.name.value if a.asname and isinstance(a.asname.name, cst.Name) else None)
        for a in moving
    ]
    if isinstance(node, cst.Import):
        return import_statement(pairs, None, 0)
    return import_statement(pairs, dotted_name(node.module) or None, len(node.relative))


def _uses(located: Located, names: list[str]) -> tuple[set[cst.FunctionDef], bool]:
    """The functions to import into, and whether annotations use the names."""
    assert located.scopes is not None
    global_scope = next((s for s in located.scopes.values() if isinstance(s, GlobalScope)), None)
    if global_scope is None:
        raise FixAborted("no module scope")
    functions: set[cst.FunctionDef] = set()
    in_annotations = False
    for name in names:
        for access in references(global_scope, name):
            if access.is_annotation or access.is_type_hint:
                in_annotations = True
                continue
            scope = access.scope
            function = _enclosing_function(scope)
            if function is None:
                raise FixAborted(f"'{name}' is used at import time")
            functions.add(function)
        for scope in {a.scope for a in references(global_scope, name)}:
            if isinstance(scope, FunctionScope) and name in scope.assignments:
                raise FixAborted(f"'{name}' is also assigned inside a function")
    # Keep the outermost: a nested function sees its enclosing function's import.
    outermost = {f for f in functions if not _has_ancestor_in(f, functions, located)}
    return outermost, in_annotations


def _enclosing_function(scope: Scope | None) -> cst.FunctionDef | None:
    while scope is not None and not isinstance(scope, GlobalScope):
        if isinstance(scope, FunctionScope) and isinstance(scope.node, cst.FunctionDef):
            return scope.node
        if isinstance(scope, FunctionScope):  # a lambda: its enclosing function's import serves
            scope = scope.parent
            continue
        if isinstance(scope, (ClassScope, ComprehensionScope)):
            scope = scope.parent
            if isinstance(scope, GlobalScope):
                return None
            continue
        scope = scope.parent
    return None


def _has_ancestor_in(func: cst.FunctionDef, functions: set[cst.FunctionDef], located: Located) -> bool:
    start, end = located.positions[func].start, located.positions[func].end
    for other in functions:
        if other is func:
            continue
        o_start, o_end = located.positions[other].start, located.positions[other].end
        if (o_start.line, o_start.column) <= (start.line, start.column) and (end.line, end.column) <= (o_end.line, o_end.column):
            return True
    return False


class _PrependTo(cst.CSTTransformer):
    def __init__(self, functions: set[cst.FunctionDef], stmt: Statement) -> None:
        self.functions = functions
        self.stmt = stmt

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        if original in self.functions:
            return prepend_to_function(updated, self.stmt)
        return updated


def _add_type_checking_import(module: cst.Module, moved: cst.SimpleStatementLine) -> cst.Module:
    module = ensure_future_annotations(module)
    module = ensure_import(module, "TYPE_CHECKING", "from typing import TYPE_CHECKING")
    nl = module.default_newline
    indent = module.default_indent
    code = module.code_for_node(moved).strip()
    block = cst.parse_statement(f"if TYPE_CHECKING:{nl}{indent}{code}{nl}")
    body = list(module.body)
    index = after_imports_index(body)
    block = block.with_changes(leading_lines=[cst.EmptyLine(indent=False)])
    body.insert(index, block)
    return module.with_changes(body=body)


def _lazy_keyword(
    module: cst.Module, index: int, stmt: cst.SimpleStatementLine, node: cst.Import | cst.ImportFrom
) -> cst.Module:
    lazy: cst.BaseSmallStatement
    if isinstance(node, cst.Import):
        lazy = cst.LazyImport(names=node.names)
    else:
        lazy = cst.LazyImportFrom(
            module=node.module,
            names=node.names,
            relative=node.relative,
            lpar=node.lpar,
            rpar=node.rpar,
        )
    body = list(module.body)
    body[index] = stmt.with_changes(body=[lazy])
    return module.with_changes(body=body)


def _lazy_modules(module: cst.Module, node: cst.Import | cst.ImportFrom, moving: list[cst.ImportAlias]) -> cst.Module:
    """Add the modules to `__lazy_modules__` (PEP 810's form that older Pythons ignore)."""
    if isinstance(node, cst.Import):
        wanted = [dotted_name(a.name) for a in moving]
    else:
        wanted = [dotted_name(node.module)]
    body = list(module.body)
    for i, stmt in enumerate(body):
        if (
            isinstance(stmt, cst.SimpleStatementLine)
            and isinstance(stmt.body[0], cst.Assign)
            and any(dotted_name(t.target) == "__lazy_modules__" for t in stmt.body[0].targets)
        ):
            value = stmt.body[0].value
            if not isinstance(value, (cst.List, cst.Tuple, cst.Set)):
                raise FixAborted("__lazy_modules__ is not a literal list")
            present = {e.value.evaluated_value for e in value.elements if isinstance(e.value, cst.SimpleString)}
            extra = [m for m in wanted if m not in present]
            if not extra:
                return module
            elements = [*value.elements]
            if elements:
                elements[-1] = elements[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            elements += [cst.Element(cst.SimpleString(repr(m))) for m in extra]
            body[i] = stmt.with_changes(body=[stmt.body[0].with_changes(value=value.with_changes(elements=elements))])
            return module.with_changes(body=body)
    # It must be set before the imports run, so it goes above them.
    listed = ", ".join(repr(m) for m in wanted)
    line = cst.parse_statement(f"__lazy_modules__ = [{listed}]{module.default_newline}")
    body.insert(insertion_index(body), line)
    return module.with_changes(body=body)
