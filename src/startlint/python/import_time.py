"""Which code runs when a module is imported: the one definition, over stdlib `ast`.

Import time is the module body and every module-level compound statement, class
bodies, decorators, default values, base classes and annotations evaluated at
definition time. It is not a function or lambda body, nor the body of
`if TYPE_CHECKING:` / `if typing.TYPE_CHECKING:` / `if False:` /
`if __name__ == "__main__":`, nor, in a module that imports streamlit, the body of
an `if` guarded by a widget event (`if st.button(...)`), which runs on a user's
action. Everything read at import time is recorded in a `Module` (see model.py).
"""

from __future__ import annotations

import ast
import bisect
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from startlint.python import model as m
from startlint.python.model import LOCAL
from startlint.python.positions import PositionMap

# Streamlit calls whose truth means "the user just acted" (RULES.md, import time).
STREAMLIT_EVENTS = frozenset({"button", "form_submit_button", "chat_input", "download_button"})
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})
_DYNAMIC_IMPORTERS = frozenset({"importlib.import_module", "builtins.__import__"})
STAR = "*"  # qualname prefix of a name only a `from x import *` can have bound


@dataclass
class _Scope:
    """Names bound so far, to their qualified names (None: bound, but unknown)."""

    names: dict[str, str | None]
    parent: _Scope | None = None
    is_class: bool = False

    def function_visible(self) -> _Scope:
        """The scope a nested function or comprehension sees: class scopes are skipped."""
        scope: _Scope = self
        while scope.is_class and scope.parent is not None:
            scope = scope.parent
        return scope

    def lookup(self, name: str) -> tuple[bool, str | None]:
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.names:
                return True, scope.names[name]
            scope = scope.parent
        return False, None


@dataclass
class _Uses:
    first: dict[tuple[str, str], int] = field(default_factory=dict)
    count: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(self, name: str, kind: str, line: int) -> None:
        key = (name, kind)
        if key not in self.first or line < self.first[key]:
            self.first[key] = line
        self.count[key] = self.count.get(key, 0) + 1

    def add_many(self, names: list[ast.Name], kind: str) -> None:
        """`add` for each name read (the bulk path of function bodies)."""
        first, count = self.first, self.count
        for node in names:
            key = (node.id, kind)
            line = node.lineno
            known = first.get(key)
            if known is None or line < known:
                first[key] = line
            count[key] = count.get(key, 0) + 1

    def freeze(self, deferred: frozenset[str] | None = None) -> tuple[m.NameUse, ...]:
        """The uses, sorted; deferred ones only of the names in `deferred` (None: all)."""
        return tuple(
            m.NameUse(name, kind, self.first[(name, kind)], self.count[(name, kind)])
            for name, kind in sorted(self.first)
            if deferred is None or kind != m.USE_DEFERRED or name in deferred
        )


def summarise_alone(
    node: ast.FunctionDef | ast.AsyncFunctionDef, source: str, name: str, index: m.FunctionIndex, future_annotations: bool
) -> m.FunctionBody:
    """The summary of one function parsed apart from its module (`source` holds its
    lines at their own line numbers), resolved in the module scope `index` recorded:
    what `extract(..., all_functions=True)` gives for that function."""
    ex = _Extractor(source)
    ex.module_scope = _Scope(dict(index.scope))
    ex.streamlit = index.streamlit
    ex.future_annotations = future_annotations
    return ex._summarise(name, node)


Tracked = Callable[[str], bool]  # module name -> record deferred uses of what imports of it bind


def extract(
    tree: ast.Module, source: str, all_functions: bool = False, tracked: Tracked | None = None
) -> m.Module:
    """Build the import-time model of a parsed module.

    `Module.functions` summarises the functions the module itself calls at import
    time (transitively); with `all_functions`, every module-level function and
    method, as another module's import-time call may need (summaries are most of
    the extraction's cost, so they are built only when asked for).

    Deferred uses (reads in function bodies) are recorded for every name, or, with
    `tracked`, only for the names that rules ask about: what imports of tracked
    modules bind (the heavy catalog's) and the classes and names of `fields`. Function
    bodies that cannot read those names (none of them occurs in their lines) are
    then never walked: walking every body was the largest part of the extraction.
    """
    return _Extractor(source, tracked).run(tree, all_functions)


