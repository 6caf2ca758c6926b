"""The import-time model of one Python module: what runs when it is imported.

Rules read this model, never syntax trees, so that it can be built by either
extractor (stdlib `ast`, or LibCST for syntax newer than the running Python),
compared between them, and cached. Everything here is plain, ordered data.

Qualified names: a name bound by an import resolves through it
(`import boto3 as b; b.client` -> `boto3.client`); the result of a call is
written with `()` (`boto3.Session().client`); a name bound to a function or
class defined in the module is `<local>.name`; relative imports keep their
leading dots (`.models.User`). A name nothing binds resolves to None, or, in a
module with `from x import *`, to `*.name` (rules resolve `*` against catalogs).
"""

from __future__ import annotations

from dataclasses import dataclass

# Contexts an import-time event can be in (sorted tuples of these strings).
CTX_TRY = "try"  # inside the body of a `try`
CTX_IMPORT_GUARD = "import-guard"  # inside a `try` whose handlers catch ImportError
CTX_CONDITIONAL = "conditional"  # inside an `if` / `match` branch
CTX_LOOP = "loop"  # inside a `for` / `while` body
CTX_WITH = "with"  # inside a `with` block (or its header)
CTX_CLASS_BODY = "class-body"
CTX_DECORATOR = "decorator"
CTX_DEFAULT = "default"  # a default argument value
CTX_BASE_CLASS = "base-class"  # a base-class or class-keyword expression
CTX_ANNOTATION = "annotation"  # an annotation evaluated at definition time

# How a name is used (NameUse.kind).
USE_IMPORT_TIME = "import-time"  # read while the module is imported
# Qualified names of the module's own definitions: "<local>.Settings".
LOCAL = "<local>"
USE_DEFERRED = "deferred"  # read inside a function body (or a lambda in one)
# Read after the import, but outside any `def`: a module-level or class-level lambda,
# or the body of `if __name__ == "__main__":` (or another branch that never runs on import).
# An import cannot be moved there; a cached accessor still serves it.
USE_LATER_AT_TOP_LEVEL = "later-top-level"
USE_ANNOTATION = "annotation"  # read in an annotation (evaluated or not: see Module)


@dataclass(frozen=True)
class Position:
    line: int
    col: int  # 1-based, characters
    end_line: int
    end_col: int  # exclusive


@dataclass(frozen=True)
class ImportedName:
    name: str  # what is imported: `torch.nn` for `import torch.nn`, `nn` for `from torch import nn`
    asname: str | None
    bound: str  # the name this binds in the module (`torch` for `import torch.nn`)


@dataclass(frozen=True)
class Import:
    """An import that runs at import time."""

    kind: str  # "import", "from", "dynamic" (importlib.import_module / __import__)
    module: str  # `import a.b`: "" (see names); `from .x import y`: "x"; dynamic: the literal
    level: int  # leading dots of a relative `from` import
    names: tuple[ImportedName, ...]
    pos: Position
    context: tuple[str, ...]

    @property
    def modules(self) -> tuple[str, ...]:
        """Absolute module names this statement may load (relative ones keep their dots).

        For `from x import y`, both `x` and `x.y` (y may be a submodule).
        """
        prefix = "." * self.level
        if self.kind == "import":
            return tuple(n.name for n in self.names)
        if self.kind == "dynamic":
            return (self.module,)
        base = prefix + self.module
        sep = "" if base.endswith(".") or not base else "."
        subs = tuple(f"{base}{sep}{n.name}" for n in self.names if n.name != "*")
        return (base, *subs) if self.module else subs


@dataclass(frozen=True)
class Call:
    """A call evaluated at import time."""

    qualname: str | None  # resolved callee, e.g. "google.cloud.storage.Client().bucket"
    dotted: str | None  # the callee as written, e.g. "_gcs.bucket" (None: not a dotted name)
    pos: Position  # the call expression
    stmt_line: int  # first line of the statement (or decorator) that holds the call
    context: tuple[str, ...]
    bound_to: str | None = None  # the module-level name the call's result is bound to directly


