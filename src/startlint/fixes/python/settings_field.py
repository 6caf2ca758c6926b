"""The settings-field fix: work at import whose only reader is a settings class's field default.

    _credentials, _project = google.auth.default()

    class Settings(BaseSettings):
        gcp_project: str = _project or "demo"

    settings = Settings()

A class body runs at import, so no accessor defers the call while the default reads
its result. The default moves out of the class instead:

    @functools.cache
    def get_credentials_and_project():
        return google.auth.default()

    class Settings(BaseSettings):
        gcp_project: str | None = None

    settings = Settings()

    def get_gcp_project() -> str:
        if settings.gcp_project is not None:
            return settings.gcp_project
        _credentials, _project = get_credentials_and_project()
        return _project or "demo"

and every read of `settings.gcp_project`, here and in the first-party modules that
import `settings`, calls `get_gcp_project()`: the value set from the environment
wins as before, the default is computed on first use. Unsafe: `settings.gcp_project`
itself is now None when unset (`model_dump()`, code outside the project).
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import GlobalScope

from startlint.fixes.python.accessor import (
    AttributeReads,
    accessor_name,
    cached_function,
    dotted,
    fresh_name,
    imports_of,
    returning,
)
from startlint.fixes.python.cst import (
    FixAborted,
    Located,
    Statement,
    binds,
    dotted_name,
    ensure_import,
    references,
    two_blank_lines_before,
)

_FIELD_FACTORIES = frozenset({"Field", "pydantic.Field"})


def fix_settings_field(
    module: cst.Module, line: int, target_version: tuple[int, int]
) -> tuple[cst.Module, str, dict[str, str]]:
    """Returns the new module, the settings instance's name and the getter of each field."""
    located = Located(module, scopes=True)
    module = located.module
    global_scope = located.global_scope()
    seed = located.top_level_at(line)
    targets, value = _assignment(seed)
    # Where the names are read: only in field defaults of one class.
    fields: dict[cst.AnnAssign, cst.ClassDef] = {}
    for name in targets:
        if len(global_scope.assignments[name]) != 1:
            raise FixAborted(f"'{name}' is bound more than once")
        for access in references(global_scope, name):
            field, cls = _field_holding(located, access.node)
            fields[field] = cls
    classes = set(fields.values())
    if len(classes) != 1:
        raise FixAborted("the names are read outside one class's field defaults")
    (cls,) = classes
    instance, instance_stmt = _only_instance(located, global_scope, cls)
    reads = _attribute_reads(module, global_scope, instance)
    for field in fields:
        written = AttributeReads(frozenset({instance}), _field_name(field))
        module.visit(written)
        if written.written:
            raise FixAborted(f"'{instance}.{_field_name(field)}' is assigned or deleted")
    taken: set[str] = set()
    cached = _cached_name(targets, module, taken)
    getters = {_field_name(f): fresh_name(f"get_{_field_name(f)}", module, taken) for f in fields}
    nl, indent = module.default_newline, module.default_indent
    target_code = ", ".join(targets)
    getter_defs: list[Statement] = []
    for field in fields:
        field_name = _field_name(field)
        annotation = module.code_for_node(field.annotation.annotation)
        getter_defs.append(cst.parse_statement(
            f"def {getters[field_name]}() -> {annotation}:{nl}"
            f'{indent}"""`{instance}.{field_name}`, or its default, computed on first use."""{nl}'
            f"{indent}if {instance}.{field_name} is not None:{nl}"
            f"{indent}{indent}return {instance}.{field_name}{nl}"
            f"{indent}{target_code} = {cached}(){nl}"
            f"{indent}return {module.code_for_node(field.value)}{nl}"  # type: ignore[arg-type]
        ).with_changes(leading_lines=[cst.EmptyLine(indent=False)] * 2))
    # `T | None` where every supported Python reads it, else `Optional[T]`.
    pep604 = target_version >= (3, 10)
    new_cls = cls.visit(_NoneDefaults(set(fields), pep604))
    assert isinstance(new_cls, cst.ClassDef)
    body = list(module.body)
    seed_index, cls_index, instance_index = body.index(seed), body.index(cls), body.index(instance_stmt)
    if not seed_index < cls_index < instance_index:
        raise FixAborted("the class and its instance do not follow the assignment")
    body[cls_index] = new_cls
    body[instance_index + 1 : instance_index + 1] = getter_defs
    if instance_index + 1 + len(getter_defs) < len(body):
        body[instance_index + 1 + len(getter_defs)] = two_blank_lines_before(body[instance_index + 1 + len(getter_defs)])
    body[seed_index] = cached_function(module, cached, "", [returning(module, value)], seed, first=not seed_index)
    if seed_index + 1 < len(body):
        body[seed_index + 1] = two_blank_lines_before(body[seed_index + 1])
    calls: dict[cst.Attribute, cst.BaseExpression] = {
        node: cst.Name(getters[node.attr.value]) for node in reads if node.attr.value in getters
    }
    new = module.with_changes(body=body).visit(_CallIn(calls, {}, []))
    new = ensure_import(new, "functools", "import functools")
    if not pep604:
        new = ensure_import(new, "Optional", "from typing import Optional")
    return new, instance, getters


