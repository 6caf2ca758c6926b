"""Statements that must become lazy together, decided from the import-time model alone.

A cached accessor for `engine = create_engine(...)` is no use while
`Session = sessionmaker(engine)` still reads `engine` at import time, and a
download in a module-level `if` cannot move while `model = joblib.load(path)`
right after it expects the file. The group of a statement is that statement plus
everything that has to move with it:

- every module-level statement that reads a name the group binds, at import time;
- after a statement that only has a side effect (binds no name: `nltk.download(...)`,
  `if not exists: download()`), every later statement whose import-time work may need
  it: a call the catalog knows does I/O (`joblib.load(path)` after the download of
  `path`), or a call into a third-party package the side effect also calls
  (`stopwords.words()` after `nltk.download()`). Decorators do not count; a class body
  or default that does such work stops the fix. Other later work stays at import:
  `app = FastAPI()` must stay a module attribute for the server to find it.

Each member becomes a cached function: `NAME = value` an accessor, side-effect
statements one function that the accessors and functions defined after them
call first. The group cannot be built when a member would have to be a `def`,
`class`, import or a statement binding names some other way (the reason says which).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

from startlint.python import model as m

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


def lazy_group(module: m.Module, line: int, does_io: Callable[[str], bool] = lambda q: False) -> Group | str:
    """The group of the module-level statement holding `line`, or why there is none.

    `does_io` tells a call the catalog knows does I/O (see the module's docstring)."""
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
            packages = _third_party(_calls_in(module, stmt))
            followers += [
                (later, f"line {later.line} may need the side effect and cannot be deferred with it")
                for later in statements
                if later.line > stmt.end_line and _needs(_calls_in(module, later), packages, does_io)
            ]
        for later, reason in followers:
            if later.line in members:
                continue
            if later.kind not in _GROUPABLE or later.line < stmt.line:
                return reason
            members[later.line] = later
            pending.append(later)
    return Group(tuple(members[k] for k in sorted(members)))


def _calls_in(module: m.Module, stmt: m.Statement) -> list[str]:
    """The resolved import-time calls of a statement, decorators left out (they only
    register the function: `@app.get("/")`)."""
    return [
        c.qualname
        for c in module.calls
        if stmt.line <= c.stmt_line <= stmt.end_line and c.qualname and m.CTX_DECORATOR not in c.context
    ]


def _third_party(calls: list[str]) -> frozenset[str]:
    tops = {q.split(".", 1)[0] for q in calls}
    return frozenset(t for t in tops if t.isidentifier() and t not in sys.stdlib_module_names)


def _needs(calls: list[str], packages: frozenset[str], does_io: Callable[[str], bool]) -> bool:
    return any(q.split(".", 1)[0] in packages or does_io(q) for q in calls)
