"""Which fix a finding gets, decided from the import-time model alone (no LibCST).

Rules attach the plan to their violation as a `Fix` without edits; the edits are
computed by `startlint.fixes.python` only when they are needed (`--fix`, `--diff`,
JSON and SARIF output), so a plain check never imports LibCST.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from startlint.findings import Applicability, Fix
from startlint.fixes import groups
from startlint.python import model as m

# SL101 strategies (Fix.message starts with one of these words, the fixer reads it back).
LAZY_KEYWORD = "lazy-keyword"
LAZY_MODULES = "lazy-modules"
FUNCTION_LOCAL = "function-local"
TYPE_CHECKING_BLOCK = "type-checking"
ACCESSOR = "accessor"
ACCESSOR_GROUP = "accessor-group"
SETTINGS_FIELD = "settings-field"
STREAMLIT_CACHE = "streamlit-cache"
# Streamlit's cache for a call's result: data (copied per session) or a shared resource.
CACHE_DATA, CACHE_RESOURCE = "cache_data", "cache_resource"

LAZY_STYLES = ("auto", FUNCTION_LOCAL, LAZY_KEYWORD, LAZY_MODULES)
_MOVABLE_CONTEXTS = {(), (m.CTX_IMPORT_GUARD, m.CTX_TRY)}
# Classes whose instances hold their fields' values: a field's default can become None
# plus a getter (`startlint.fixes.python.settings_field`).
_MODEL_BASES = frozenset({
    "pydantic.BaseModel", "pydantic.main.BaseModel", "pydantic.v1.BaseModel", "pydantic.BaseSettings",
    "pydantic.v1.BaseSettings", "pydantic_settings.BaseSettings", "pydantic_settings.main.BaseSettings",
})


@dataclass(frozen=True)
class FixOptions:
    target_version: tuple[int, int] = (3, 10)
    lazy_style: str = "auto"
    # Whether other first-party modules import a name of this module (an accessor
    # fix has to rewrite them too, which makes it unsafe). Asked only when needed.
    imported_elsewhere: Callable[[str], bool] = field(default=lambda name: False)
    # Whether another module assigns or deletes the name through the module (no fix).
    assigned_elsewhere: Callable[[str], bool] = field(default=lambda name: False)
    # Whether the module's `__all__` lists the name: public API, whose users outside
    # the project an accessor fix cannot rewrite (unsafe).
    exported: Callable[[str], bool] = field(default=lambda name: False)
    # Top-level packages that evaluate annotations at run time (pydantic, FastAPI, ...).
    annotation_readers: frozenset[str] = frozenset()
    # Whether a call does I/O the catalog knows (network, client, model load): later
    # work a side effect may be needed by (see startlint.fixes.groups).
    does_io: Callable[[str], bool] = field(default=lambda qualname: False)


def _planned(applicability: Applicability, message: str) -> Fix:
    return Fix(applicability, message, ())


def strategy(fix: Fix) -> str:
    return fix.message.split(":", 1)[0]


def heavy_import(module: m.Module, imp: m.Import, opts: FixOptions) -> tuple[Fix | None, str]:
    """The SL101 fix for an import statement, or None with the reason there is none."""
    if imp.kind == "dynamic":
        return None, "a dynamic import has no automatic fix"
    if imp.context not in _MOVABLE_CONTEXTS:
        return None, "the import is inside a conditional, loop, with or class body"
    if any(n.name == "*" for n in imp.names):
        return None, "a star import cannot be moved"
    uses = {(u.name, u.kind) for u in module.uses}
    guarded = m.CTX_IMPORT_GUARD in imp.context
    if opts.lazy_style == LAZY_MODULES:
        return _planned(
            Applicability.SAFE,
            f"{LAZY_MODULES}: add the module to __lazy_modules__ (lazy on Python 3.15+, no effect before)",
        ), ""
    if (opts.lazy_style == LAZY_KEYWORD or (opts.lazy_style == "auto" and opts.target_version >= (3, 15))) and not guarded:
        return _planned(Applicability.SAFE, f"{LAZY_KEYWORD}: use PEP 810 'lazy import'"), ""
    if opts.lazy_style == LAZY_KEYWORD:
        return None, "'lazy import' is not allowed inside try (PEP 810)"
    bound = [n.bound for n in imp.names]
    for name in bound:
        if (name, m.USE_IMPORT_TIME) in uses:
            return None, f"'{name}' is used at import time"
        kinds = {b.kind for b in module.bindings if b.name == name}
        if kinds & {"global", "del"}:
            return None, f"'{name}' is declared global or deleted"
    later = sorted(b for b in bound if (b, m.USE_LATER_AT_TOP_LEVEL) in uses)
    if later:
        return None, f"'{later[0]}' is used in a module-level lambda or the __main__ block, where no import can go"
    deferred = any((b, m.USE_DEFERRED) in uses for b in bound)
    in_annotations = any((b, m.USE_ANNOTATION) in uses for b in bound)
    if not deferred and not in_annotations:
        return None, "the imported name is never used"
    readers = sorted(
        {mod.split(".")[0] for imp in module.imports for mod in imp.modules if not mod.startswith(".")}
        & opts.annotation_readers
    )
    if in_annotations and readers:
        return _planned(
            Applicability.UNSAFE,
            f"{FUNCTION_LOCAL if deferred else TYPE_CHECKING_BLOCK}: move the import "
            f"(the module uses {', '.join(readers)}, which may evaluate the annotations that need it)",
        ), ""
    if in_annotations and not module.future_annotations:
        # Annotations are evaluated at definition time: the fix must add
        # `from __future__ import annotations`, which run-time readers may not accept.
        return _planned(
            Applicability.UNSAFE,
            f"{FUNCTION_LOCAL if deferred else TYPE_CHECKING_BLOCK}: move the import "
            "(adds 'from __future__ import annotations': run-time annotation readers such as "
            "pydantic, dataclasses or FastAPI may need the name)",
        ), ""
    if deferred:
        return _planned(Applicability.SAFE, f"{FUNCTION_LOCAL}: import it inside the functions that use it"), ""
    return _planned(Applicability.SAFE, f"{TYPE_CHECKING_BLOCK}: import it under 'if TYPE_CHECKING:'"), ""


def accessor(
    module: m.Module, call: m.Call, opts: FixOptions, base: Applicability, streamlit_cache: str = CACHE_RESOURCE
) -> Fix | None:
    """The cached-accessor fix for the statement holding `call`: of `NAME = ...` alone,
    or of the group of statements that have to become lazy with it."""
    if call.context and m.CTX_CONDITIONAL not in call.context:
        return None  # in a loop, with, try or class body
    at_line = [b for b in module.bindings if b.line == call.stmt_line]
    if _imports_streamlit(module):
        return _streamlit(module, call, at_line, streamlit_cache)
    if call.context or len(at_line) != 1 or at_line[0].kind != "assign":
        return _settings_field(module, call, opts) or _group(module, call, opts)
    name = at_line[0].name
    if [b.kind for b in module.bindings if b.name == name] != ["assign"]:
        return None  # rebound, deleted or declared global
    if any(u.name == name and u.kind == m.USE_IMPORT_TIME for u in module.uses):
        # used while the module is imported
        return _settings_field(module, call, opts) or _group(module, call, opts)
    if opts.assigned_elsewhere(name):
        return None  # `module.NAME = fake` elsewhere: a getter cannot stand in for it
    applicability = base
    message = f"{ACCESSOR}: turn '{name}' into a functools.cache'd accessor"
    if opts.imported_elsewhere(name):
        applicability = Applicability.UNSAFE
        message += " (other modules use it and are rewritten too; a name in a string, as tests patch it, is not)"
    elif opts.exported(name):
        applicability = Applicability.UNSAFE
        message += " (it is listed in __all__: code outside the project may import it)"
    return _planned(applicability, message)


def _imports_streamlit(module: m.Module) -> bool:
    """Whether the module is a Streamlit script (a module-level `import streamlit [as st]`)."""
    return any(
        imp.kind == "import" and not imp.context and any(n.name == "streamlit" for n in imp.names)
        for imp in module.imports
    )


def _streamlit(module: m.Module, call: m.Call, at_line: list[m.Binding], cache: str) -> Fix | None:
    """A Streamlit script reruns top to bottom for every session and interaction, so a
    function that runs later does not exist: the value becomes a function under
    Streamlit's own cache, which the script still calls, once per process."""
    if call.context or len(at_line) != 1 or at_line[0].kind != "assign":
        return None  # a Streamlit script reruns top to bottom: groups of functions nothing calls would change the page
    name = at_line[0].name
    if [b.kind for b in module.bindings if b.name == name] != ["assign"]:
        return None
    return _planned(
        Applicability.UNSAFE,
        f"{STREAMLIT_CACHE}: turn '{name}' into a function cached with st.{cache}, so reruns and sessions "
        f"reuse one result instead of repeating the call (until the process restarts: add ttl= if it must refresh)",
    )