class _Extractor:
    def __init__(self, source: str, tracked: Tracked | None = None) -> None:
        self.source = source
        self.tracked = tracked
        # With `tracked`: function bodies whose reads wait for the tracked names (known
        # once every import is seen), and the lines holding `global` (such a body's
        # bindings are recorded in order, so it is walked when its `def` runs).
        self.pending: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
        self.global_lines: list[int] = _word_lines(source, ("global",)) if tracked is not None else []
        self.pos = PositionMap(source)
        self.use_kind = m.USE_IMPORT_TIME  # how reads are recorded: deferred inside summaries
        self.recording_uses = True  # off while summarising: _function recorded the body's reads
        self.imports: list[m.Import] = []
        self.lazy_imports: list[m.Import] = []
        # PEP 810: module names in a literal `__lazy_modules__`; later module-level
        # imports of them are lazy (on 3.15+; the user asked for it, like `lazy import`).
        self.lazy_modules: frozenset[str] = frozenset()
        self.calls: list[m.Call] = []
        self.bindings: list[m.Binding] = []
        self.uses = _Uses()
        self.star_imports: list[str] = []
        self.future_annotations = False
        self.streamlit = False
        self.module_scope = _Scope({})
        # Module-level functions and top-level classes' methods, summarised at the end.
        self.defs: list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]] = []
        self.class_names: list[str] = []
        self.top_reads: set[str] = set()  # import-time reads of the current module-level statement
        self.fields: list[m.ClassField] = []

    # -- entry -------------------------------------------------------------
    def run(self, tree: ast.Module, all_functions: bool = False) -> m.Module:
        self.future_annotations = any(
            isinstance(s, ast.ImportFrom)
            and s.module == "__future__"
            and any(a.name == "annotations" for a in s.names)
            for s in tree.body
        )
        self.streamlit = "streamlit" in self.source and any(
            _imports_streamlit(n) for s in tree.body for n in _statements(s)
        )
        doc_end = 0
        if tree.body and _is_docstring(tree.body[0]):
            doc_end = tree.body[0].end_lineno or tree.body[0].lineno
        statements = self._top_level(tree.body[1:] if doc_end else tree.body)
        fields = self._assigned_fields()
        kept = self._pending_reads(fields)
        functions = self._all_summaries() if all_functions else self._called_summaries()
        return m.Module(
            imports=tuple(self.imports),
            lazy_imports=tuple(self.lazy_imports),
            calls=tuple(self.calls),
            bindings=tuple(self.bindings),
            uses=self.uses.freeze(kept),
            star_imports=tuple(self.star_imports),
            future_annotations=self.future_annotations,
            docstring_end_line=doc_end,
            functions=functions,
            statements=statements,
            fields=fields,
            index=self._index(),
        )

    def _index(self) -> m.FunctionIndex | None:
        if not self.defs:
            return None
        last = {name: node for name, node in self.defs}
        spans: list[int] = []
        for node in last.values():
            spans += (node.lineno, node.end_lineno or node.lineno)
        scope = tuple(
            (name, qual) for name, qual in self.module_scope.names.items() if qual is not None or name in _BUILTINS
        )
        return m.FunctionIndex(tuple(last), tuple(spans), scope, self.streamlit)

    def _pending_reads(self, fields: tuple[m.ClassField, ...]) -> frozenset[str] | None:
        """Walk the pending function bodies that may read a tracked name; return the
        names whose deferred uses the model keeps (None: all)."""
        if self.tracked is None:
            return None
        names = {
            n.bound
            for imp in self.imports
            if any(not mod.startswith(".") and self.tracked(mod) for mod in imp.modules)
            for n in imp.names
        }
        for f in fields:
            names.add(f.cls)
            names.update(f.reads)
        if names and self.pending:
            hits = _word_lines(self.source, sorted(names))
            for node in self.pending:
                if _any_between(hits, node.lineno, node.end_lineno or node.lineno):
                    self._deferred(node.body, node.args, m.USE_DEFERRED)
        return frozenset(names)

    def _assigned_fields(self) -> tuple[m.ClassField, ...]:
        """Class fields whose defaults read names that module-level assignments bind."""
        assigned = {b.name for b in self.bindings if b.kind == "assign"}
        out = []
        for f in self.fields:
            kept = tuple(n for n in f.reads if n in assigned)
            if kept:
                out.append(m.ClassField(f.cls, f.bases, f.name, f.line, kept))
        return tuple(out)

    def _top_level(self, body: list[ast.stmt]) -> tuple[m.Statement, ...]:
        """Extract the module's statements, recording what each binds and reads at import time.

        Imports are left out, and definitions unless they read a deferrable name or do
        import-time work: a fix never moves them, it only has to know what they need."""
        raw: list[tuple[ast.stmt, str, tuple[str, ...], set[str], bool]] = []
        scope = self.module_scope
        for stmt in body:
            kind = _KIND_BY_TYPE.get(type(stmt))
            if kind == m.STMT_IMPORT:
                self._stmt(stmt, scope, ())
                continue
            reads: set[str] = set()
            self.top_reads = reads
            before, calls_before = len(self.bindings), len(self.calls)
            self._stmt(stmt, scope, ())
            if kind == m.STMT_DEFINITION:
                # Kept when it reads what a fix may defer, or runs work at import other
                # than its decorators (a class body, a default): a fix must not move a
                # side effect past it.
                works = any(m.CTX_DECORATOR not in c.context for c in self.calls[calls_before:])
                if reads or works:
                    raw.append((stmt, kind, (stmt.name,), reads, works))  # type: ignore[attr-defined]
                continue
            binds = tuple(dict.fromkeys(b.name for b in self.bindings[before:]))
            raw.append((stmt, _statement_kind(stmt, binds), binds, reads, True))
        # Only names a fix could defer are kept: those plain statements bind.
        deferrable = {n for _, kind, binds, _, _ in raw if kind in _DEFERRABLE_KINDS for n in binds}
        out = []
        for stmt, kind, binds, reads, works in raw:
            kept = tuple(sorted(reads & deferrable)) if reads else ()
            if kept or works:
                out.append(m.Statement(stmt.lineno, stmt.end_lineno or stmt.lineno, kind, binds, kept))
        return tuple(out)

    def _all_summaries(self) -> tuple[m.FunctionBody, ...]:
        return tuple(self._summarise(name, node) for name, node in self.defs)

    def _called_summaries(self) -> tuple[m.FunctionBody, ...]:
        """Summaries of the functions import-time calls of this module reach, in `defs` order."""
        nodes = dict(self.defs)
        done: dict[str, m.FunctionBody] = {}
        pending = [c.qualname for c in self.calls]
        while pending:
            qual = pending.pop()
            if qual is None or not qual.startswith(LOCAL + ".") or "()" in qual:
                continue
            attr = qual[len(LOCAL) + 1 :]
            names = [attr] if attr in nodes else [f"{attr}.{m_}" for m_ in ("__init__", "__post_init__")]
            for name in names:
                if name in nodes and name not in done:
                    done[name] = body = self._summarise(name, nodes[name])
                    pending += [c.qualname for c in body.calls]
        return tuple(done[name] for name, _ in self.defs if name in done)

    def _summarise(self, name: str, node: ast.FunctionDef | ast.AsyncFunctionDef) -> m.FunctionBody:
        """The calls a function's body makes when it runs, resolved in the final module scope."""
        saved = (self.calls, self.imports, self.lazy_imports, self.star_imports, self.defs, self.bindings)
        self.calls, self.imports, self.lazy_imports, self.star_imports, self.defs, self.bindings = (
            [], [], [], [], [], []
        )
        self.use_kind = m.USE_DEFERRED
        self.recording_uses = False
        a = node.args
        params = [x.arg for x in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg) if x is not None]
        self._block(node.body, _Scope(dict.fromkeys(params), self.module_scope), ())
        # A call nothing resolves (`self.x()`, a parameter's method) can neither match a
        # catalog nor lead into another function: summaries keep only the others.
        calls = tuple(c for c in self.calls if c.qualname is not None)
        self.calls, self.imports, self.lazy_imports, self.star_imports, self.defs, self.bindings = saved
        self.use_kind = m.USE_IMPORT_TIME
        self.recording_uses = True
        return m.FunctionBody(name, node.lineno, calls)

    # -- statements --------------------------------------------------------
    def _block(self, body: list[ast.stmt], scope: _Scope, ctx: tuple[str, ...]) -> None:
        for stmt in body:
            self._stmt(stmt, scope, ctx)

    def _stmt(self, s: ast.stmt, scope: _Scope, ctx: tuple[str, ...]) -> None:
        if isinstance(s, _DEF_TYPES):  # first: most statements of class bodies (import_time_cst subclasses them)
            self._function(s, scope, ctx)
            return
        line = s.lineno
        at_module = scope is self.module_scope
        if isinstance(s, ast.Import):
            self._import(s, scope, ctx)
        elif isinstance(s, ast.ImportFrom):
            self._import_from(s, scope, ctx)
        elif isinstance(s, ast.ClassDef):
            self._class(s, scope, ctx)
        elif isinstance(s, ast.Assign):
            if at_module and not ctx and _single_name(s.targets) == "__lazy_modules__":
                self.lazy_modules = _literal_strings(s.value)
            value = self._expr(s.value, scope, ctx, line, bind_target=_single_name(s.targets))
            for target in s.targets:
                self._assign_target(target, s.value, value, scope, ctx, line)
        elif isinstance(s, ast.AnnAssign):
            self._annotation(s.annotation, scope, ctx, line, evaluated=at_module or _in_class(ctx))
            value = None
            if s.value is not None:
                name = s.target.id if isinstance(s.target, ast.Name) else None
                value = self._expr(s.value, scope, ctx, line, bind_target=name)
                self._assign_target(s.target, s.value, value, scope, ctx, line)
            else:
                self._target_reads(s.target, scope, ctx, line)
        elif isinstance(s, ast.AugAssign):
            self._expr(s.value, scope, ctx, line)
            self._target_reads(s.target, scope, ctx, line)
            if isinstance(s.target, ast.Name):
                self._load(s.target.id, self.use_kind, line)
                self._bind(s.target.id, None, "augassign", line, scope)
        elif isinstance(s, ast.Expr):
            self._expr(s.value, scope, ctx, line)
        elif isinstance(s, (ast.Return, ast.Raise, ast.Assert, ast.Delete)):
            for child in ast.iter_child_nodes(s):
                if isinstance(child, ast.expr):
                    if isinstance(s, ast.Delete) and isinstance(child, ast.Name):
                        self._bind(child.id, None, "del", line, scope)
                    else:
                        self._expr(child, scope, ctx, line)
        elif isinstance(s, ast.If):
            self._if(s, scope, ctx)
        elif isinstance(s, (ast.For, ast.AsyncFor)):
            iterated = self._expr(s.iter, scope, ctx, line)
            self._bind_targets(s.target, "other", line, scope, _element(iterated))
            self._block(s.body, scope, _add(ctx, m.CTX_LOOP))
            self._block(s.orelse, scope, ctx)
        elif isinstance(s, ast.While):
            self._expr(s.test, scope, _add(ctx, m.CTX_LOOP), line)
            self._block(s.body, scope, _add(ctx, m.CTX_LOOP))
            self._block(s.orelse, scope, ctx)
        elif isinstance(s, (ast.With, ast.AsyncWith)):
            inner = _add(ctx, m.CTX_WITH)
            for item in s.items:
                value = self._expr(item.context_expr, scope, inner, line)
                if item.optional_vars is not None:
                    if isinstance(item.optional_vars, ast.Name):
                        self._bind(item.optional_vars.id, value, "assign", line, scope)
                    else:
                        self._bind_targets(item.optional_vars, "other", line, scope)
            self._block(s.body, scope, inner)
        elif isinstance(s, ast.Try) or type(s).__name__ == "TryStar":
            self._try(s, scope, ctx)
        elif isinstance(s, ast.Match):
            self._expr(s.subject, scope, ctx, line)
            inner = _add(ctx, m.CTX_CONDITIONAL)
            for case in s.cases:
                for node in ast.walk(case.pattern):
                    if isinstance(node, ast.MatchValue):
                        self._expr(node.value, scope, inner, line)
                    elif isinstance(node, ast.MatchClass):
                        self._expr(node.cls, scope, inner, line)
                    elif isinstance(node, ast.MatchMapping):
                        for key in node.keys:
                            self._expr(key, scope, inner, line)
                    name = getattr(node, "name", None)
                    if isinstance(name, str):
                        self._bind(name, None, "other", case.pattern.lineno, scope)
                if case.guard is not None:
                    self._expr(case.guard, scope, inner, line)
                self._block(case.body, scope, inner)
        elif isinstance(s, ast.Global):
            for name in s.names:
                self._bind(name, None, "global", line, scope)
        elif type(s).__name__ == "TypeAlias":
            # `type X = ...` (3.12+): the value is evaluated lazily.
            name = getattr(getattr(s, "name", None), "id", None)
            if isinstance(name, str):
                self._bind(name, None, "assign", line, scope)
            self._lazy_annotation([*getattr(s, "type_params", []), getattr(s, "value")])
        # pass, break, continue, nonlocal: nothing runs.

    def _import(self, s: ast.Import, scope: _Scope, ctx: tuple[str, ...]) -> None:
        names = []
        for alias in s.names:
            bound = alias.asname or alias.name.split(".")[0]
            qual = alias.name if alias.asname else alias.name.split(".")[0]
            names.append(m.ImportedName(alias.name, alias.asname, bound))
            self._bind(bound, qual, "import", s.lineno, scope)
        imp = m.Import("import", "", 0, tuple(names), self.pos.of(s), ctx)
        # PEP 810 `lazy import`: `is_lazy` on 3.15+ (import_time_cst sets it on older Pythons).
        lazy = getattr(s, "is_lazy", 0) or self._lazy_listed(ctx, scope, [a.name for a in s.names])
        (self.lazy_imports if lazy else self.imports).append(imp)

    def _import_from(self, s: ast.ImportFrom, scope: _Scope, ctx: tuple[str, ...]) -> None:
        module = s.module or ""
        if module == "__future__":
            return
        base = "." * s.level + module
        names = []
        for alias in s.names:
            if alias.name == "*":
                names.append(m.ImportedName("*", None, "*"))
                self.star_imports.append(base)
                continue
            bound = alias.asname or alias.name
            sep = "" if base.endswith(".") else "."
            names.append(m.ImportedName(alias.name, alias.asname, bound))
            self._bind(bound, f"{base}{sep}{alias.name}", "import", s.lineno, scope)
        imp = m.Import("from", module, s.level, tuple(names), self.pos.of(s), ctx)
        lazy = getattr(s, "is_lazy", 0) or (not s.level and self._lazy_listed(ctx, scope, [module]))
        (self.lazy_imports if lazy else self.imports).append(imp)

    def _lazy_listed(self, ctx: tuple[str, ...], scope: _Scope, modules: list[str]) -> bool:
        """Whether `__lazy_modules__` makes this import lazy (module level, outside try/with)."""
        return bool(self.lazy_modules) and not ctx and scope is self.module_scope and all(
            name in self.lazy_modules for name in modules
        )

    def _function(
        self, s: ast.FunctionDef | ast.AsyncFunctionDef, scope: _Scope, ctx: tuple[str, ...]
    ) -> None:
        if scope is self.module_scope:
            self.defs.append((s.name, s))
        elif scope.is_class and scope.parent is self.module_scope and self.class_names:
            self.defs.append((f"{self.class_names[-1]}.{s.name}", s))
        # Every def of every class passes here: skip what most of them lack.
        if s.decorator_list:
            self._decorators(s.decorator_list, scope, ctx)
        type_params = getattr(s, "type_params", None)
        if type_params:
            self._lazy_annotation(type_params)
        self._arguments(s.args, scope, ctx, s.lineno)
        if s.returns is not None:
            self._annotation(s.returns, scope, ctx, s.lineno, evaluated=True)
        self._bind(s.name, f"{LOCAL}.{s.name}", "def", s.lineno, scope)
        # Reads and `global` declarations are recorded here, whether or not the
        # function is summarised later (a summary records neither).
        if not self.recording_uses:
            return
        if self.tracked is not None and not (
            self.global_lines and _any_between(self.global_lines, s.lineno, s.end_lineno or s.lineno)
        ):
            self.pending.append(s)
        else:
            self._deferred(s.body, s.args, m.USE_DEFERRED)

    def _class(self, s: ast.ClassDef, scope: _Scope, ctx: tuple[str, ...]) -> None:
        self._decorators(s.decorator_list, scope, ctx)
        self._lazy_annotation(getattr(s, "type_params", []))
        for base in (*s.bases, *(k.value for k in s.keywords)):
            self._expr(base, scope, _add(ctx, m.CTX_BASE_CLASS), s.lineno)
        if scope is self.module_scope:
            self._fields(s, scope)
        body_scope = _Scope({}, scope, is_class=True)
        self.class_names.append(s.name)
        self._block(s.body, body_scope, _add(ctx, m.CTX_CLASS_BODY))
        self.class_names.pop()
        self._bind(s.name, f"{LOCAL}.{s.name}", "class", s.lineno, scope)

    def _fields(self, s: ast.ClassDef, scope: _Scope) -> None:
        """Annotated fields with a default that reads names: candidates for `Module.fields`."""
        bases: tuple[str | None, ...] | None = None
        for stmt in s.body:
            if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None):
                continue
            reads = tuple(n.id for n in ast.walk(stmt.value) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load))
            if reads:
                if bases is None:
                    bases = tuple(self._value_qualname(b, scope) for b in s.bases)
                self.fields.append(m.ClassField(s.name, bases, stmt.target.id, stmt.lineno, reads))

    def _decorators(self, decorators: list[ast.expr], scope: _Scope, ctx: tuple[str, ...]) -> None:
        inner = _add(ctx, m.CTX_DECORATOR)
        for deco in decorators:
            self._expr(deco, scope, inner, deco.lineno)
            if isinstance(deco, (ast.Name, ast.Attribute)):
                # A bare decorator is called with the function when the `def` runs.
                qual = self._qualname(deco, scope)
                self.calls.append(m.Call(qual, dotted_name(deco), self.pos.of(deco), deco.lineno, inner))

    def _arguments(self, a: ast.arguments, scope: _Scope, ctx: tuple[str, ...], line: int) -> None:
        if a.defaults or a.kw_defaults:
            inner = _add(ctx, m.CTX_DEFAULT)
            for default in (*a.defaults, *(d for d in a.kw_defaults if d is not None)):
                self._expr(default, scope, inner, line)
        for args in (a.posonlyargs, a.args, a.kwonlyargs):
            for arg in args:
                if arg.annotation is not None:
                    self._annotation(arg.annotation, scope, ctx, line, evaluated=True)
        for star in (a.vararg, a.kwarg):
            if star is not None and star.annotation is not None:
                self._annotation(star.annotation, scope, ctx, line, evaluated=True)

    def _if(self, s: ast.If, scope: _Scope, ctx: tuple[str, ...]) -> None:
        self._expr(s.test, scope, ctx, s.lineno)
        body_runs, else_runs = self._branches(s.test, scope)
        inner = _add(ctx, m.CTX_CONDITIONAL)
        if body_runs:
            self._block(s.body, scope, inner)
        else:
            self._deferred(s.body, None, self._later())
        if else_runs:
            self._block(s.orelse, scope, inner)
        else:
            self._deferred(s.orelse, None, self._later())

    def _branches(self, test: ast.expr, scope: _Scope) -> tuple[bool, bool]:
        """(body runs at import time, else runs at import time) for an `if` test."""
        negated = False
        while isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            negated, test = not negated, test.operand
        if _is_main_guard(test, ast.NotEq):
            return (not negated, negated)
        never = self._never_at_import(test, scope)
        if never:
            return (negated, not negated)
        return (True, True)

    def _never_at_import(self, test: ast.expr, scope: _Scope) -> bool:
        """True when the body of `if <test>:` does not run while the module is imported."""
        if isinstance(test, ast.Constant) and test.value in (False, 0, None):
            return True
        qual = self._qualname(test, scope)
        if qual in ("typing.TYPE_CHECKING", "typing_extensions.TYPE_CHECKING"):
            return True
        if isinstance(test, ast.Name) and test.id == "TYPE_CHECKING" and qual is None:
            return True
        if _is_main_guard(test):
            return True
        if self.streamlit:
            if isinstance(test, ast.NamedExpr):
                test = test.value
            if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
                return any(self._streamlit_event(v, scope) for v in test.values)
            return self._streamlit_event(test, scope)
        return False

    def _streamlit_event(self, test: ast.expr, scope: _Scope) -> bool:
        if isinstance(test, ast.NamedExpr):
            test = test.value
        if not isinstance(test, ast.Call):
            return False
        qual = self._qualname(test.func, scope) or ""
        head, _, attr = qual.rpartition(".")
        return attr in STREAMLIT_EVENTS and (head == "streamlit" or head.startswith("streamlit."))

    def _try(self, s: ast.stmt, scope: _Scope, ctx: tuple[str, ...]) -> None:
        handlers: list[ast.ExceptHandler] = getattr(s, "handlers", [])
        guard = any(self._catches_import_error(h.type, scope) for h in handlers)
        inner = _add(ctx, m.CTX_TRY)
        if guard:
            inner = _add(inner, m.CTX_IMPORT_GUARD)
        self._block(getattr(s, "body", []), scope, inner)
        for h in handlers:
            if h.type is not None:
                self._expr(h.type, scope, ctx, h.lineno)
            if h.name:
                self._bind(h.name, None, "other", h.lineno, scope)
            self._block(h.body, scope, ctx)
        self._block(getattr(s, "orelse", []), scope, ctx)
        self._block(getattr(s, "finalbody", []), scope, ctx)

    def _catches_import_error(self, typ: ast.expr | None, scope: _Scope) -> bool:
        if typ is None:
            return False
        elts = typ.elts if isinstance(typ, ast.Tuple) else [typ]
        for e in elts:
            name = e.id if isinstance(e, ast.Name) else e.attr if isinstance(e, ast.Attribute) else ""
            if name in _IMPORT_ERRORS:
                return True
        return False

    # -- deferred code -----------------------------------------------------
    def _later(self) -> str:
        """The use kind of code that runs later: in a def (summary) or at the top level."""
        return m.USE_DEFERRED if self.use_kind == m.USE_DEFERRED else m.USE_LATER_AT_TOP_LEVEL

    def _deferred(self, body: list[ast.stmt], args: ast.arguments | None, kind: str) -> None:
        """Code that does not run at import: only its name reads are recorded."""
        # The hottest loop of the extraction (every function body of every file
        # passes here): an inlined walk that skips the leaf context and operator nodes.
        load, name_t, global_t, ast_t, list_t = ast.Load, ast.Name, ast.Global, ast.AST, list
        skip = _LEAF_TYPES
        stack: list[ast.AST] = list(body)
        pop, push = stack.pop, stack.append
        reads: list[ast.Name] = []
        while stack:
            node = pop()
            t = type(node)
            if t is name_t:
                if type(node.ctx) is load:  # type: ignore[attr-defined]
                    reads.append(node)  # type: ignore[arg-type]
                continue
            if t is global_t and args is not None:
                for name in node.names:  # type: ignore[attr-defined]
                    self.bindings.append(m.Binding(name, "global", node.lineno))  # type: ignore[attr-defined]
                continue
            for field in node._fields:
                value = getattr(node, field, None)
                if type(value) is list_t:
                    for item in value:
                        if isinstance(item, ast_t) and type(item) not in skip:
                            push(item)
                elif isinstance(value, ast_t) and type(value) not in skip:
                    push(value)
        if reads and self.recording_uses:
            self.uses.add_many(reads, kind)

    # -- expressions -------------------------------------------------------
    def _expr(
        self,
        e: ast.expr,
        scope: _Scope,
        ctx: tuple[str, ...],
        stmt_line: int,
        bind_target: str | None = None,
    ) -> str | None:
        """Record calls and reads in `e` (evaluated at import time); return its qualname."""
        self._walk_expr(e, scope, ctx, stmt_line, bind_target)
        return self._value_qualname(e, scope)

    def _walk_expr(
        self,
        e: ast.expr,
        scope: _Scope,
        ctx: tuple[str, ...],
        stmt_line: int,
        bind_target: str | None,
    ) -> None:
        # Hot path: a plain node stack, pre-order, children in field order.
        stack: list[ast.AST] = [e]
        name_t, call_t, load_t, const_t, ast_t, skip = ast.Name, ast.Call, ast.Load, ast.Constant, ast.AST, _LEAF_TYPES
        while stack:
            node = stack.pop()
            t = type(node)
            if t is name_t:
                if type(node.ctx) is load_t:  # type: ignore[attr-defined]
                    self._load(node.id, self.use_kind, node.lineno)  # type: ignore[attr-defined]
                continue
            if t is const_t:
                continue
            if t is call_t:
                self._call(node, scope, ctx, stmt_line, bind_target if node is e else None)  # type: ignore[arg-type]
            elif t in _COMPREHENSIONS:
                self._comprehension(node, scope, ctx, stmt_line)  # type: ignore[arg-type]
                continue
            elif t is ast.Lambda:
                self._arguments(node.args, scope, ctx, stmt_line)  # type: ignore[attr-defined]
                self._deferred([ast.Expr(node.body, lineno=node.lineno, col_offset=0)], node.args, self._later())  # type: ignore[attr-defined]
                continue
            elif t is ast.NamedExpr and type(node.target) is name_t:  # type: ignore[attr-defined]
                self._bind(node.target.id, None, "assign", stmt_line, scope)  # type: ignore[attr-defined]
            for field in reversed(node._fields):
                value = getattr(node, field, None)
                if type(value) is list:
                    stack.extend(v for v in reversed(value) if isinstance(v, ast_t) and type(v) not in skip)
                elif isinstance(value, ast_t) and type(value) not in skip:  # contexts, operators, constants
                    stack.append(value)

    def _comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp, scope: _Scope,
        ctx: tuple[str, ...], stmt_line: int,
    ) -> None:
        """Loop variables are local to the comprehension and shadow module names; its
        first iterable is evaluated outside, and class names are not visible inside.
        A generator expression runs the rest only as it is iterated: like a lambda body."""
        inner = _Scope({}, scope.function_visible())
        for gen in node.generators:
            for target in _walk(gen.target):
                if isinstance(target, ast.Name):
                    inner.names[target.id] = None
        first = node.generators[0].iter
        lazy: list[ast.stmt] = []
        for child in _comprehension_children(node):
            if not isinstance(child, ast.expr):
                continue
            if child is first:
                self._walk_expr(child, scope, ctx, stmt_line, None)
            elif type(node) is ast.GeneratorExp:
                lazy.append(ast.Expr(child, lineno=child.lineno, col_offset=0))
            else:
                self._walk_expr(child, inner, ctx, stmt_line, None)
        if lazy:
            self._deferred(lazy, None, self._later())

    def _call(
        self,
        c: ast.Call,
        scope: _Scope,
        ctx: tuple[str, ...],
        stmt_line: int,
        bound_to: str | None,
    ) -> None:
        qual = self._qualname(c.func, scope)
        if qual is None and not self.recording_uses:
            return  # summarising: a call nothing resolves is left out of the summary anyway
        self.calls.append(
            m.Call(qual, dotted_name(c.func), self.pos.of(c), stmt_line, ctx, bound_to)
        )
        if qual in _DYNAMIC_IMPORTERS and c.args:
            first = c.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str) and not any(
                isinstance(a, ast.keyword) and a.arg == "package" for a in c.keywords
            ):
                if first.value and not first.value.startswith("."):
                    self.imports.append(
                        m.Import("dynamic", first.value, 0, (), self.pos.of(c), ctx)
                    )

    def _annotation(
        self, ann: ast.expr, scope: _Scope, ctx: tuple[str, ...], line: int, evaluated: bool
    ) -> None:
        kind = m.USE_ANNOTATION if self.use_kind == m.USE_IMPORT_TIME else self.use_kind
        if type(ann) is ast.Name:  # `x: int`, most annotations: nothing to call
            if type(ann.ctx) is ast.Load:
                self._load(ann.id, kind, ann.lineno)
            return
        # Evaluated at definition time: calls in it run at import.
        calls = evaluated and not self.future_annotations
        inner = _add(ctx, m.CTX_ANNOTATION) if calls else ctx
        for node in _walk(ann):
            t = type(node)
            if t is ast.Name:
                if type(node.ctx) is ast.Load:  # type: ignore[attr-defined]
                    self._load(node.id, kind, node.lineno)  # type: ignore[attr-defined]
            elif calls and t is ast.Call:
                self._call(node, scope, inner, line, None)  # type: ignore[arg-type]
        # A string annotation (`"pd.DataFrame"`) names what typing.get_type_hints or
        # pydantic resolve at run time: a fix that moves the import must know it.
        for name, at in _string_annotation_names(ann):
            self._load(name, kind, at)

    def _lazy_annotation(self, nodes: list[ast.AST]) -> None:
        """Type parameters' bounds and defaults and `type` alias values (3.12+) are evaluated
        only when introspected: like unevaluated annotations, they still need their names."""
        kind = m.USE_ANNOTATION if self.use_kind == m.USE_IMPORT_TIME else self.use_kind
        for node in _walk_all(nodes):
            if type(node) is ast.Name and type(node.ctx) is ast.Load:
                self._load(node.id, kind, node.lineno)

    def _target_reads(self, t: ast.expr, scope: _Scope, ctx: tuple[str, ...], line: int) -> None:
        """Subscript and attribute targets read their object (`x.y = 1` reads x)."""
        if isinstance(t, (ast.Attribute, ast.Subscript)):
            self._expr(t.value, scope, ctx, line)
            if isinstance(t, ast.Subscript):
                self._expr(t.slice, scope, ctx, line)
        elif isinstance(t, (ast.Tuple, ast.List)):
            for elt in t.elts:
                self._target_reads(elt, scope, ctx, line)
        elif isinstance(t, ast.Starred):
            self._target_reads(t.value, scope, ctx, line)

    def _assign_target(
        self,
        target: ast.expr,
        value_node: ast.expr,
        value: str | None,
        scope: _Scope,
        ctx: tuple[str, ...],
        line: int,
    ) -> None:
        if isinstance(target, ast.Name):
            self._bind(target.id, value, "assign", line, scope)
        else:
            self._target_reads(target, scope, ctx, line)
            # `a, b = st.columns(2)`: each name is an element of the value.
            self._bind_targets(target, "assign", line, scope, value)

    def _bind_targets(
        self, t: ast.expr, kind: str, line: int, scope: _Scope, qual: str | None = None
    ) -> None:
        if isinstance(t, ast.Name):
            self._bind(t.id, qual, kind, line, scope)
        elif isinstance(t, (ast.Tuple, ast.List)):
            for elt in t.elts:
                self._bind_targets(elt, kind, line, scope, _element(qual))
        elif isinstance(t, ast.Starred):
            self._bind_targets(t.value, kind, line, scope)

    # -- names -------------------------------------------------------------
    def _bind(self, name: str, qual: str | None, kind: str, line: int, scope: _Scope) -> None:
        scope.names[name] = qual
        if scope is self.module_scope or kind == "global":
            self.bindings.append(m.Binding(name, kind, line))

    def _load(self, name: str, kind: str, line: int) -> None:
        if self.recording_uses:
            self.uses.add(name, kind, line)
            if kind == m.USE_IMPORT_TIME:
                self.top_reads.add(name)

    def _qualname(self, e: ast.expr, scope: _Scope) -> str | None:
        """The qualified name of a callee or dotted expression, through aliases and calls."""
        parts: list[str] = []
        node = e
        while True:
            if isinstance(node, ast.Attribute):
                parts.append(node.attr)
                node = node.value
            elif isinstance(node, ast.Call):
                inner = self._qualname(node.func, scope)
                if inner is None:
                    return None
                return ".".join([inner + "()", *reversed(parts)])
            elif isinstance(node, ast.Name):
                found, qual = scope.lookup(node.id)
                if not found:
                    if node.id in _BUILTINS:
                        qual = f"builtins.{node.id}"
                    elif self.star_imports:
                        qual = f"{STAR}.{node.id}"  # maybe from `from x import *`
                    else:
                        qual = None
                if qual is None:
                    return None
                return ".".join([qual, *reversed(parts)])
            else:
                return None

    def _value_qualname(self, e: ast.expr, scope: _Scope) -> str | None:
        """What a name bound to `e` refers to: a call result or an alias."""
        if isinstance(e, ast.Call):
            inner = self._qualname(e.func, scope)
            return inner + "()" if inner is not None else None
        if isinstance(e, (ast.Name, ast.Attribute)):
            return self._qualname(e, scope)
        return None


