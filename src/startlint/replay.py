"""The console script's first step: replay a stored `check` before argparse and pathlib load.

A check whose result the run cache holds (see run_cache) is most of what pre-commit
and editors run. Its cost is the interpreter, the imports and the walk that keys the
entry; argparse and pathlib (with `re`, `enum`, `urllib.parse`, `shutil`...) were about
half of it. This module reads the command line itself for the common shapes only
(`check`, paths, output options): anything else, or a miss, goes to the full CLI,
which is handed the entry already keyed, so a miss does not walk the tree twice.
Everything here is plain os.path, and computes the same key as the full CLI.
"""

from __future__ import annotations

import os
import sys

from startlint.cache_location import default_cache_dir
from startlint.config_files import find_config_file
from startlint.resources import rules_dir_name
from startlint.run_cache import NAMED_FILES_WALK_LIMIT, RunCache, fingerprint

TYPE_CHECKING = False  # not typing's: see cli
if TYPE_CHECKING:
    from collections.abc import Sequence

EXIT_CLEAN, EXIT_FINDINGS = 0, 1
# What argparse gives a bare `startlint check` for every option the run cache keys on
# (tests compare this with the real parser).
CHECK_DEFAULTS: dict[str, object] = {
    "command": "check",
    "select": None,
    "ignore": [],
    "extend_select": [],
    "config": None,
    "stdin_filename": None,
    "fix": None,
    "unsafe_fixes": None,
    "diff": False,
    "no_cache": False,
    "entrypoint": [],
    "hadolint": None,
    "show_info": False,
}
FORMATS = ("text", "json", "sarif", "github")  # reporters.FORMATS, without importing the reporters
SEVERITIES = ("error", "warning", "info")
_VALUED = {"--format": FORMATS, "--fail-on": SEVERITIES, "--jobs": None, "-j": None}
_FLAGS = {"-q": "quiet", "--quiet": "quiet", "--no-color": "no_color", "--exit-zero": "exit_zero", "--statistics": "statistics"}


class Request:
    """A `check` command line the replay understands."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.format = "text"
        self.fail_on: str | None = None
        self.quiet = self.no_color = self.exit_zero = self.statistics = False


class Attempt:
    """The replay's outcome: an exit code, or the run-cache entry the full run should use."""

    def __init__(self, code: int | None = None, runs: RunCache | None = None, argv: Sequence[str] = ()) -> None:
        self.code = code
        self.runs = runs
        self.argv = list(argv)  # the command line `runs` was keyed for


def replay(argv: Sequence[str]) -> Attempt:
    request = parse(argv)
    if request is None:
        return Attempt()
    runs = keyed(request)
    if runs is None:
        return Attempt()
    entry = runs.load()
    if entry is None:
        return Attempt(runs=runs, argv=argv)
    view = report_view(request.format, sys.stdout.isatty(), request.no_color, request.statistics, request.quiet)
    report = entry.reports.get(view)
    if report is None:
        return Attempt(runs=runs, argv=argv)  # the full run renders it (once) and stores it
    if report:
        sys.stdout.write(report)
    if request.exit_zero:
        return Attempt(EXIT_CLEAN)
    return Attempt(EXIT_FINDINGS if entry.fails(request.fail_on or entry.fail_on) else EXIT_CLEAN)


def report_view(fmt: str, to_terminal: bool, no_color: bool, statistics: bool, quiet: bool) -> tuple[str, bool, bool, bool, bool]:
    """How a report looks (what the run cache stores reports by): format, colour, source
    lines, statistics, quiet. The CLI asks this too."""
    text = fmt == "text"
    color = to_terminal and text and not no_color and not os.environ.get("NO_COLOR")
    return (fmt, color, to_terminal and text, statistics, quiet)


def parse(argv: Sequence[str]) -> Request | None:
    """`check`, paths in one run, and output-only options; None for anything else."""
    if not argv or argv[0] != "check":
        return None
    request = Request()
    ended = False  # after `--`, everything is a path
    path_runs = 0
    previous_was_path = False
    args = list(argv[1:])
    while args:
        token = args.pop(0)
        if not ended and token == "--":
            ended = True
            continue
        if ended or not token.startswith("-"):
            if token == "-":
                return None  # stdin
            path_runs += not previous_was_path
            previous_was_path = True
            request.paths.append(token)
            continue
        previous_was_path = False
        name, eq, value = token.partition("=")
        if name in _FLAGS and not eq:
            setattr(request, _FLAGS[name], True)
        elif name in _VALUED:
            if not eq:
                if not args:
                    return None
                value = args.pop(0)
            allowed = _VALUED[name]
            if allowed is None:
                if not (value.isdigit() and int(value) >= 1):
                    return None  # the full CLI reports a bad --jobs
            elif value not in allowed:
                return None
            elif name == "--format":
                request.format = value
            else:
                request.fail_on = value
        else:
            return None
    # argparse takes the paths as one group: split by options, it rejects the command.
    return request if path_runs <= 1 else None


def keyed(request: Request) -> RunCache | None:
    """The run-cache entry of the check, keyed exactly as cli._run_cache keys it."""
    cwd = os.getcwd()
    resolved = [os.path.realpath(os.path.join(cwd, p)) for p in (request.paths or ["."])]
    config_path = find_config_file(resolved[0])
    config_bytes = b""
    if config_path is not None:
        try:
            with open(config_path, "rb") as f:
                config_bytes = f.read()
        except OSError:
            return None
    if any(k in config_bytes for k in (b"cache-dir", b"fix", b"hadolint")):
        return None  # the configuration must be parsed: the full run does it
    root = os.path.dirname(config_path) if config_path is not None else cwd
    if not all(p == root or p.startswith(root.rstrip(os.sep) + os.sep) for p in resolved):
        return None
    directory = default_cache_dir(root)
    if directory is None:
        return None
    options = {**CHECK_DEFAULTS, "paths": resolved}
    named = not all(os.path.isdir(p) for p in resolved)
    found = fingerprint(root, config_path, config_bytes, options, cwd, rules_dir_name(), directory,
                        max_files=NAMED_FILES_WALK_LIMIT if named else None)
    if found is None:
        return None
    return RunCache(directory, found[0], root, found[1])
