"""Which functions read a module-level name, answered with stdlib `ast` when that is simple.

SL101's function-local fix imports a moved name into every (outermost) function that
reads it. LibCST's scope analysis answers that for any code, but resolving it (with
positions) costs several times LibCST's own parse: most of a `--fix` run. In the
usual case, where the name is only ever read, and only inside function bodies, the
answer needs no scope analysis: the functions around the reads. This module gives
that answer, mapped onto the LibCST tree by the order of definitions, and says when
the case is not simple (the caller then asks LibCST).
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Iterator

import libcst as cst

_COMPOUND = (
    ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.For, ast.AsyncFor, ast.While,
    ast.With, ast.AsyncWith, ast.Try, ast.Match,
    *((ast.TryStar,) if hasattr(ast, "TryStar") else ()),
)
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef)


class Unsure(Exception):
    """The simple answer may be wrong here: use LibCST's scope analysis."""


class AstUses:
    """One module's text parsed by `ast`, aligned with its LibCST tree."""

    def __init__(self, module: cst.Module, text: str) -> None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self.tree = ast.parse(text)
        except (SyntaxError, ValueError):
            raise Unsure("the running Python cannot parse the file") from None
        self.module = module

    def top_level_at(self, line: int) -> cst.SimpleStatementLine | cst.BaseCompoundStatement:
        """The LibCST module-level statement holding `line`. LibCST keeps `a; b` as one
        statement line where `ast` has two statements: group them the same way."""
        groups: list[tuple[int, int]] = []  # (first line, last line) per LibCST statement
        previous: ast.stmt | None = None
        for stmt in self.tree.body:
            end = stmt.end_lineno or stmt.lineno
            joins = (
                previous is not None
                and not isinstance(previous, _COMPOUND)
                and not isinstance(stmt, _COMPOUND)
                and stmt.lineno == (previous.end_lineno or previous.lineno)
            )
            if joins:
                groups[-1] = (groups[-1][0], end)
            else:
                groups.append((_first_line(stmt), end))
            previous = stmt
        if len(groups) != len(self.module.body):
            raise Unsure("the statements do not line up")
        for index, (first, last) in enumerate(groups):
            if first <= line <= last:
                return self.module.body[index]
        raise Unsure(f"no statement at line {line}")

    def functions_reading(self, names: set[str], line: int) -> set[cst.FunctionDef]:
        """The outermost functions whose bodies read `names` (bound by the import at
        `line`), or Unsure unless every other use of the names is a plain read inside
        a function body."""
        moved = {
            id(alias)
            for stmt in self.tree.body
            if stmt.lineno <= line <= (stmt.end_lineno or stmt.lineno)
            for node in ast.walk(stmt)
            if isinstance(node, (ast.Import, ast.ImportFrom)) and node.lineno <= line <= (node.end_lineno or node.lineno)
            for alias in node.names
        }
        defs: list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, tuple[int, ...]]] = []
        readers: set[int] = set()
        for node, owner in _walk(self.tree.body, (), defs):
            if isinstance(node, ast.Name) and node.id in names:
                if not isinstance(node.ctx, ast.Load):
                    raise Unsure(f"'{node.id}' is assigned or deleted")
                if not owner:
                    raise Unsure(f"'{node.id}' is read at import time")
                readers.add(owner[-1])
            elif isinstance(node, (ast.Global, ast.Nonlocal)) and names & set(node.names):
                raise Unsure("the name is declared global or nonlocal")
            elif isinstance(node, ast.arg) and node.arg in names:
                raise Unsure("a parameter has the name")
            elif isinstance(node, ast.alias) and id(node) not in moved and (node.asname or node.name.split(".")[0]) in names:
                raise Unsure("another import binds the name")
            elif isinstance(node, (*_DEFS, ast.ClassDef)) and (node.name in names or getattr(node, "type_params", None)):
                raise Unsure("a definition binds the name, or has type parameters")
            elif isinstance(node, ast.ExceptHandler) and node.name in names:
                raise Unsure("an except clause binds the name")
            elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name in names:
                raise Unsure("a match pattern binds the name")
            elif isinstance(node, ast.MatchMapping) and node.rest in names:
                raise Unsure("a match pattern binds the name")
            elif isinstance(node, _DEFS) and _annotations_mention(node, names):
                raise Unsure("an annotation reads the name")
            elif isinstance(node, ast.AnnAssign) and _mentions(node.annotation, names):
                raise Unsure("an annotation reads the name")
            elif isinstance(node, (ast.Subscript, ast.Call)) and _hint_strings_mention(node, names):
                raise Unsure("a string in a type hint may name it")
        # Keep the outermost: a nested function sees its enclosing function's import.
        outermost = {i for i in readers if not readers.intersection(defs[i][1])}
        found = _cst_functions(self.module)
        if len(found) != len(defs) or any(found[i].name.value != defs[i][0].name for i in outermost):
            raise Unsure("the definitions do not line up")
        return {found[i] for i in outermost}