_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_DEF_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef)
_BUILTINS = frozenset({"__import__", "open", "exec", "eval", "compile", "input", "print"})


_DEFERRABLE_KINDS = frozenset({m.STMT_VALUE, m.STMT_OTHER})
_KIND_BY_TYPE: dict[type[ast.stmt], str] = {
    ast.Import: m.STMT_IMPORT,
    ast.ImportFrom: m.STMT_IMPORT,
    ast.FunctionDef: m.STMT_DEFINITION,
    ast.AsyncFunctionDef: m.STMT_DEFINITION,
    ast.ClassDef: m.STMT_DEFINITION,
}


def _statement_kind(s: ast.stmt, binds: tuple[str, ...]) -> str:
    """The kind of a module-level statement that is neither an import nor a definition
    (`_KIND_BY_TYPE` names those)."""
    if not binds:
        return m.STMT_EFFECT
    if isinstance(s, ast.Assign) and _single_name(s.targets) is not None:
        return m.STMT_VALUE
    if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name) and s.value is not None:
        return m.STMT_VALUE
    return m.STMT_OTHER


def _add(ctx: tuple[str, ...], flag: str) -> tuple[str, ...]:
    return ctx if flag in ctx else tuple(sorted((*ctx, flag)))


def _children(node: ast.AST) -> list[ast.AST]:
    """A node's child nodes in field order (ast.iter_child_nodes, without the generators)."""
    out: list[ast.AST] = []
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, ast.AST):
            out.append(value)
        elif type(value) is list:
            out.extend(v for v in value if isinstance(v, ast.AST))
    return out