def _assignment(stmt: Statement) -> tuple[list[str], cst.BaseExpression]:
    """The names and value of `NAME = value` or `A, B = value`."""
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Assign):
        assign = stmt.body[0]
        if len(assign.targets) == 1:
            target = assign.targets[0].target
            if isinstance(target, cst.Name):
                return [target.value], assign.value
            if isinstance(target, (cst.Tuple, cst.List)) and all(
                isinstance(e, cst.Element) and isinstance(e.value, cst.Name) for e in target.elements
            ):
                return [e.value.value for e in target.elements], assign.value  # type: ignore[attr-defined]
    raise FixAborted("not a `NAME = value` or `A, B = value` assignment")


def _field_holding(located: Located, node: cst.CSTNode) -> tuple[cst.AnnAssign, cst.ClassDef]:
    """The annotated field of a module-level class whose default holds `node`."""
    where = located.positions[node].start
    for stmt in located.module.body:
        if not isinstance(stmt, cst.ClassDef) or not isinstance(stmt.body, cst.IndentedBlock):
            continue
        for line in stmt.body.body:
            if not (isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1):
                continue
            field = line.body[0]
            if isinstance(field, cst.AnnAssign) and isinstance(field.target, cst.Name) and field.value is not None:
                extent = located.positions[field.value]
                if (extent.start.line, extent.start.column) <= (where.line, where.column) <= (extent.end.line, extent.end.column):
                    if _is_field_factory(field.value):
                        raise FixAborted(f"the default of '{field.target.value}' is a Field(...)")
                    return field, stmt
    raise FixAborted(f"a read at line {where.line} is not in a class field's default")


def _is_field_factory(value: cst.BaseExpression) -> bool:
    return isinstance(value, cst.Call) and dotted_name(value.func) in _FIELD_FACTORIES


def _field_name(field: cst.AnnAssign) -> str:
    assert isinstance(field.target, cst.Name)
    return field.target.value


def _only_instance(located: Located, scope: GlobalScope, cls: cst.ClassDef) -> tuple[str, Statement]:
    """`instance = Cls()`, the class's only use in the module."""
    uses = references(scope, cls.name.value)
    if len(uses) != 1:
        raise FixAborted(f"'{cls.name.value}' is used more than once: other instances would need the default too")
    for stmt in located.module.body:
        if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Assign):
            assign = stmt.body[0]
            call = assign.value
            if (isinstance(call, cst.Call) and call.func is uses[0].node and len(assign.targets) == 1
                    and isinstance(assign.targets[0].target, cst.Name)):
                name = assign.targets[0].target.value
                if len(scope.assignments[name]) != 1:
                    raise FixAborted(f"'{name}' is bound more than once")
                return name, stmt
    raise FixAborted(f"'{cls.name.value}' is not instantiated once as `NAME = {cls.name.value}(...)`")


def _attribute_reads(module: cst.Module, scope: GlobalScope, instance: str) -> list[cst.Attribute]:
    """Every `instance.attr` in the module. Other uses (`dict(settings)`) stay: they see
    the field's own value, None when unset, which is why the fix is unsafe."""
    names: set[cst.CSTNode] = {access.node for access in references(scope, instance)}
    visitor = _OwnedAttributes(names)
    module.visit(visitor)
    return visitor.found


class _OwnedAttributes(cst.CSTVisitor):
    """`owner.attr` nodes whose owner is one of `names`."""

    def __init__(self, names: set[cst.CSTNode]) -> None:
        self.names = names
        self.found: list[cst.Attribute] = []

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.value in self.names:
            self.found.append(node)