@dataclass(frozen=True)
class Binding:
    """A module-level (re)binding of a name, in execution order."""

    name: str
    kind: str  # "import", "assign", "def", "class", "del", "global", "augassign", "other"
    line: int


@dataclass(frozen=True)
class NameUse:
    name: str
    kind: str  # USE_*
    first_line: int
    count: int


# What a module-level statement is, for fixes that turn statements into functions.
STMT_VALUE = "value"  # `NAME = expr` or `NAME: T = expr`, one plain name
STMT_EFFECT = "effect"  # binds no module-level name: an expression statement, a plain `if`, ...
STMT_DEFINITION = "definition"  # def or class
STMT_IMPORT = "import"
STMT_OTHER = "other"  # binds names some other way (tuple targets, loops, with ... as)


@dataclass(frozen=True)
class Statement:
    """A module-level statement: its extent, what it binds and what it reads at import time.

    `reads` holds only names that a module-level statement of another kind than
    import, def or class binds: the names a lazy-initialisation fix may defer.
    """

    line: int
    end_line: int
    kind: str  # STMT_*
    binds: tuple[str, ...]
    reads: tuple[str, ...]


@dataclass(frozen=True)
class ClassField:
    """`name: T = default` in the body of a module-level class, where the default reads a
    name a module-level assignment binds: a settings class whose defaults a fix may defer."""

    cls: str
    bases: tuple[str | None, ...]  # the class's bases, resolved
    name: str
    line: int
    reads: tuple[str, ...]  # module-level names the default reads, once per read


@dataclass(frozen=True)
class FunctionBody:
    """What a module-level function or a top-level class's method does when it is called.

    Its calls are resolved as if the body ran after the module was imported; nested
    functions in it are not run. Startup-path analysis follows import-time calls
    into these bodies (`app = create_app()`).
    """

    name: str  # "create_app", or "Store.__init__" for a method
    line: int  # the `def` line
    calls: tuple[Call, ...]


@dataclass(frozen=True)
class FunctionIndex:
    """Where each function a `FunctionBody` can describe is defined, and the module scope
    its body resolves in: enough to summarise one function later from its own lines,
    without parsing the whole file again (see python/function_summary.py)."""

    names: tuple[str, ...]  # as FunctionBody.name; the last definition of a name wins
    spans: tuple[int, ...]  # (def line, end line) for each name, flattened
    # Module-level names and their qualified names once the module has run; a name
    # bound to something unknown is kept only where it shadows a builtin.
    scope: tuple[tuple[str, str | None], ...]
    streamlit: bool  # the module imports streamlit (its event branches run later)

    def by_name(self) -> dict[str, tuple[int, int]]:
        """Each name's (def line, end line)."""
        return {name: (self.spans[2 * i], self.spans[2 * i + 1]) for i, name in enumerate(self.names)}


@dataclass(frozen=True)
class Module:
    imports: tuple[Import, ...]
    lazy_imports: tuple[Import, ...]  # PEP 810 `lazy import`: never import-time work
    calls: tuple[Call, ...]
    bindings: tuple[Binding, ...]
    # Sorted by (name, kind). Deferred uses: of every name, or, when extracted with
    # `tracked` (as the engine does), only of what imports of heavy modules bind and
    # of the classes and names in `fields` (see import_time.extract).
    uses: tuple[NameUse, ...]
    star_imports: tuple[str, ...]  # modules of import-time `from x import *`
    future_annotations: bool
    docstring_end_line: int  # 0 when the module has no docstring
    # The functions this module's own import-time calls reach (transitively); every
    # function when extracted with `all_functions` (another module calls into it).
    # Only calls with a resolved name are kept in a body.
    functions: tuple[FunctionBody, ...] = ()
    statements: tuple[Statement, ...] = ()  # module-level statements, in order (no docstring)
    fields: tuple[ClassField, ...] = ()
    index: FunctionIndex | None = None  # None: the module defines no function
