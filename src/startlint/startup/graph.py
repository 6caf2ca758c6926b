"""The start-up import graph: which first-party modules an entrypoint imports at import time.

Nodes are files; an edge is an import-time import statement (from the import-time
model: never a function body, `if TYPE_CHECKING:` or `__main__` block). Importing
`a.b.c` runs `a/__init__.py` and `a/b/__init__.py` too. The search is breadth-first,
over each module's import statements in source order and the entrypoints in their
given order, so each reachable module gets the shortest chain, ties broken as the
interpreter would meet them. Cycles are fine: a module is visited once.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from startlint.project import absolute
from startlint.python.model import Import, Module
from startlint.startup.entrypoints import Entrypoint

ModelOf = Callable[[Path], Module | None]


@dataclass(frozen=True)
class Hop:
    path: Path  # the importing module
    line: int  # the import statement's first line
    col: int
    end_line: int
    end_col: int


@dataclass(frozen=True)
class Reach:
    entrypoint: Entrypoint
    hops: tuple[Hop, ...]  # from the entry module to the module that imports this one
    package_of: Path | None = None  # a package's `__init__.py` run before this entry module

    @property
    def chain(self) -> tuple[Path, ...]:
        return tuple(h.path for h in self.hops)


@dataclass
class SourceRoots:
    """Directories module names are relative to, most specific first."""

    roots: list[Path]
    _cache: dict[str, Path | None] = field(default_factory=dict)
    _files: dict[str, Path | None] = field(default_factory=dict)

    def find(self, module: str, first: Path | None = None) -> Path | None:
        """The file a dotted module name refers to (a package's `__init__.py`), if first-party."""
        key = f"{first}|{module}"
        if key not in self._cache:
            self._cache[key] = self._find(module, first)
        return self._cache[key]

    def find_file(self, module: str) -> Path | None:
        """`find`, but None for a namespace package (no file of its own)."""
        if module not in self._files:
            found = self.find(module)
            self._files[module] = found if found is not None and found.is_file() else None
        return self._files[module]

    def owner(self, dotted: str) -> tuple[Path, str, str] | None:
        """The first-party module a dotted name lives in, longest first: `app.clients.s3.get`
        -> (app/clients.py, `app.clients`, `s3.get`); None when no prefix is first-party."""
        parts = dotted.split(".")
        for split in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:split])
            file = self.find_file(module)
            if file is not None:
                return file, module, ".".join(parts[split:])
        return None

    def _find(self, module: str, first: Path | None) -> Path | None:
        parts = module.split(".")
        for root in ([first] if first else []) + self.roots:
            base = root.joinpath(*parts)
            for candidate in (base.with_suffix(".py"), base / "__init__.py"):
                if candidate.is_file():
                    return candidate
            if base.is_dir() and len(parts) > 0:
                return base / "__init__.py"  # a namespace package: no file of its own runs
        return None


def module_name_in(path: Path, root: Path) -> str:
    rel = path.relative_to(root).with_suffix("")
    parts = list(rel.parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@dataclass
class StartupGraph:
    """Breadth-first reach of every entrypoint, built from per-file import-time models."""

    roots: SourceRoots
    model_of: ModelOf
    reach: dict[Path, Reach] = field(default_factory=dict)
    edges: dict[Path, list[tuple[Hop, Path]]] = field(default_factory=dict)
    missing: list[Entrypoint] = field(default_factory=list)  # entrypoints with no file

    def add(self, entry: Entrypoint, entry_file: Path, entry_root: Path, first: Sequence[Path] = ()) -> None:
        """Reach from `entry_file`, after the files Python runs `first` (its packages)."""
        queue: deque[tuple[Path, Path]] = deque()
        for path in (*first, entry_file):
            if path not in self.reach:
                self.reach[path] = Reach(entry, (), package_of=entry_file if path != entry_file else None)
                queue.append((path, entry_root))
        while queue:
            path, root = queue.popleft()
            model = self.model_of(path)
            if model is None:
                continue
            for hop, target, target_root in self._targets(path, root, model):
                self.edges.setdefault(path, []).append((hop, target))
                if target in self.reach:
                    continue
                previous = self.reach[path]
                self.reach[target] = Reach(previous.entrypoint, (*previous.hops, hop))
                queue.append((target, target_root))

    def _targets(self, path: Path, root: Path, model: Module) -> Iterator[tuple[Hop, Path, Path]]:
        name = module_name_in(path, root) if _inside(path, root) else ""
        is_package = path.name == "__init__.py"
        for imp in model.imports:
            hop = Hop(path, imp.pos.line, imp.pos.col, imp.pos.end_line, imp.pos.end_col)
            for dotted in _imported_modules(imp, name, is_package):
                found = self.roots.find(dotted, root)
                if found is not None and found != path and found.is_file():
                    yield hop, found, _root_of(found, dotted)


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def _root_of(found: Path, dotted: str) -> Path:
    depth = len(dotted.split(".")) + (1 if found.name == "__init__.py" else 0)
    return found.parents[depth - 1]


def _imported_modules(imp: Import, importer: str, is_package: bool) -> list[str]:
    """Absolute names of the modules a statement runs, parents first."""
    out: list[str] = []

    def with_parents(dotted: str) -> None:
        parts = dotted.split(".")
        for i in range(1, len(parts) + 1):
            name = ".".join(parts[:i])
            if name not in out:
                out.append(name)

    if imp.kind in ("import", "dynamic"):
        for dotted in imp.modules:
            with_parents(dotted)
        return out
    base = absolute(imp.module, imp.level, importer, is_package)
    if not base:
        return out
    with_parents(base)
    for n in imp.names:
        if n.name != "*":
            out.append(f"{base}.{n.name}")
    return out