def _string_annotation_names(ann: ast.expr, depth: int = 0) -> list[tuple[str, int]]:
    """Names read by the string parts of an annotation (forward references), with the line."""
    out: list[tuple[str, int]] = []
    for node in ast.walk(ann):
        if type(node) is not ast.Constant or not isinstance(node.value, str) or depth > 2:
            continue
        try:
            inner = ast.parse(node.value.strip(), mode="eval").body
        except (SyntaxError, ValueError):
            continue  # a docstring-like annotation (`x: "any text"`): no names
        out += [(n.id, node.lineno) for n in ast.walk(inner) if type(n) is ast.Name]
        out += [(name, node.lineno) for name, _ in _string_annotation_names(inner, depth + 1)]
    return out


def _walk(node: ast.AST) -> list[ast.AST]:
    return _walk_all([node])


# Leaf nodes that hold no names: contexts and operators.
_LEAF_TYPES = frozenset(
    t
    for base in (ast.expr_context, ast.operator, ast.boolop, ast.cmpop, ast.unaryop)
    for t in base.__subclasses__()
) | {ast.Constant}


def _walk_all(nodes: list[ast.AST] | list[ast.stmt]) -> list[ast.AST]:
    """Every node under `nodes` (any order): a faster ast.walk."""
    out: list[ast.AST] = []
    stack: list[ast.AST] = list(nodes)
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(_children(node))
    return out


