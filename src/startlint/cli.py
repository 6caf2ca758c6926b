"""The command line: `startlint check|rules|explain`.

Exit codes: 0 nothing at or above `--fail-on`; 1 something was; 2 usage,
configuration or internal error. This module imports the standard library only
at start-up; everything else loads where it is used.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path

from startlint import __version__
from startlint.errors import ConfigError, UsageError
from startlint.replay import FORMATS, SEVERITIES, report_view

# Not `typing.TYPE_CHECKING`: importing typing costs a replayed run ~15% of its time
# (mypy treats any name TYPE_CHECKING in a condition as true).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import TextIO

    from startlint.config import Settings
    from startlint.replay import Attempt
    from startlint.run_cache import Replay, RunCache
    from startlint.ruledocs import RuleDoc
    from startlint.discovery import SourceFile
    from startlint.engine import Checker
    from startlint.findings import Finding

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _codes(value: str) -> list[str]:
    return [c for c in (part.strip() for part in value.split(",")) if c]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="startlint",
        description="Find and fix what makes a Python service slow to cold-start.",
    )
    parser.add_argument("--version", action="version", version=f"startlint {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = sub.add_parser("check", help="check files and directories (default: .)")
    check.add_argument("paths", nargs="*", metavar="PATH", help="files or directories; '-' reads stdin")
    check.add_argument("--select", type=_codes, help="comma-separated codes or prefixes to check (replaces the configured set)")
    check.add_argument("--ignore", type=_codes, default=[], help="codes or prefixes to skip")
    check.add_argument("--extend-select", type=_codes, default=[], help="codes or prefixes to add")
    check.add_argument("--fail-on", choices=SEVERITIES, help="lowest severity that makes the exit code 1 (default: error)")
    check.add_argument("--format", choices=FORMATS, default="text", dest="output_format")
    check.add_argument("--output-file", "-o", type=Path, help="write the report here instead of stdout")
    check.add_argument("--quiet", "-q", action="store_true", help="print findings only, no summary")
    check.add_argument("--statistics", action="store_true", help="counts by rule instead of findings")
    check.add_argument("--no-color", action="store_true", help="never colour the output")
    check.add_argument("--config", type=Path, help="use this configuration file")
    check.add_argument("--stdin-filename", type=Path, help="the path stdin's source stands for")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings are reported")
    check.add_argument("--show-info", action="store_true", help="also report info findings (hidden by default)")
    check.add_argument("--fix", action="store_true", default=None, help="apply safe fixes")
    check.add_argument("--unsafe-fixes", action="store_true", default=None, help="with --fix or --diff: unsafe fixes too")
    check.add_argument("--diff", action="store_true", help="print the fixes as a unified diff; write nothing")
    check.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    check.add_argument("--jobs", "-j", type=int, metavar="N", help="worker processes for large runs (default: one per CPU)")
    check.add_argument("--entrypoint", action="append", default=[], metavar="SPEC", help="what the service starts: 'app.main:app' or a script path (repeatable)")
    check.add_argument("--hadolint", action="store_true", default=None, help="also run hadolint on the Dockerfiles and report its findings")
    check.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")

    clean = sub.add_parser("clean", help="remove the cache directory")
    clean.add_argument("--config", type=Path, help="use this configuration file")

    rules = sub.add_parser("rules", help="list every rule")
    rules.add_argument("--format", choices=("text", "json"), default="text", dest="output_format")

    graph = sub.add_parser("graph", help="show an entrypoint's start-up import tree with heavy-import costs")
    graph.add_argument("entrypoints", nargs="*", metavar="ENTRYPOINT", help="'app.main:app' or a script path (default: the project's)")
    graph.add_argument("--format", choices=("text", "json"), default="text", dest="output_format")
    graph.add_argument("--config", type=Path, help="use this configuration file")
    graph.add_argument("--no-color", action="store_true", help="never colour the output")

    explain = sub.add_parser("explain", help="show a rule's documentation")
    explain.add_argument("code", metavar="CODE")
    return parser


def main(argv: Sequence[str] | None = None, replayed: Attempt | None = None) -> int:
    """`replayed`: what the console script's replay (startlint.replay) found for this
    command line: a run-cache entry it keyed and missed is not keyed again."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    # A run builds many small acyclic objects (trees, models) and keeps the models: the
    # cyclic collector then re-traverses everything kept on every collection, which
    # doubled the time of a cold check of the stdlib. Nothing here relies on it.
    collecting = gc.isenabled()
    gc.disable()
    try:
        if args.command == "check":
            asked = list(sys.argv[1:] if argv is None else argv)
            keyed = replayed.runs if replayed is not None and replayed.argv == asked else None
            return _check(args, keyed)
        if args.command == "rules":
            return _rules(args)
        if args.command == "graph":
            return _graph(args)
        if args.command == "clean":
            return _clean(args)
        return _explain(args)
    except (UsageError, ConfigError) as exc:
        print(f"startlint: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        raise  # the console script stops quietly (startlint.entry)
    except Exception as exc:  # the one place an unexpected failure becomes exit 2
        if getattr(args, "debug", False) or os.environ.get("STARTLINT_DEBUG"):
            raise
        print(f"startlint: internal error: {exc}", file=sys.stderr)
        print("startlint: rerun with --debug for the traceback and report it", file=sys.stderr)
        return EXIT_ERROR
    finally:
        if collecting:
            gc.enable()


def _known_codes() -> tuple[str, ...]:
    from startlint.rules import implemented_codes

    return implemented_codes()


def _checker(args: argparse.Namespace, anchor: Path) -> Checker:
    """Settings from the configuration nearest `anchor` (or --config) and the command line."""
    from startlint import catalog, config
    from startlint.cache import ModelCache, cache_dir
    from startlint.engine import Checker
    from startlint.ruledocs import LazyDocs

    cwd = Path.cwd()
    known = _known_codes()
    if args.config is not None:
        if not args.config.is_file():
            raise UsageError(f"--config {args.config}: no such file")
        config_path: Path | None = args.config.resolve()
    else:
        config_path = config.find_config((cwd / anchor).resolve())
    settings = config.load_settings(config_path, known, cwd)
    if args.command == "check":
        settings = _apply_cli(settings, args, known)
    catalogs = catalog.extend(catalog.load_shipped(), settings.catalog)
    cache = None
    if args.command == "check" and not args.no_cache:
        cache = ModelCache(cache_dir(settings.root.resolve(), settings.cache_dir))
    jobs = getattr(args, "jobs", None) or os.cpu_count() or 1
    if jobs < 1:
        raise UsageError("--jobs must be at least 1")
    return Checker(settings, catalogs, LazyDocs(), cache=cache, jobs=jobs)


def _check(args: argparse.Namespace, keyed: RunCache | None = None) -> int:
    if args.stdin_filename is not None and not args.paths:
        args.paths = ["-"]  # as in ruff: --stdin-filename alone reads stdin
    paths = [Path(p) for p in (args.paths or ["."])]
    stdin = [p for p in paths if str(p) == "-"]
    if args.stdin_filename is not None and not stdin:
        # Checking (or fixing) the files on disk while an editor pipes its buffer in
        # would report on, or rewrite, something other than what the editor holds.
        raise UsageError("--stdin-filename reads stdin: pass '-' (or no path) instead of other paths")
    if stdin and len(paths) > 1:
        raise UsageError("'-' (stdin) cannot be combined with other paths")
    if stdin and args.stdin_filename is None:
        raise UsageError("reading stdin needs --stdin-filename PATH (the file it stands for)")
    runs = None if stdin else keyed or _run_cache(args, paths)
    if runs is not None:
        entry = runs.load()
        if entry is not None:
            return _report_cached(args, paths[0], runs, entry)
    return _check_run(args, paths, bool(stdin), runs)


def _run_cache(args: argparse.Namespace, paths: list[Path]) -> RunCache | None:
    """The whole-run cache entry for this check, when one can stand for it (see run_cache)."""
    if args.no_cache or args.fix or args.diff or args.hadolint:
        return None
    cwd = Path.cwd()
    resolved = [(cwd / p).resolve() for p in paths]
    from startlint.cache_location import cache_dir
    from startlint.config_files import find_config, startlint_table
    from startlint.resources import rules_dir
    from startlint.run_cache import NAMED_FILES_WALK_LIMIT, RunCache, fingerprint

    config_path = args.config.resolve() if args.config is not None else find_config(resolved[0])
    try:
        config_bytes = config_path.read_bytes() if config_path is not None else b""
    except OSError:
        return None  # the full run reports it
    table: dict[str, object] = {}
    # Only three keys matter before the run; a file naming none of them is not parsed.
    if config_path is not None and any(k in config_bytes for k in (b"cache-dir", b"fix", b"hadolint")):
        try:
            raw = startlint_table(config_path)
        except ConfigError:
            return None  # the full run reports it
        table = raw if isinstance(raw, dict) else {}
    if table.get("fix") is True or table.get("hadolint") is True:
        return None
    root = config_path.parent if config_path is not None else cwd
    scripts = [(cwd / e).resolve() for e in args.entrypoint if ":" not in e]  # 'module:attr' names no file
    if not all(p.is_relative_to(root) for p in [*resolved, *scripts]):
        return None  # the run would read files the key does not cover
    setting = table.get("cache-dir")
    directory = cache_dir(root, setting if isinstance(setting, str) else None)
    options = {**vars(args), "paths": [str(p) for p in resolved]}
    # A file's result can depend on any module of the tree, so named files need the same
    # walk; on a large tree it would cost a small run more than it saves.
    named = not all(p.is_dir() for p in resolved)
    keyed = fingerprint(root, config_path, config_bytes, options, cwd, rules_dir(), directory,
                        max_files=NAMED_FILES_WALK_LIMIT if named else None)
    if keyed is None:
        return None
    return RunCache(directory, keyed[0], root, keyed[1])


def _report_cached(args: argparse.Namespace, anchor: Path, runs: RunCache, entry: Replay) -> int:
    """Replay a stored run: its report as stored for these output options, or rendered
    from its findings (and stored) the first time these options ask for it."""
    view = _view(args, sys.stdout)
    report = entry.reports.get(view)
    if report is None:
        findings = entry.findings()
        if args.output_format in ("json", "sarif") and any(f.fix is not None and not f.fix.edits for f in findings):
            from startlint.fixes.report_edits import with_edits

            findings = with_edits(findings, _checker(args, anchor))
        report = _render(args, findings, entry.files, Path(runs.root), view)
        runs.add_report(entry, view, report)
    _write(args, report, sys.stdout)
    if args.exit_zero:
        return EXIT_CLEAN
    return EXIT_FINDINGS if entry.fails(args.fail_on or entry.fail_on) else EXIT_CLEAN


def _check_run(args: argparse.Namespace, paths: list[Path], stdin: bool, runs: RunCache | None) -> int:
    from startlint.discovery import PYTHON, SourceFile, discover, kind_of
    from startlint.engine import relative
    from startlint.findings import Severity

    cwd = Path.cwd()
    checker = _checker(args, args.stdin_filename if stdin else paths[0])
    hadolint = False
    settings, docs = checker.settings, checker.docs
    root = settings.root.resolve()

    fixing = bool(args.fix if args.fix is not None else settings.fix)
    unsafe = bool(args.unsafe_fixes if args.unsafe_fixes is not None else settings.unsafe_fixes)
    out = sys.stdout
    texts: dict[str, str] = {}
    if stdin:
        target = (cwd / args.stdin_filename).resolve()
        kind = kind_of(target.name) or "python"
        data = sys.stdin.buffer.read()
        from startlint.python.source import decode

        try:
            text = decode(data)
        except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
            raise UsageError(f"stdin ({args.stdin_filename}): cannot decode: {exc}") from None
        rel = relative(target, root)
        if (fixing or args.diff) and kind == "python":
            from startlint.fixes.runner import Workspace, fix_python

            workspace = Workspace({target: data}, {target: text})
            fix_python(checker, target, rel, workspace, unsafe, cross_file=False)
            fixed = workspace.texts[target]
            if args.diff:
                return _print_diffs({rel: (text, fixed)})
            sys.stdout.write(fixed)
            out, text = sys.stderr, fixed  # the fixed source owns stdout; findings go to stderr
        texts[rel] = text
        found = checker.check_file(SourceFile(target, kind), text=text, display_path=rel)
        files = 1
    else:
        for p in paths:
            if not p.exists():
                raise UsageError(f"{p}: no such file or directory")
        sources = list(discover(paths, settings))
        found = list(checker.check_files(sources))
        if fixing or args.diff:
            # Only files with a fix to apply go through the (LibCST) fixer; afterwards
            # the files it changed are checked again and the rest keep their findings.
            fixable = {f.path for f in found if f.fix is not None and f.fix.applies(unsafe)}
            python = [s for s in sources if s.kind == PYTHON]
            targets = [s for s in python if relative(s.path, root) in fixable]
            others = [s for s in sources if s.kind != PYTHON]
            outcome, changed = _fix_files(checker, [*targets, *others], root, unsafe, write=not args.diff)
            if args.diff:
                return outcome
            if changed:
                # Python files report only on themselves; Dockerfiles also on their
                # entry scripts, so those are all checked again.
                kept = {relative(s.path, root) for s in python if s.path not in changed}
                found = [f for f in found if f.path in kept]
                found += checker.check_files([s for s in python if s.path in changed] + others)
        files = len(sources)
        if args.hadolint or (args.hadolint is None and settings.hadolint):
            found, docs = _with_hadolint(found, sources, settings, docs)
            hadolint = True

    findings = tuple(sorted(found, key=lambda f: f.sort_key))
    from startlint.startup.run import analyse

    warned: list[str] = []

    def warn(message: str) -> None:
        # Printed now, and the run is then not stored: a replay would not repeat it.
        warned.append(message)
        print(f"startlint: warning: {message}", file=sys.stderr)

    findings = analyse(findings, checker, args.entrypoint, root, warn)
    if not args.show_info:  # info (hadolint's info and style levels) only when asked for
        findings = tuple(f for f in findings if f.severity is not Severity.INFO)
    shown = findings
    if args.output_format in ("json", "sarif"):
        from startlint.fixes.report_edits import with_edits

        shown = with_edits(findings, checker, texts)
    view = _view(args, out)
    report = _render(args, shown, files, root, view, docs)
    if runs is not None and not (fixing or hadolint or warned):
        runs.store(findings, files, settings.fail_on.value, view, report)
    _write(args, report, out)
    if args.exit_zero:
        return EXIT_CLEAN
    from startlint.results import exit_code

    return exit_code(findings, settings.fail_on if args.fail_on is None else Severity(args.fail_on))


def _view(args: argparse.Namespace, out: TextIO) -> tuple[str, bool, bool, bool, bool]:
    """How the report looks: format, colour, source lines, statistics, quiet."""
    to_terminal = args.output_file is None and out.isatty()
    return report_view(args.output_format, to_terminal, args.no_color, bool(args.statistics), bool(args.quiet))


def _render(
    args: argparse.Namespace,
    findings: tuple[Finding, ...],
    files: int,
    root: Path,
    view: tuple[str, bool, bool, bool, bool],
    docs: Mapping[str, RuleDoc] | None = None,
) -> str:
    from startlint.reporters import render
    from startlint.results import ReportOptions, RunResult

    if docs is None:
        from startlint.ruledocs import LazyDocs

        docs = LazyDocs()
    fmt, color, show_source, statistics, quiet = view
    options = ReportOptions(color=color, show_source=show_source, statistics=statistics, quiet=quiet)
    return render(fmt, RunResult(findings, files, root), docs, options)


def _write(args: argparse.Namespace, report: str, out: TextIO) -> None:
    if args.output_file is not None:
        try:  # missing folders are made, as ruff does
            args.output_file.parent.mkdir(parents=True, exist_ok=True)
            args.output_file.write_text(report, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"--output-file {args.output_file}: {exc.strerror or exc}") from None
    elif report:
        out.write(report)


def _clean(args: argparse.Namespace) -> int:
    from startlint.cache import cache_dir, clean

    checker = _checker(args, Path("."))
    base = cache_dir(checker.settings.root.resolve(), checker.settings.cache_dir)
    try:
        removed = clean(base)
    except OSError as exc:
        raise UsageError(str(exc)) from None
    print(f"removed {base}" if removed else f"no cache at {base}")
    return EXIT_CLEAN


def _graph(args: argparse.Namespace) -> int:
    from startlint.startup import analysis, tree
    from startlint.startup.run import entrypoints_for

    checker = _checker(args, Path("."))
    root = checker.settings.root.resolve()
    entrypoints = entrypoints_for(checker, args.entrypoints, root)
    if not entrypoints:
        raise UsageError("no entrypoint given or found; pass one, e.g. 'startlint graph app.main:app'")
    trees = []
    missing = []
    for entry in entrypoints:
        found = analysis.resolve(entry, root)
        if found is None:
            missing.append(entry.display)
            continue
        graph = analysis.build_graph([entry], root, checker.model_of)
        trees.append(tree.build(graph, entry, found[0], root, checker.catalogs))
    if not trees:
        raise UsageError(f"entrypoint {', '.join(missing)}: no such module or file under {root}")
    if missing:
        print(f"startlint: warning: entrypoint not found: {', '.join(missing)}", file=sys.stderr)
    if args.output_format == "json":
        sys.stdout.write(tree.render_json(trees))
        return EXIT_CLEAN
    color = sys.stdout.isatty() and not args.no_color and not os.environ.get("NO_COLOR")
    for t in trees:
        sys.stdout.write(tree.render_rich(t) if color else tree.render_text(t))
    return EXIT_CLEAN


def _with_hadolint(
    found: list[Finding], sources: list[SourceFile], settings: Settings, docs: Mapping[str, RuleDoc]
) -> tuple[list[Finding], Mapping[str, RuleDoc]]:
    """hadolint's findings merged into startlint's (`--hadolint`, or `hadolint = true`);
    its codes take part in select / ignore / per-file-ignores like startlint's."""
    from startlint.docker.hadolint import HadolintError, report
    from startlint.engine import Selection

    root = settings.root.resolve()
    dockerfiles = [s.path for s in sources if s.kind == "dockerfile" and not s.path.name.endswith(".dockerignore")]
    try:
        merged, extra = report(found, dockerfiles, root, selection=Selection(settings).enabled_for)
    except HadolintError as exc:
        raise UsageError(f"hadolint: {exc}") from None
    return merged, {**docs, **extra}


def _fix_files(
    checker: Checker, sources: list[SourceFile], root: Path, unsafe: bool, write: bool
) -> tuple[int, set[Path]]:
    """Fix the Python files, Dockerfiles and entry scripts; with `write`, save them, else
    print the diff (exit 1 if any). Returns the exit status and the files changed."""
    from startlint.engine import relative
    from startlint.fixes.runner import Workspace, fix_python
    from startlint.fixes.writer import ChangedOnDisk, WriteFailed, write_all
    from startlint.parallel import FIX_POOL_MIN, fix_in_pool

    workspace = Workspace()
    applied = 0
    failed: dict[Path, set[tuple[str, int, str]]] = {}
    python = [(s.path, relative(s.path, root)) for s in sources if s.kind == "python"]
    left_for_parent = True
    if checker.jobs > 1 and len(python) >= FIX_POOL_MIN:
        # LibCST work is most of fixing: in-file fixes run in workers; the pass
        # below then only finds what rewrites other files, if a worker left any.
        left_for_parent = False
        for path, original, text, count, failures, cross_file in fix_in_pool(checker, python, unsafe):
            workspace.originals[path], workspace.texts[path] = original, text
            failed[path] = failures
            applied += count
            left_for_parent |= cross_file
    for source in sources:
        if source.kind == "python":
            if left_for_parent:
                path = source.path
                applied += fix_python(checker, path, relative(path, root), workspace, unsafe, failed=failed.get(path))
        elif source.kind == "dockerfile":
            from startlint.docker.fixing import fix_dockerfile

            applied += fix_dockerfile(checker, source.path, relative(source.path, root), workspace, unsafe)
        elif source.kind == "script":
            from startlint.docker.fixing import fix_entry_script

            applied += fix_entry_script(checker, source.path, workspace, unsafe)
    changed = workspace.changed()
    if not write:
        from startlint.python.source import decode

        pairs = {relative(p, root): (decode(workspace.originals[p]), t) for p, t in changed.items()}
        return _print_diffs(pairs), set(changed)
    try:
        written = write_all({path: (workspace.originals[path], text) for path, text in changed.items()})
    except (ChangedOnDisk, WriteFailed) as exc:
        raise UsageError(f"--fix: {exc}") from None
    if applied:
        print(f"startlint: applied {applied} fix{'es' if applied != 1 else ''} in {written} file{'s' if written != 1 else ''}", file=sys.stderr)
    return EXIT_CLEAN, set(changed)


def _print_diffs(pairs: dict[str, tuple[str, str]]) -> int:
    import difflib

    changed = False
    for rel, (before, after) in sorted(pairs.items()):
        if before == after:
            continue
        changed = True
        sys.stdout.writelines(
            difflib.unified_diff(
                before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{rel}", f"b/{rel}"
            )
        )
    return EXIT_FINDINGS if changed else EXIT_CLEAN


def _apply_cli(settings: Settings, args: argparse.Namespace, known: tuple[str, ...]) -> Settings:
    from dataclasses import replace

    from startlint.config import parse_codes

    def codes(values: list[str], flag: str) -> tuple[str, ...]:
        try:
            return parse_codes(values, known)
        except ValueError as exc:
            raise UsageError(f"{flag}: {exc}") from None

    if args.select is not None:
        settings = replace(settings, select=codes(args.select, "--select"))
    if args.extend_select:
        settings = replace(settings, extend_select=settings.extend_select + codes(args.extend_select, "--extend-select"))
    if args.ignore:
        settings = replace(settings, ignore=settings.ignore + codes(args.ignore, "--ignore"))
    return settings


def _rules(args: argparse.Namespace) -> int:
    from startlint.rules import implemented_codes
    from startlint.ruledocs import all_docs

    docs = all_docs()
    rows = [docs[c] for c in implemented_codes()]
    if args.output_format == "json":
        import json

        payload = [
            {"code": d.code, "name": d.name, "severity": d.severity.value, "fix": d.fix, "summary": d.summary}
            for d in rows
        ]
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return EXIT_CLEAN
    width = max(len(d.name) for d in rows)
    print(f"{'code':<6}  {'name':<{width}}  {'severity':<8}  fix")
    for d in rows:
        print(f"{d.code:<6}  {d.name:<{width}}  {d.severity.value:<8}  {d.fix}")
    return EXIT_CLEAN


def _explain(args: argparse.Namespace) -> int:
    from startlint.rules import implemented_codes
    from startlint.ruledocs import all_docs

    code = args.code.upper()
    docs = all_docs()
    if code not in docs or code not in implemented_codes():
        raise UsageError(f"unknown rule {args.code!r}; 'startlint rules' lists them")
    sys.stdout.write(docs[code].explain())
    return EXIT_CLEAN

