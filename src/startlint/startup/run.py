"""Startup-path analysis over a run's findings: entrypoint chains and import-time calls."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING
from dataclasses import replace
from pathlib import Path

from startlint.engine import Checker
from startlint.findings import Finding, Violation
from startlint.python.model import FunctionBody, Module
from startlint.startup.entrypoints import Entrypoint

if TYPE_CHECKING:
    from startlint.startup.graph import SourceRoots

Warn = Callable[[str], None]


def _stderr(message: str) -> None:
    print(f"startlint: warning: {message}", file=sys.stderr)


def analyse(
    findings: tuple[Finding, ...], checker: Checker, cli: list[str], root: Path, warn: Warn = _stderr
) -> tuple[Finding, ...]:
    from startlint.project import module_name

    root = checker.root  # resolved: the models' paths are
    findings = startup_paths(findings, checker, cli, root, warn)
    # Both passes below start from every checked module, with the same source roots.
    starts = [(p, module_name(p)) for p in sorted(checker.models)]
    roots = _roots(starts, root)
    findings = import_time_calls(findings, checker, root, starts, roots)
    return imported_clients(findings, checker, root, starts, roots)


def startup_paths(
    findings: tuple[Finding, ...], checker: Checker, cli: list[str], root: Path, warn: Warn = _stderr
) -> tuple[Finding, ...]:
    """Heavy imports on an entrypoint's start-up path are errors, with their import chain.

    An entrypoint that names no file is a warning: always when the command line or the
    configuration gave it, else (the project's files named it) when there is an SL101
    finding for it to judge."""
    from startlint.startup import analysis

    settings = checker.settings
    heavy = any(f.code == "SL101" for f in findings)
    if not heavy and not (cli or settings.entrypoints):
        return findings
    entrypoints = entrypoints_for(checker, cli, root)
    if not entrypoints:
        return findings
    graph = analysis.build_graph(entrypoints, root, checker.model_of)
    if graph.missing:
        missing = ", ".join(e.display for e in graph.missing)
        warn(f"entrypoint not found: {missing}")
    if not heavy or not graph.reach:
        return findings
    return tuple(sorted(analysis.apply(findings, graph, root, settings.report_off_path), key=lambda f: f.sort_key))


def import_time_calls(
    findings: tuple[Finding, ...], checker: Checker, root: Path, starts: list[tuple[Path, str]], roots: SourceRoots
) -> tuple[Finding, ...]:
    """Add hazards inside first-party functions that checked modules call at import time."""
    from startlint.engine import Selection, relative
    from startlint.rules import python_checks
    from startlint.rules.context import PythonContext
    from startlint.startup import calls

    selection = Selection(checker.settings)
    checks = {c: f for c, f in python_checks().items() if c in calls.HAZARD_CODES and selection.enabled(c)}
    if not checks or not starts:
        return findings
    ctx = PythonContext(checker.catalogs)
    one_body = _OneBody()
    # A call into another module needs all of that file's function summaries (a
    # re-parse). Each pass follows what is known and collects the files it lacked;
    # those are summarised together (in parallel when many) before the next pass.
    for attempt in range(calls.MAX_DEPTH + 2):  # each pass can reach one call deeper
        missing: set[Path] = set()

        def known(path: Path) -> tuple[FunctionBody, ...]:
            bodies = checker.known_function_bodies(path)
            if bodies is None:
                missing.add(path)
                return ()
            return bodies

        found = calls.follow(starts, checker.model_of, roots, checks, ctx, known, one_body)
        if not missing or attempt == calls.MAX_DEPTH + 1:
            break
        checker.load_function_bodies(missing)
    reached = []
    for via in found:
        how = " -> ".join(f"{relative(s.path, root)}:{s.line} {s.callee}()" for s in via.chain)
        violation = replace(
            via.violation,
            message=f"{via.violation.message}; reached at import time through {how}",
            related=calls.related(via.chain, lambda p: relative(p, root)),
        )
        reached.append((via.path, violation))
    return _with(findings, reached, checker, root)


def imported_clients(
    findings: tuple[Finding, ...], checker: Checker, root: Path, starts: list[tuple[Path, str]], roots: SourceRoots
) -> tuple[Finding, ...]:
    """SL102 on clients that other first-party modules build (startup/imported_clients.py)."""
    from startlint.engine import Selection
    from startlint.rules.context import PythonContext
    from startlint.startup import imported_clients as clients

    if not Selection(checker.settings).enabled("SL102") or not starts:
        return findings
    ctx = PythonContext(checker.catalogs)
    built: clients.Built = {}
    found = [
        (path, v) for path, _ in starts for v in clients.find(checker.models[path], checker.model_of, roots, ctx, built)
    ]
    return _with(findings, found, checker, root)


def _with(
    findings: tuple[Finding, ...], new: list[tuple[Path, Violation]], checker: Checker, root: Path
) -> tuple[Finding, ...]:
    """`findings` and the analysis's `new` violations, each file's finalised once (selection,
    suppression); none where the file's own check already reported that code on that line."""
    from startlint.engine import relative

    existing = {(f.path, f.code, f.span.start_line) for f in findings}
    by_path: dict[Path, list[Violation]] = {}
    for path, violation in new:
        if (relative(path, root), violation.code, violation.span.start_line) not in existing:
            by_path.setdefault(path, []).append(violation)
    added = [f for path, group in by_path.items() for f in checker.finalise(relative(path, root), _read_text(path), group)]
    if not added:
        return findings
    return tuple(sorted((*findings, *added), key=lambda f: f.sort_key))


def _roots(starts: list[tuple[Path, str]], root: Path) -> SourceRoots:
    """Where first-party module names resolve: each checked module's source root, the
    project root and its `src/`."""
    from startlint.startup.graph import SourceRoots

    source_roots = [_source_root(p, n) for p, n in starts]
    return SourceRoots(list(dict.fromkeys([*source_roots, root, root / "src"])))


class _OneBody:
    """Summarise one function from its own lines (calls.OneBody), each file read once."""

    def __init__(self) -> None:
        self.lines: dict[Path, list[str]] = {}

    def __call__(self, path: Path, model: Module, name: str, span: tuple[int, int]) -> FunctionBody | None:
        from startlint.python.function_summary import summarise
        from startlint.python.positions import split_lines

        if path not in self.lines:
            self.lines[path] = split_lines(_read_text(path))
        return summarise(self.lines[path], model, name, span)


def _source_root(path: Path, name: str) -> Path:
    depth = len(name.split(".")) if name else 1
    return path.parents[depth - 1] if path.name != "__init__.py" else path.parents[depth]


def _read_text(path: Path) -> str:
    from startlint.python.source import decode

    try:
        return decode(path.read_bytes())
    except (OSError, SyntaxError, UnicodeDecodeError, LookupError):
        return ""


def entrypoints_for(checker: Checker, given: list[str], root: Path) -> list[Entrypoint]:
    """The command line's, else the configuration's, else those the project's files name:
    what its Dockerfiles start first (in the order each container starts them), then
    `[project.scripts]`, `Procfile` and `app.yaml`."""
    from startlint.startup.entrypoints import from_dockerfiles, from_project_files, parse_spec

    if given:
        return [parse_spec(s, "command line") for s in given]
    settings = checker.settings
    if settings.entrypoints:
        return [parse_spec(s, f"{settings.config_path}: entrypoints") for s in settings.entrypoints]
    found = from_dockerfiles(root, settings)
    for entry in from_project_files(root):
        if not any((e.kind, e.target) == (entry.kind, entry.target) for e in found):
            found.append(entry)
    return found
