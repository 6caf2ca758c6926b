"""LibCST helpers the Python fixes share: parsing, finding statements, adding imports."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst
from libcst.metadata import Access, CodeRange, GlobalScope, MetadataWrapper, PositionProvider, ScopeProvider

_CONFIG = cst.PartialParserConfig(python_version="3.14")

# What a module or block body holds.
Statement = cst.SimpleStatementLine | cst.BaseCompoundStatement


class FixAborted(Exception):
    """The fix cannot be applied safely here; the finding stays, without a fix."""


def parse(text: str) -> cst.Module:
    try:
        return cst.parse_module(text, config=_CONFIG)
    except cst.ParserSyntaxError:
        return cst.parse_module(text)


def wrap(module: cst.Module) -> MetadataWrapper:
    return MetadataWrapper(module, unsafe_skip_copy=True)


class Located:
    """Positions and scopes of one module, resolved once."""

    def __init__(self, module: cst.Module, scopes: bool = False) -> None:
        self.wrapper = wrap(module)
        self.module = self.wrapper.module
        self.positions: dict[cst.CSTNode, CodeRange] = dict(self.wrapper.resolve(PositionProvider))
        self.scopes = self.wrapper.resolve(ScopeProvider) if scopes else None

    def line(self, node: cst.CSTNode) -> int:
        return self.positions[node].start.line

    def global_scope(self) -> GlobalScope:
        """The module's scope (resolved with `scopes=True`)."""
        assert self.scopes is not None
        return next(s for s in self.scopes.values() if isinstance(s, GlobalScope))

    def top_level_at(self, line: int) -> Statement:
        """The module-level statement whose first line is `line` (or that contains it)."""
        for stmt in self.module.body:
            pos = self.positions[stmt]
            if pos.start.line <= line <= pos.end.line:
                return stmt
        raise FixAborted(f"no statement at line {line}")


def import_statement(alias_names: Sequence[tuple[str, str | None]], module: str | None, level: int) -> cst.SimpleStatementLine:
    """`import a as b` / `from .m import x as y` as a statement line."""
    names = [
        cst.ImportAlias(
            name=_dotted(name),
            asname=cst.AsName(cst.Name(asname)) if asname else None,
        )
        for name, asname in alias_names
    ]
    names = [n.with_changes(comma=cst.MaybeSentinel.DEFAULT) for n in names]
    if module is None and level == 0:
        return cst.SimpleStatementLine([cst.Import(names=names)])
    return cst.SimpleStatementLine(
        [
            cst.ImportFrom(
                module=_dotted(module) if module else None,
                names=names,
                relative=[cst.Dot()] * level,
            )
        ]
    )


def _dotted(name: str) -> cst.Attribute | cst.Name:
    parts = name.split(".")
    node: cst.Attribute | cst.Name = cst.Name(parts[0])
    for part in parts[1:]:
        node = cst.Attribute(value=node, attr=cst.Name(part))
    return node


def dotted_name(node: cst.BaseExpression | None) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{dotted_name(node.value)}.{node.attr.value}"
    return ""


def is_docstring(stmt: cst.CSTNode) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def insertion_index(body: Sequence[Statement]) -> int:
    """Where module-level imports go: after the docstring and `from __future__` imports."""
    index = 0
    if body and is_docstring(body[0]):
        index = 1
    while index < len(body) and _is_future_import(body[index]):
        index += 1
    return index


def _is_future_import(stmt: Statement) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and any(isinstance(s, cst.ImportFrom) and dotted_name(s.module) == "__future__" for s in stmt.body)
    )


def is_import_line(stmt: cst.CSTNode) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and all(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body
    )


def after_imports_index(body: Sequence[Statement]) -> int:
    """Just after the leading block of module-level imports."""
    index = insertion_index(body)
    while index < len(body) and (is_import_line(body[index]) or _is_guard_block(body[index])):
        index += 1
    return index


def _is_guard_block(stmt: Statement) -> bool:
    """`try: import x / except ImportError: ...` and `if TYPE_CHECKING:` blocks among imports."""
    if isinstance(stmt, cst.Try):
        return all(is_import_line(s) for s in stmt.body.body)
    if isinstance(stmt, cst.If):
        return dotted_name(stmt.test).endswith("TYPE_CHECKING")
    return False


def binds(module: cst.Module, name: str) -> bool:
    """Whether the module binds `name` at the top level (imports, defs, assignments)."""
    for stmt in module.body:
        for node in _top_level_targets(stmt):
            if node == name:
                return True
    return False


def _top_level_targets(stmt: cst.CSTNode) -> list[str]:
    out: list[str] = []
    if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
        out.append(stmt.name.value)
    elif isinstance(stmt, cst.SimpleStatementLine):
        for small in stmt.body:
            if isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(small.names, cst.ImportStar):
                for alias in small.names:
                    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                        out.append(alias.asname.name.value)
                    elif isinstance(small, cst.Import):
                        out.append(dotted_name(alias.name).split(".")[0])
                    else:
                        out.append(dotted_name(alias.name))
            elif isinstance(small, cst.Assign):
                out += [t.target.value for t in small.targets if isinstance(t.target, cst.Name)]
            elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                out.append(small.target.value)
    elif isinstance(stmt, (cst.If, cst.Try)):
        for inner in stmt.body.body:
            out += _top_level_targets(inner)
    return out


def streamlit_alias(module: cst.Module) -> str:
    """The name a module-level `import streamlit [as st]` binds."""
    for stmt in module.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Import):
                    for alias in small.names:
                        if dotted_name(alias.name) == "streamlit":
                            asname = alias.asname.name if alias.asname else None
                            return asname.value if isinstance(asname, cst.Name) else "streamlit"
    raise FixAborted("the script does not import streamlit at module level")


