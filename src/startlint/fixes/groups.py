"""Statements that must become lazy together, decided from the import-time model alone.

A cached accessor for `engine = create_engine(...)` is no use while
`Session = sessionmaker(engine)` still reads `engine` at import time, and a
download in a module-level `if` cannot move while `model = joblib.load(path)`
right after it expects the file. The group of a statement is that statement plus
everything that has to move with it:

- every module-level statement that reads a name the group binds, at import time;
- after a statement that only has a side effect (binds no name: `nltk.download(...)`,
  `if not exists: download()`), every later statement that does import-time work
  that may depend on it (any call but a few known-harmless ones and decorators); a
  class body or default that does such work stops the fix.

Each member becomes a cached function: `NAME = value` an accessor, side-effect
statements one function that the accessors and functions defined after them
call first. The group cannot be built when a member would have to be a `def`,
`class`, import or a statement binding names some other way (the reason says which).
"""

from __future__ import annotations

from dataclasses import dataclass

from startlint.python import model as m

# Calls whose result cannot depend on a side effect earlier in the module: building
# regexes, loggers, containers and type machinery, reading the environment.
_HARMLESS_MODULES = ("re.", "logging.", "typing.", "collections.", "enum.", "functools.", "dataclasses.", "string.")
_HARMLESS_CALLS = frozenset(
    {
        "os.environ.get", "os.getenv", "pathlib.Path", "frozenset", "set", "dict", "list", "tuple",
        "int", "float", "str", "bool", "len", "sorted", "range", "object", "TypeVar", "typing.TypeVar",
    }
)
_GROUPABLE = (m.STMT_VALUE, m.STMT_EFFECT)


@dataclass(frozen=True)
class Group:
    members: tuple[m.Statement, ...]  # in source order

    @property
    def names(self) -> tuple[str, ...]:
        """The names that become accessors."""
        return tuple(s.binds[0] for s in self.members if s.kind == m.STMT_VALUE)

    @property
    def has_effect(self) -> bool:
        return any(s.kind == m.STMT_EFFECT for s in self.members)


def statement_at(module: m.Module, line: int) -> m.Statement | None:
    for stmt in module.statements:
        if stmt.line <= line <= stmt.end_line:
            return stmt
    return None


def lazy_group(module: m.Module, line: int) -> Group | str:
    """The group of the module-level statement holding `line`, or why there is none."""
    seed = statement_at(module, line)
    if seed is None:
        return "the statement is not at module level"
    if seed.kind not in _GROUPABLE:
        return "only a plain `NAME = value` assignment or a statement that binds nothing can be deferred"
    statements = module.statements
    members: dict[int, m.Statement] = {seed.line: seed}
    pending = [seed]
    while pending:
        stmt = pending.pop()
        for name in stmt.binds:
            kinds = [b.kind for b in module.bindings if b.name == name]
            if kinds != ["assign"]:
                return f"'{name}' is bound more than once, deleted or declared global"
        followers: list[tuple[m.Statement, str]] = [
            (later, f"'{name}' is used at import time at line {later.line}")
            for later in statements
            for name in stmt.binds
            if name in later.reads and later.line != stmt.line
        ]
        if stmt.kind == m.STMT_EFFECT:
            followers += [
                (later, f"line {later.line} may depend on the side effect and cannot be deferred with it")
                for later in statements
                if later.line > stmt.end_line and _does_work(module, later)
            ]
        for later, reason in followers:
            if later.line in members:
                continue
            if later.kind not in _GROUPABLE or later.line < stmt.line:
                return reason
            members[later.line] = later
            pending.append(later)
    return Group(tuple(members[k] for k in sorted(members)))


def _does_work(module: m.Module, stmt: m.Statement) -> bool:
    """Whether the statement calls something at import that may need an earlier side
    effect (a decorator only registers the function: `@app.get("/")` does not count)."""
    for call in module.calls:
        if stmt.line <= call.stmt_line <= stmt.end_line and m.CTX_DECORATOR not in call.context:
            name = call.qualname or call.dotted
            if name is None or not (name in _HARMLESS_CALLS or name.startswith(_HARMLESS_MODULES)):
                return True
    return False
