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
from startlint.fixes.python.ast_uses import AstUses, Unsure
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


def fix_heavy_import(
    module: cst.Module, line: int, strategy: str, is_heavy: IsHeavy, text: str | None = None
) -> cst.Module:
    """Apply an SL101 fix to the import at `line`; `text` is the module's source, which
    lets the function-local move find its functions with `ast` (see ast_uses)."""
    if strategy == plan.FUNCTION_LOCAL and text is not None:
        try:
            return _fix_heavy_import(AstUses(module, text), line, strategy, is_heavy)
        except Unsure:
            pass  # LibCST's scope analysis decides
    located = Located(module, scopes=strategy in (plan.FUNCTION_LOCAL, plan.TYPE_CHECKING_BLOCK))
    return _fix_heavy_import(located, line, strategy, is_heavy)


def _fix_heavy_import(located: Located | AstUses, line: int, strategy: str, is_heavy: IsHeavy) -> cst.Module:
    module = located.module
    stmt = located.top_level_at(line)
    index = list(module.body).index(stmt)
    guard: cst.Try | None = None
    if isinstance(stmt, cst.Try):
        guard, stmt = stmt, _guarded_import(stmt)
    if not isinstance(stmt, cst.SimpleStatementLine):
        raise FixAborted("not a simple import statement")
    # `import torch; import os`: the one heavy import among the line's statements.
    heavy = [
        (i, small)
        for i, small in enumerate(stmt.body)
        if isinstance(small, (cst.Import, cst.ImportFrom))
        and not isinstance(small.names, cst.ImportStar)
        and any(_alias_is_heavy(small, a, is_heavy) for a in small.names)
    ]
    if len(heavy) != 1 or (guard is not None and len(stmt.body) != 1):
        raise FixAborted("not a single heavy import statement")
    position, node = heavy[0]
    assert isinstance(node, (cst.Import, cst.ImportFrom)) and not isinstance(node.names, cst.ImportStar)
    moving = [a for a in node.names if _alias_is_heavy(node, a, is_heavy)]

    if strategy == plan.LAZY_KEYWORD:
        if len(stmt.body) != 1:
            raise FixAborted("'lazy import' needs the import on its own line")
        return _lazy_keyword(module, index, stmt, node)
    if strategy == plan.LAZY_MODULES:
        return _lazy_modules(module, node, moving)

    names = [_bound(node, a) for a in moving]
    if isinstance(located, AstUses):
        functions, in_annotations = located.functions_reading(set(names), line), False
    else:
        functions, in_annotations = _uses(located, names)
    if not functions and not in_annotations:
        # The planner saw uses; not finding them here means they are beyond what this
        # rewrite understands. Removing the import would break the module.
        raise FixAborted("no use of the imported name found")
    body = list(module.body)
    moved = _moved_statement(node, moving)
    if len(moving) == len(node.names) and len(stmt.body) == 1:
        # The whole line moves: its trailing comment goes with it.
        moved = moved.with_changes(trailing_whitespace=stmt.trailing_whitespace)
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
    others = [small for i, small in enumerate(stmt.body) if i != position]
    if remaining:
        last = remaining[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        remaining = [*remaining[:-1], last]
        new_node = node.with_changes(names=remaining)
        if isinstance(new_node, cst.ImportFrom) and len(remaining) == 1:
            new_node = new_node.with_changes(lpar=None, rpar=None)
        body[index] = stmt.with_changes(body=[*stmt.body[:position], new_node, *stmt.body[position + 1 :]])
    elif others:
        others[-1] = others[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        body[index] = stmt.with_changes(body=others)
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
    body = list(module.body)
    for i, stmt in enumerate(body):
        if isinstance(stmt, cst.If) and _is_type_checking(stmt.test) and isinstance(stmt.body, cst.IndentedBlock):
            # Join the existing block, as a new section after its own imports.
            inner = moved.with_changes(leading_lines=[cst.EmptyLine(indent=False)], trailing_whitespace=cst.TrailingWhitespace(newline=cst.Newline()))
            stmt_body = stmt.body.with_changes(body=[*stmt.body.body, inner])
            body[i] = stmt.with_changes(body=stmt_body)
            return module.with_changes(body=body)
    block = cst.parse_statement(f"if TYPE_CHECKING:{nl}{indent}{code}{nl}")
    index = after_imports_index(body)
    block = block.with_changes(leading_lines=[cst.EmptyLine(indent=False)])
    body.insert(index, block)
    return module.with_changes(body=body)


def _is_type_checking(test: cst.BaseExpression) -> bool:
    """`TYPE_CHECKING` or `typing.TYPE_CHECKING`."""
    return (isinstance(test, cst.Name) and test.value == "TYPE_CHECKING") or (
        isinstance(test, cst.Attribute) and test.attr.value == "TYPE_CHECKING" and dotted_name(test.value) == "typing"
    )


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
            elements += [cst.Element(cst.SimpleString(_quoted(m, module))) for m in extra]
            body[i] = stmt.with_changes(body=[stmt.body[0].with_changes(value=value.with_changes(elements=elements))])
            return module.with_changes(body=body)
    # It must be set before the imports run, so it goes above them.
    listed = ", ".join(_quoted(m, module) for m in wanted)
    line = cst.parse_statement(f"__lazy_modules__ = [{listed}]{module.default_newline}")
    at = insertion_index(body)
    if at < len(body):
        # The new line takes the blank lines above its successor, which gets one of its own.
        nxt = body[at]
        blank = [cst.EmptyLine(indent=False)]
        line = line.with_changes(leading_lines=[] if at == 0 else (nxt.leading_lines or blank))
        body[at] = nxt.with_changes(leading_lines=[*blank, *[l for l in nxt.leading_lines if l.comment is not None]])
    body.insert(at, line)
    return module.with_changes(body=body)


def _quoted(text: str, module: cst.Module) -> str:
    """A string literal in the quote style the module mostly uses (double by default)."""
    quotes = _QuoteCounter()
    module.visit(quotes)
    quote = "'" if quotes.single > quotes.double else '"'
    return f"{quote}{text}{quote}"


class _QuoteCounter(cst.CSTVisitor):
    def __init__(self) -> None:
        self.single = 0
        self.double = 0

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        quote = node.quote
        if quote.startswith("'"):
            self.single += 1
        elif quote.startswith('"') and quote != '"""':
            self.double += 1