def ensure_import(module: cst.Module, name: str, statement: str) -> cst.Module:
    """Add `statement` (binding `name`) among the module's imports unless `name` is bound."""
    if binds(module, name):
        return module
    line = cst.parse_statement(statement + module.default_newline)
    body = list(module.body)
    index = insertion_index(body)
    blank = cst.EmptyLine(indent=False)
    if index < len(body) and not is_import_line(body[index]):
        if index > 0:
            line = line.with_changes(leading_lines=[blank])
        body[index] = body[index].with_changes(leading_lines=[blank, blank, *_comments(body[index])])
    elif index < len(body) and not _is_stdlib(body[index]):
        # A new standard-library section above the third-party one, as isort lays them out.
        line = line.with_changes(leading_lines=body[index].leading_lines)
        body[index] = body[index].with_changes(leading_lines=[blank])
    elif index < len(body):
        # Keep the standard-library section sorted, as isort would.
        key = _import_key(line)
        first = index
        while (
            index < len(body)
            and is_import_line(body[index])
            and (index == first or not body[index].leading_lines)
            and _import_key(body[index]) < key
        ):
            index += 1
        if index == first and body[index].leading_lines:
            line = line.with_changes(leading_lines=body[index].leading_lines)
            body[index] = body[index].with_changes(leading_lines=[])
    body.insert(index, line)
    return module.with_changes(body=body)


def _comments(stmt: cst.CSTNode) -> list[cst.EmptyLine]:
    return [line for line in getattr(stmt, "leading_lines", ()) if line.comment is not None]


def _is_stdlib(stmt: Statement) -> bool:
    import sys

    key = _import_key(stmt)[1]
    return not key.startswith(".") and key.split(".")[0] in sys.stdlib_module_names


def _import_key(stmt: Statement) -> tuple[int, str]:
    """isort's default order: `import x` lines first, then `from x import`, by module."""
    if isinstance(stmt, cst.SimpleStatementLine):
        node = stmt.body[0]
        if isinstance(node, cst.Import):
            return (0, dotted_name(node.names[0].name).lower())
        if isinstance(node, cst.ImportFrom):
            return (1, "." * len(node.relative) + dotted_name(node.module).lower())
    return (2, "")


def ensure_future_annotations(module: cst.Module) -> cst.Module:
    for stmt in module.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if (
                    isinstance(small, cst.ImportFrom)
                    and dotted_name(small.module) == "__future__"
                    and not isinstance(small.names, cst.ImportStar)
                    and any(dotted_name(a.name) == "annotations" for a in small.names)
                ):
                    return module
    body = list(module.body)
    index = 1 if body and is_docstring(body[0]) else 0
    line = cst.parse_statement("from __future__ import annotations" + module.default_newline)
    blank = cst.EmptyLine(indent=False)
    if index < len(body):
        # Its own section: a blank line above (after a docstring), and below one
        # (two before a definition, as PEP 8 lays them out).
        nxt = body[index]
        line = line.with_changes(leading_lines=[blank] if index else [])
        below = [blank] if is_import_line(nxt) else [blank, blank]
        body[index] = nxt.with_changes(leading_lines=[*below, *_comments(nxt)])
    body.insert(index, line)
    return module.with_changes(body=body)


def remove_statement(body: list[Statement], index: int) -> None:
    """Remove body[index], keeping any comment lines above it on the next statement."""
    removed = body.pop(index)
    comments = [line for line in removed.leading_lines if line.comment is not None]
    if index < len(body):
        nxt = body[index]
        leading = [*comments, *nxt.leading_lines]
        if index == 0:  # the file must not start with blank lines
            while leading and leading[0].comment is None:
                leading.pop(0)
        body[index] = nxt.with_changes(leading_lines=leading)


def two_blank_lines_before(stmt: Statement) -> Statement:
    """At least two blank lines above a statement that follows a new top-level def."""
    leading = list(stmt.leading_lines)
    blanks = 0
    while blanks < len(leading) and leading[blanks].comment is None:
        blanks += 1
    missing = max(0, 2 - blanks)
    return stmt.with_changes(leading_lines=[*(cst.EmptyLine(indent=False) for _ in range(missing)), *leading])


def prepend_to_function(func: cst.FunctionDef, stmt: Statement) -> cst.FunctionDef:
    """Insert `stmt` at the top of a function body, after its docstring, then a blank line."""
    body = func.body
    if isinstance(body, cst.SimpleStatementSuite):
        lines = [cst.SimpleStatementLine(body=[s.with_changes(semicolon=cst.MaybeSentinel.DEFAULT) for s in body.body])]
        body = cst.IndentedBlock(body=lines)
    assert isinstance(body, cst.IndentedBlock)
    statements: list[cst.BaseStatement] = list(body.body)
    index = 1 if statements and is_docstring(statements[0]) else 0
    stmt = stmt.with_changes(leading_lines=[])
    if index < len(statements):
        nxt = statements[index]
        leading = getattr(nxt, "leading_lines", ())
        if not is_import_line(nxt) and not (leading and leading[0].comment is None):
            statements[index] = nxt.with_changes(leading_lines=[cst.EmptyLine(indent=False), *leading])
    statements.insert(index, stmt)
    return func.with_changes(body=body.with_changes(body=statements))


def references(scope: GlobalScope, name: str) -> list[Access]:
    """Every read of the module-level `name`, in any nested scope."""
    found: list[Access] = []
    # LibCST files `import a.b` under the name "a.b" (reads of `a.b.c` are its
    # references); the plain "a" entry it also adds has none.
    assignments = [a for a in scope.assignments if a.name == name or a.name.startswith(name + ".")]
    for assignment in assignments:
        found += [a for a in assignment.references if a not in found]
    return found