def _word_lines(source: str, words: Sequence[str]) -> list[int]:
    """The lines (sorted) where any of `words` occurs as a whole word: a superset of
    the lines where a name node with that id can be. (str.find: a regex scan of the
    standard library took ~1.5 s, this ~0.05 s.)"""
    if not source.isascii():
        # The parser NFKC-normalises identifiers (a ligature can spell `fi`).
        source = unicodedata.normalize("NFKC", source)
    if "\r" in source:
        source = source.replace("\r\n", "\n").replace("\r", "\n")
    starts: list[int] = []
    for word in words:
        size = len(word)
        at = source.find(word)
        while at >= 0:
            end = at + size
            if not (_is_word_char(source, at - 1) or _is_word_char(source, end)):
                starts.append(at)
            at = source.find(word, end)
    starts.sort()
    lines: list[int] = []
    line, pos = 1, 0
    for at in starts:
        line += source.count("\n", pos, at)
        pos = at
        if not lines or lines[-1] != line:
            lines.append(line)
    return lines


def _is_word_char(source: str, i: int) -> bool:
    if not 0 <= i < len(source):
        return False
    c = source[i]
    return c.isalnum() or c == "_"


def _any_between(lines: list[int], first: int, last: int) -> bool:
    """Whether the sorted `lines` hold one in first..last."""
    i = bisect.bisect_left(lines, first)
    return i < len(lines) and lines[i] <= last


