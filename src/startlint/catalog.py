"""The catalogs (heavy modules, network calls, clients, model loaders, blocking calls).

The data is TOML in `rules/catalogs/`; this module loads it strictly, merges the
user's `[tool.startlint.catalog]` extensions, and matches qualified names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from startlint import toml
from startlint.errors import ConfigError
from startlint.resources import rules_dir


@dataclass(frozen=True)
class HeavyModule:
    name: str  # dotted name, or a glob on its first component ("langchain_*")
    cost_ms: int
    version: str
    source: str


@dataclass(frozen=True)
class Catalogs:
    heavy: tuple[HeavyModule, ...]
    network: tuple[str, ...]
    local_handle_methods: tuple[str, ...]
    clients: tuple[str, ...]
    model_loaders: tuple[str, ...]
    blocking: tuple[str, ...]
    annotation_readers: tuple[str, ...] = ()

    def heavy_module(self, module: str) -> HeavyModule | None:
        """The most specific heavy entry covering `module` (itself or a parent package)."""
        if module in self._heavy_found:
            return self._heavy_found[module]
        best: HeavyModule | None = None
        for entry in self.heavy:
            if _module_matches(entry.name, module):
                if best is None or entry.name.count(".") > best.name.count("."):
                    best = entry
        self._heavy_found[module] = best
        return best

    @cached_property
    def _heavy_found(self) -> dict[str, HeavyModule | None]:
        return {}  # module -> heavy_module(module): asked for every import of every file

    @cached_property
    def _regexes(self) -> dict[str, _Matcher]:
        return {
            "network": _compile(self.network),
            "clients": _compile(self.clients),
            "model_loaders": _compile(self.model_loaders),
            "blocking": _compile(self.blocking),
        }

    def is_network(self, qualname: str) -> bool:
        return self._regexes["network"].match(qualname)

    def is_client(self, qualname: str) -> bool:
        return self._regexes["clients"].match(qualname)

    def is_model_loader(self, qualname: str) -> bool:
        return self._regexes["model_loaders"].match(qualname)

    def is_blocking(self, qualname: str) -> bool:
        return self._regexes["blocking"].match(qualname)

    def does_io(self, qualname: str) -> bool:
        """A call that goes over the network, builds a client or loads a model."""
        return self.is_network(qualname) or self.is_client(qualname) or self.is_model_loader(qualname)

    def is_local_handle(self, method: str) -> bool:
        return any(fnmatchcase(method, p) for p in self.local_handle_methods)

    @cached_property
    def _call_entries(self) -> tuple[str, ...]:
        return tuple(_expanded((*self.network, *self.clients, *self.model_loaders, *self.blocking)))

    @cached_property
    def _mentioned(self) -> dict[str, bool]:
        return {}  # module -> mentions(module): asked for every star import of every file

    def mentions(self, module: str) -> bool:
        """Whether any catalog entry lives in `module` (for resolving `from x import *`)."""
        known = self._mentioned.get(module)
        if known is None:
            prefix = module + "."
            known = any(p.startswith(prefix) for p in self._call_entries) or any(
                _module_matches(h.name, module) for h in self.heavy
            )
            self._mentioned[module] = known
        return known


def _module_matches(entry: str, module: str) -> bool:
    if "*" in entry:
        head, _, rest = entry.partition(".")
        first, _, tail = module.partition(".")
        if not fnmatchcase(first, head):
            return False
        return not rest or tail == rest or tail.startswith(rest + ".")
    return module == entry or module.startswith(entry + ".")


def expand_braces(pattern: str) -> list[str]:
    """`a.{b,c}.d` -> [`a.b.d`, `a.c.d`] (nested braces are not supported)."""
    match = re.search(r"\{([^{}]*)\}", pattern)
    if match is None:
        return [pattern]
    out: list[str] = []
    for alt in match.group(1).split(","):
        out.extend(expand_braces(pattern[: match.start()] + alt.strip() + pattern[match.end() :]))
    return out


def _expanded(patterns: tuple[str, ...]) -> list[str]:
    return [p for pattern in patterns for p in expand_braces(pattern)]


@dataclass(frozen=True)
class _Matcher:
    """Exact names in a set, and one regex for the few patterns with `*` (compiling one
    alternation of every entry cost a one-file check ~20 ms)."""

    exact: frozenset[str]
    globs: re.Pattern[str] | None

    def match(self, qualname: str) -> bool:
        return qualname in self.exact or (self.globs is not None and self.globs.match(qualname) is not None)


def _compile(patterns: tuple[str, ...]) -> _Matcher:
    expanded = _expanded(patterns)
    parts = [re.escape(p).replace(r"\*", r"[^()]*") for p in expanded if "*" in p]
    globs = re.compile("(?:" + "|".join(parts) + r")\Z") if parts else None
    return _Matcher(frozenset(p for p in expanded if "*" not in p), globs)


# -- loading ---------------------------------------------------------------

_HEAVY_KEYS = {"name", "cost_ms", "version", "package", "source", "note"}
_CALL_SECTIONS = {
    "network": {"calls", "local_handle_methods"},
    "clients": {"constructors"},
    "model_loaders": {"calls"},
    "blocking": {"calls"},
    "annotations": {"readers"},
}


def load_shipped() -> Catalogs:
    base = rules_dir() / "catalogs"
    heavy = _load_heavy(base / "heavy_modules.toml")
    calls = _load_calls(base / "calls.toml")
    return Catalogs(
        heavy=heavy,
        network=calls["network"]["calls"],
        local_handle_methods=calls["network"]["local_handle_methods"],
        clients=calls["clients"]["constructors"],
        model_loaders=calls["model_loaders"]["calls"],
        blocking=calls["blocking"]["calls"],
        annotation_readers=calls["annotations"]["readers"],
    )


def _load_heavy(path: Path) -> tuple[HeavyModule, ...]:
    data = toml.load(path)
    entries: list[HeavyModule] = []
    seen: set[str] = set()
    for i, raw in enumerate(data.get("module", [])):
        where = f"{path}: module #{i + 1}"
        unknown = set(raw) - _HEAVY_KEYS
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {sorted(unknown)}")
        name, cost = raw.get("name"), raw.get("cost_ms")
        if not isinstance(name, str) or not isinstance(cost, int):
            raise ConfigError(f"{where}: needs a string 'name' and an integer 'cost_ms'")
        if name in seen:
            raise ConfigError(f"{where}: duplicate module {name!r}")
        seen.add(name)
        entries.append(
            HeavyModule(name, cost, str(raw.get("version", "")), str(raw.get("source", "")))
        )
    return tuple(entries)


def _load_calls(path: Path) -> dict[str, dict[str, tuple[str, ...]]]:
    data = toml.load(path)
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for section, keys in _CALL_SECTIONS.items():
        table = data.get(section)
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: missing table [{section}]")
        unknown = set(table) - keys
        if unknown:
            raise ConfigError(f"{path}: [{section}]: unknown key(s) {sorted(unknown)}")
        out[section] = {k: _strings(table.get(k, []), f"{path}: [{section}].{k}") for k in keys}
    unknown_sections = set(data) - set(_CALL_SECTIONS)
    if unknown_sections:
        raise ConfigError(f"{path}: unknown table(s) {sorted(unknown_sections)}")
    return out


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: expected a list of strings")
    return tuple(value)


# -- user extensions ---------------------------------------------------------

EXTENSION_KEYS = {
    "heavy-modules": "a table of module name = import cost in ms",
    "not-heavy": "a list of module names to drop from the heavy catalog",
    "network-calls": "a list of qualified-name patterns",
    "clients": "a list of qualified-name patterns",
    "model-loaders": "a list of qualified-name patterns",
    "blocking-calls": "a list of qualified-name patterns",
    "local-handle-methods": "a list of method-name patterns",
}


def validate_extension(raw: Any, where: str) -> dict[str, Any]:
    """Check `[tool.startlint.catalog]`; returns it unchanged or raises ConfigError."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: 'catalog' must be a table")
    for key, value in raw.items():
        if key not in EXTENSION_KEYS:
            raise ConfigError(
                f"{where}: unknown key 'catalog.{key}' (expected one of {', '.join(sorted(EXTENSION_KEYS))})"
            )
        if key == "heavy-modules":
            if not isinstance(value, dict) or not all(
                isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value.values()
            ):
                raise ConfigError(f"{where}: 'catalog.heavy-modules' must be {EXTENSION_KEYS[key]}")
        else:
            _strings(value, f"{where}: 'catalog.{key}'")
    return raw


def extend(base: Catalogs, ext: dict[str, Any]) -> Catalogs:
    """The shipped catalogs with a validated user extension merged in."""
    if not ext:
        return base
    drop = set(ext.get("not-heavy", ()))
    overrides: dict[str, int] = dict(ext.get("heavy-modules", {}))
    heavy = [
        HeavyModule(h.name, overrides.pop(h.name, h.cost_ms), h.version, h.source)
        for h in base.heavy
        if h.name not in drop
    ]
    heavy += [HeavyModule(n, c, "", "user configuration") for n, c in overrides.items() if n not in drop]
    return Catalogs(
        heavy=tuple(heavy),
        network=base.network + tuple(ext.get("network-calls", ())),
        local_handle_methods=base.local_handle_methods + tuple(ext.get("local-handle-methods", ())),
        clients=base.clients + tuple(ext.get("clients", ())),
        model_loaders=base.model_loaders + tuple(ext.get("model-loaders", ())),
        blocking=base.blocking + tuple(ext.get("blocking-calls", ())),
        annotation_readers=base.annotation_readers,
    )