def _first_line(stmt: ast.stmt) -> int:
    decorators = getattr(stmt, "decorator_list", None)
    return min([stmt.lineno, *(d.lineno for d in decorators)]) if decorators else stmt.lineno


Defs = list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, tuple[int, ...]]]


def _walk(body: list[ast.stmt], owner: tuple[int, ...], defs: Defs) -> Iterator[tuple[ast.AST, tuple[int, ...]]]:
    """Every node with the functions (indices in `defs`, source order; innermost last)
    whose body evaluates it: () at import time. Each def is added to `defs` with the
    functions around it. A def's decorators, defaults and annotations run in the
    enclosing scope; lambdas, classes and comprehensions have no import of their own,
    so their reads belong to the enclosing function."""
    for stmt in body:
        if isinstance(stmt, _DEFS):
            index = len(defs)
            defs.append((stmt, owner))
            yield stmt, owner
            a = stmt.args
            for outer in (*stmt.decorator_list, *a.defaults, *(d for d in a.kw_defaults if d is not None)):
                yield from _nodes(outer, owner)
            for arg in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg):
                if arg is not None:
                    yield arg, owner
            yield from _walk(stmt.body, (*owner, index), defs)
            continue
        yield stmt, owner
        # Fields in source order (a try's handlers come before its else and finally).
        for name, value in ast.iter_fields(stmt):
            if name in ("body", "orelse", "finalbody"):
                yield from _walk(value, owner, defs)
            elif name == "handlers":
                for handler in value:
                    yield handler, owner
                    if handler.type is not None:
                        yield from _nodes(handler.type, owner)
                    yield from _walk(handler.body, owner, defs)
            elif name == "cases":
                for case in value:
                    yield from _nodes(case.pattern, owner)
                    if case.guard is not None:
                        yield from _nodes(case.guard, owner)
                    yield from _walk(case.body, owner, defs)
            elif isinstance(value, ast.AST):
                yield from _nodes(value, owner)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        yield from _nodes(item, owner)


def _nodes(node: ast.AST, owner: tuple[int, ...]) -> Iterator[tuple[ast.AST, tuple[int, ...]]]:
    """An expression's nodes (no statement, so no definition, is inside one)."""
    for inner in ast.walk(node):
        yield inner, owner


def _mentions(node: ast.AST | None, names: set[str]) -> bool:
    """A name node, or a string, under `node` names one of `names`."""
    return node is not None and any(
        (isinstance(n, ast.Name) and n.id in names) or _string_names(n, names) for n in ast.walk(node)
    )


def _string_names(node: ast.AST, names: set[str]) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and any(x in node.value for x in names)


def _annotations_mention(node: ast.FunctionDef | ast.AsyncFunctionDef, names: set[str]) -> bool:
    a = node.args
    args = (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg)
    return _mentions(node.returns, names) or any(arg is not None and _mentions(arg.annotation, names) for arg in args)


def _hint_strings_mention(node: ast.Subscript | ast.Call, names: set[str]) -> bool:
    """A string naming one of `names` in a subscript (`List["torch.Tensor"]`) or a call
    (`cast("torch.Tensor", x)`, `TypeVar("T", bound="...")`): LibCST may read it as a
    type hint, which changes what the fix must do."""
    if isinstance(node, ast.Call):
        func = node.func
        callee = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if callee not in _HINT_CALLS:
            return False
    return any(_string_names(n, names) for n in ast.walk(node))


_HINT_CALLS = frozenset({"cast", "TypeVar", "NewType"})  # whose strings LibCST reads as type hints


def _cst_functions(module: cst.Module) -> list[cst.FunctionDef]:
    """Every function definition of the LibCST tree, in source order."""
    found: list[cst.FunctionDef] = []

    class Collect(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            found.append(node)

    module.visit(Collect())
    return found