def _statements(stmt: ast.stmt) -> list[ast.stmt]:
    """A top-level statement and those nested in its blocks (`if`/`try` bodies...)."""
    out = [stmt]
    for name in ("body", "orelse", "finalbody", "handlers"):
        for inner in getattr(stmt, name, None) or ():
            if isinstance(inner, ast.stmt):
                out += _statements(inner)
            elif isinstance(inner, ast.ExceptHandler):
                for s in inner.body:
                    out += _statements(s)
    return out


def _comprehension_children(node: ast.AST) -> list[ast.AST]:
    """Children in evaluation order, with each generator's parts flattened."""
    out: list[ast.AST] = []
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.comprehension):
            out += [child.target, child.iter, *child.ifs]
        else:
            out.append(child)
    return out


def _element(qual: str | None) -> str | None:
    """The qualname of an element of a value (`[]`): `st.columns()[]`."""
    return None if qual is None else qual + "[]"


def _in_class(ctx: tuple[str, ...]) -> bool:
    return m.CTX_CLASS_BODY in ctx


def _single_name(targets: list[ast.expr]) -> str | None:
    if len(targets) == 1 and isinstance(targets[0], ast.Name):
        return targets[0].id
    return None


def dotted_name(e: ast.expr) -> str | None:
    """`a.b.c` for a chain of attribute reads on a name, else None."""
    parts: list[str] = []
    while isinstance(e, ast.Attribute):
        parts.append(e.attr)
        e = e.value
    if isinstance(e, ast.Name):
        parts.append(e.id)
        return ".".join(reversed(parts))
    return None


def _is_docstring(s: ast.stmt) -> bool:
    return (
        isinstance(s, ast.Expr)
        and isinstance(s.value, ast.Constant)
        and isinstance(s.value.value, str)
    )


def _literal_strings(node: ast.expr) -> frozenset[str]:
    """The strings of a literal list, tuple or set of strings (else empty)."""
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return frozenset(e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str))
    return frozenset()


def _is_main_guard(test: ast.expr, op: type[ast.cmpop] = ast.Eq) -> bool:
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], op)):
        return False
    sides = [test.left, test.comparators[0]]
    names = [s for s in sides if isinstance(s, ast.Name) and s.id == "__name__"]
    consts = [s for s in sides if isinstance(s, ast.Constant) and s.value == "__main__"]
    return bool(names and consts)


def _imports_streamlit(node: ast.AST) -> bool:
    if isinstance(node, ast.Import):
        return any(a.name == "streamlit" or a.name.startswith("streamlit.") for a in node.names)
    if isinstance(node, ast.ImportFrom):
        return (node.module or "").split(".")[0] == "streamlit" and node.level == 0
    return False