def _cached_name(targets: list[str], module: cst.Module, taken: set[str]) -> str:
    if len(targets) == 1:
        return accessor_name(targets[0], module, taken)
    # `_` and other throwaway names do not name the value.
    parts = [t.strip("_") for t in targets if t.strip("_")]
    return fresh_name("get_" + ("_and_".join(parts) or "values"), module, taken)


class _NoneDefaults(cst.CSTTransformer):
    """The moved fields default to None, their annotations admitting it."""

    def __init__(self, fields: set[cst.AnnAssign], pep604: bool) -> None:
        self.fields = fields
        self.pep604 = pep604

    def leave_AnnAssign(self, original: cst.AnnAssign, updated: cst.AnnAssign) -> cst.AnnAssign:
        if original not in self.fields:
            return updated
        annotation = updated.annotation.annotation
        if self.pep604:
            widened: cst.BaseExpression = cst.BinaryOperation(
                left=annotation, operator=cst.BitOr(cst.SimpleWhitespace(" "), cst.SimpleWhitespace(" ")),
                right=cst.Name("None"),
            )
        else:
            widened = cst.Subscript(value=cst.Name("Optional"), slice=[cst.SubscriptElement(cst.Index(annotation))])
        return updated.with_changes(annotation=updated.annotation.with_changes(annotation=widened), value=cst.Name("None"))


def rewrite_settings_importer(
    module: cst.Module, instance: str, getters: dict[str, str], owners: frozenset[str]
) -> cst.Module:
    """In a module that reads the instance's fields, call their getters instead.

    `from config import settings` gains the getters and `settings.field` becomes
    `get_field()`; `config.settings.field`, through an expression naming the module
    (`owners`), becomes `config.get_field()`.
    """
    located = Located(module, scopes=True)
    module = located.module
    global_scope = located.global_scope()
    imports = {statement: bound for statement, _, bound in imports_of(module, instance)}
    calls: dict[cst.Attribute, cst.BaseExpression] = {}
    for bound in set(imports.values()):
        for node in _attribute_reads(module, global_scope, bound):
            if node.attr.value in getters:
                calls[node] = cst.Name(getters[node.attr.value])
    qualified = frozenset(f"{owner}.{instance}" for owner in owners)
    for field, getter in getters.items():
        written = AttributeReads(frozenset({*imports.values(), *qualified}), field)
        module.visit(written)
        if written.written:
            raise FixAborted(f"'{instance}.{field}' is assigned or deleted")
        for node in written.found:
            owner = node.value
            if isinstance(owner, cst.Attribute) and dotted(owner) in qualified:
                calls[node] = owner.with_changes(attr=cst.Name(getter))
    used = sorted({getters[node.attr.value] for node in calls if isinstance(calls[node], cst.Name)})
    if any(binds(module, name) for name in used):
        raise FixAborted("a getter's name is already bound in an importing module")
    return module.visit(_CallIn(calls, imports, used))


class _CallIn(cst.CSTTransformer):
    """Each read of a moved field calls its getter (`calls`: the attribute, as found before
    any change -> the getter); the first import of the instance gains the getters `used`."""

    def __init__(self, calls: dict[cst.Attribute, cst.BaseExpression], imports: dict[cst.ImportFrom, str], used: list[str]) -> None:
        self.calls = calls
        self.imports = imports
        self.used = used

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        func = self.calls.get(original)
        return cst.Call(func=func) if func is not None else updated

    def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom) -> cst.ImportFrom:
        if original not in self.imports or not self.used or isinstance(updated.names, cst.ImportStar):
            return updated
        names = [alias.with_changes(comma=cst.MaybeSentinel.DEFAULT) for alias in updated.names]
        added = [cst.ImportAlias(name=cst.Name(name)) for name in self.used]
        keys = [_alias_key(alias) for alias in names]
        if keys == sorted(keys):  # keep a sorted list sorted, as isort would
            names = sorted([*names, *added], key=_alias_key)
        else:
            names += added
        comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        names = [alias.with_changes(comma=comma) for alias in names[:-1]] + names[-1:]
        updated = updated.with_changes(names=names)
        self.used = []  # once, in the first import of the instance
        return updated


def _alias_key(alias: cst.ImportAlias) -> str:
    return cst.Module([]).code_for_node(alias.name).lower()