def _group(module: m.Module, call: m.Call, opts: FixOptions) -> Fix | None:
    """Several statements become cached functions together (always unsafe: work and
    side effects that ran in one order at import now run on first use)."""
    group = groups.lazy_group(module, call.stmt_line, opts.does_io)
    if isinstance(group, str) or (len(group.members) < 2 and not group.has_effect):
        return None
    names = group.names
    if any(opts.assigned_elsewhere(n) for n in names):
        return None
    parts = [f"'{s.binds[0]}'" if s.kind == m.STMT_VALUE else f"the side effect at line {s.line}" for s in group.members]
    listed = ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else parts[0]
    message = f"{ACCESSOR_GROUP}: defer {listed} together in cached functions"
    if group.has_effect:
        message += " (functions defined after a side effect call it first; other code that relied on it at import no longer sees it)"
    else:
        message += " (they depend on each other at import time)"
    if any(opts.imported_elsewhere(n) for n in names):
        message += "; other modules use them and are rewritten too"
    return _planned(Applicability.UNSAFE, message)


def _settings_field(module: m.Module, call: m.Call, opts: FixOptions) -> Fix | None:
    """The names the statement binds are read at import only by field defaults of one
    pydantic class, instantiated once at module level: the defaults move into getters
    (always unsafe: the field itself is None until set)."""
    names = [b.name for b in module.bindings if b.line == call.stmt_line]
    if call.context or not names or any([b.kind for b in module.bindings if b.name == n] != ["assign"] for n in names):
        return None
    fields = [f for f in module.fields if set(f.reads) & set(names)]
    if not fields or len({f.cls for f in fields}) != 1 or not set(fields[0].bases) & _MODEL_BASES:
        return None
    for name in names:
        counts = {u.kind: u.count for u in module.uses if u.name == name}
        if counts.get(m.USE_IMPORT_TIME, 0) != sum(f.reads.count(name) for f in fields) or len(counts) > 1:
            return None  # read somewhere else too
        if opts.imported_elsewhere(name) or opts.assigned_elsewhere(name):
            return None
    cls = fields[0].cls
    made = [c for c in module.calls if c.qualname == f"{m.LOCAL}.{cls}"]
    if len(made) != 1 or made[0].context or made[0].bound_to is None or opts.imported_elsewhere(cls):
        return None
    if [(u.kind, u.count) for u in module.uses if u.name == cls] != [(m.USE_IMPORT_TIME, 1)]:
        return None  # other instances would need the default too
    instance = made[0].bound_to
    if [b.kind for b in module.bindings if b.name == instance] != ["assign"] or opts.assigned_elsewhere(instance):
        return None
    moved = ", ".join(dict.fromkeys(f"{instance}.{f.name}" for f in fields))
    return _planned(
        Applicability.UNSAFE,
        f"{SETTINGS_FIELD}: compute the default of {moved} on first use in a getter that readers call "
        f"(the field defaults to None: code that reads it directly, such as model_dump(), sees None when it is unset)",
    )
