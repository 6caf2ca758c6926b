"""Startup-path analysis: which heavy imports an entrypoint reaches, and through what.

Applied once to the findings of a run, after every rule ran: SL101 on a module an
entrypoint reaches becomes an error carrying the import chain (as related
locations), SL101 elsewhere a warning (or nothing, with `report-off-path = false`).
With no entrypoint known, findings are left as they are.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from startlint.findings import Finding, RelatedLocation, Severity, Span
from startlint.startup.entrypoints import Entrypoint
from startlint.startup.graph import ModelOf, SourceRoots, StartupGraph

HEAVY_IMPORT = "SL101"
_SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", "site-packages", "build", "dist"}


def resolve(entry: Entrypoint, root: Path) -> tuple[Path, Path] | None:
    """The entry module's file and the source root its imports resolve from. `python -m
    pkg` runs a package's `__main__.py` (after its `__init__.py`: see run_first)."""
    if entry.kind == "script":
        path = (root / entry.target).resolve()
        return (path, path.parent) if path.is_file() else None
    parts = entry.target.split(".")
    as_main = entry.launcher == "python -m"
    candidates = ([root / entry.base] if entry.base else []) + [root, root / "src"]
    for base in candidates + sorted(_package_dirs(root, parts[0]), key=lambda p: (len(p.parts), str(p))):
        file = _module_file(base, parts, as_main)
        if file is not None:
            return file.resolve(), base.resolve()
    return None


def run_first(entry_file: Path, base: Path) -> list[Path]:
    """The packages' `__init__.py` files Python runs before the entry module, outermost
    first: importing `app.api.main` runs `app/__init__.py` and `app/api/__init__.py`."""
    try:
        parts = entry_file.relative_to(base).parts[:-1]
    except ValueError:
        return []
    found = []
    for depth in range(1, len(parts) + 1):
        init = base.joinpath(*parts[:depth], "__init__.py")
        if init != entry_file and init.is_file():
            found.append(init)
    return found


def _module_file(base: Path, parts: list[str], as_main: bool = False) -> Path | None:
    """A package comes before a module of the same name, as in Python's own finder."""
    target = base.joinpath(*parts)
    main, init, module = target / "__main__.py", target / "__init__.py", target.with_suffix(".py")
    order = (main, init, module) if as_main else (init, module, main)
    for candidate in order:
        if candidate.is_file():
            return candidate
    return None


def _package_dirs(root: Path, top: str) -> list[Path]:
    """Directories under `root` that hold a package or module named `top` (src layouts)."""
    found = []
    for directory, subdirs, files in _walk(root):
        if top in subdirs or f"{top}.py" in files:
            found.append(directory)
    return found


def _walk(root: Path, depth: int = 4) -> list[tuple[Path, list[str], list[str]]]:
    out = []
    stack = [(root, 0)]
    while stack:
        directory, level = stack.pop()
        try:
            entries = list(directory.iterdir())
        except OSError:
            continue
        subdirs = sorted(e.name for e in entries if e.is_dir() and e.name not in _SKIP_DIRS and not e.name.startswith("."))
        files = [e.name for e in entries if e.is_file()]
        out.append((directory, subdirs, files))
        if level < depth:
            stack += [(directory / d, level + 1) for d in subdirs]
    return out


def build_graph(entrypoints: list[Entrypoint], root: Path, model_of: ModelOf) -> StartupGraph:
    resolved = [(e, resolve(e, root)) for e in entrypoints]
    roots = [r for _, found in resolved if found for r in [found[1]]]
    unique_roots = list(dict.fromkeys([*roots, root.resolve(), (root / "src").resolve()]))
    graph = StartupGraph(SourceRoots(unique_roots), model_of)
    for entry, found in resolved:
        if found is not None:
            graph.add(entry, *found, first=run_first(*found) if entry.kind == "module" else [])
        else:
            graph.missing.append(entry)
    return graph


def apply(
    findings: tuple[Finding, ...],
    graph: StartupGraph,
    root: Path,
    report_off_path: bool = True,
) -> tuple[Finding, ...]:
    out: list[Finding] = []
    root = root.resolve()
    for finding in findings:
        if finding.code != HEAVY_IMPORT:
            out.append(finding)
            continue
        reach = graph.reach.get(root / finding.path)
        if reach is None:
            if report_off_path:
                out.append(replace(finding, severity=Severity.WARNING, message=finding.message + "; not on a start-up path"))
            continue
        chain = [*(_rel(h.path, root) for h in reach.hops), finding.path]
        related = tuple(
            RelatedLocation(
                _rel(hop.path, root),
                Span(hop.line, hop.col, hop.end_line, hop.end_col),
                f"{_rel(hop.path, root)} imports {chain[i + 1]}",
            )
            for i, hop in enumerate(reach.hops)
        )
        message = f"{finding.message}; on the start-up path of {reach.entrypoint.display}"
        if len(chain) > 1:
            message += f" ({' -> '.join(chain)})"
        elif reach.package_of is not None:
            message += f" (its package: Python runs {finding.path} before {_rel(reach.package_of, root)})"
        out.append(replace(finding, severity=Severity.ERROR, message=message, related=related))
    return tuple(out)


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
