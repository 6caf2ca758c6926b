"""The run cache: a whole check's findings, replayed when nothing it could read changed.

The per-file model cache (`startlint.cache`) still parses nothing twice, but a warm run
would rebuild every finding, load the catalogs and rerun the start-up analysis. This
cache stores the final findings of a `check` under a fingerprint of
everything they depend on:

- startlint's version, the Python version, the shipped rule files (by stat);
- the command line (minus output-only flags), the working directory and the
  `STARTLINT_*` environment;
- the configuration file's bytes;
- the name, size and mtime (ns) of every file under the project root, and the name of
  every directory: the run reads more than the files it reports on (other modules,
  Dockerfile contexts, entry scripts, `.dockerignore`, requirements), all under the
  root. Directories whose contents are never checked (`.git`, caches) count by their
  name only (SL210 asks whether `.git` exists); the cache itself does not count.

Like git's index, an entry is not written while any file is younger than two seconds:
an edit in the same clock tick that keeps the size would otherwise look unchanged on a
file system with coarse timestamps.

Files named one by one are keyed the same way (their findings can depend on any module
of the tree: start-up chains, importers), with one entry per command line, so pre-commit's
file lists and a directory check do not evict each other; on a tree of more than
`NAMED_FILES_WALK_LIMIT` files the walk would cost such a small run more than it saves,
and nothing is stored.

A hit imports only the standard library: it writes the report stored for the same
output options (rendered and added the first time other options ask), so it loads no
catalog, parser, rule or even the findings' classes. A run that reads anything outside the root (a path argument or an entrypoint
outside it), reads stdin, fixes, or merges hadolint's output (another program's
version) is not stored. Entries live next to the model cache and are written atomically.
"""

from __future__ import annotations

import marshal
import os
import sys
import time

from startlint import __version__
from startlint.cache_location import ensure_gitignore, write_atomic

TYPE_CHECKING = False  # not typing's: a replayed run does not import typing (see cli)
if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path
    from typing import Any

    from startlint.findings import Finding

try:  # hashlib would also load OpenSSL, a few ms of a replayed run
    from _blake2 import blake2b as _blake2b
except ImportError:  # pragma: no cover - CPython always has it
    from hashlib import blake2b as _blake2b

FORMAT = 2
_RACY_NS = 2_000_000_000
# A check of named files (pre-commit, editors) walks at most this many files for its key:
# ~10 us each, so a miss costs at most ~50 ms on top of a run that checks a few files.
NAMED_FILES_WALK_LIMIT = 5_000
_SLOTS = 16  # distinct commands kept (a directory check, pre-commit's file lists, ...)
# Directories whose contents no finding reads: only their names count (SL210 asks whether `.git` exists).
_NOT_WALKED = frozenset({".git", ".hg", ".svn", ".startlint_cache", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache"})
# Options that change how findings are shown (or how fast), not which.
_OUTPUT_ONLY = frozenset({"output_format", "output_file", "quiet", "statistics", "no_color", "exit_zero", "fail_on", "debug", "jobs"})


_SEVERITIES = ("info", "warning", "error")  # lowest first, as --fail-on ranks them


class Replay:
    """A stored run: its findings (still encoded), and the reports rendered from them."""

    def __init__(self, payload: tuple[Any, ...]) -> None:
        if payload[0] != FORMAT:
            raise ValueError("another run-cache format")
        self.encoded: tuple[tuple[Any, ...], ...] = tuple(payload[1])
        self.files = int(payload[2])
        self.fail_on = str(payload[3])
        self.reports: dict[Any, str] = dict(payload[4])  # output options -> report text
        self.worst = max((_SEVERITIES.index(f[2]) for f in self.encoded), default=-1)

    def findings(self) -> tuple[Finding, ...]:
        return tuple(_decode(f) for f in self.encoded)

    def fails(self, fail_on: str) -> bool:
        """Whether a finding is at or above `fail_on` (the exit code of a check)."""
        return self.worst >= _SEVERITIES.index(fail_on)

    def payload(self) -> tuple[Any, ...]:
        return (FORMAT, self.encoded, self.files, self.fail_on, self.reports)


class RunCache:
    """One entry of the run cache. Plain os.path: the replay runs before pathlib loads."""

    def __init__(self, directory: str | Path, key: str, root: Path | str, racy: bool = False) -> None:
        self.racy = racy  # a file changed too recently to trust its stat: never stored
        self.base = os.fspath(directory)
        self.path = os.path.join(self.base, "runs", key)
        self.root = root  # what finding paths are relative to

    def load(self) -> Replay | None:
        try:
            with open(self.path, "rb") as f:
                return Replay(marshal.loads(f.read()))
        except (OSError, EOFError, ValueError, TypeError, IndexError, KeyError):
            return None

    def store(self, findings: Sequence[Finding], files: int, fail_on: str, view: Any, report: str) -> None:
        """Keep a run's findings and its report for the output options `view`."""
        payload = (FORMAT, tuple(_encode(f) for f in findings), files, fail_on, {view: report})
        self._write(payload, replace_others=True)

    def add_report(self, entry: Replay, view: Any, report: str) -> None:
        entry.reports[view] = report
        self._write(entry.payload(), replace_others=False)

    def _write(self, payload: tuple[Any, ...], replace_others: bool) -> None:
        from pathlib import Path

        if self.racy:
            return
        try:
            target = Path(self.path)
            target.parent.mkdir(parents=True, exist_ok=True)
            ensure_gitignore(Path(self.base))
            if replace_others:
                _prune(target)
            write_atomic(target, marshal.dumps(payload))
        except OSError:
            return  # a read-only or full disk only costs speed


def _prune(new: Path) -> None:
    """Make room for `new`: one entry per slot (the fingerprint seen last), and the
    `_SLOTS - 1` most recently written other slots."""
    slot = new.name.partition("-")[0]
    others = []
    for old in new.parent.iterdir():
        if old.name.startswith(".tmp-") or old.name == new.name:
            continue
        if old.name.partition("-")[0] == slot:
            _remove(old)
            continue
        try:
            others.append((old.stat().st_mtime_ns, old))
        except OSError:
            continue
    for _, old in sorted(others, reverse=True)[_SLOTS - 1 :]:
        _remove(old)


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def fingerprint(
    root: Path | str,
    config_path: Path | str | None,
    config_bytes: bytes,
    options: dict[str, Any],
    cwd: Path | str,
    rules_dir: Path | str,
    cache_dir: Path | str,
    max_files: int | None = None,
) -> tuple[str, bool] | None:
    """The key of a run, and whether a file in it changed in the last two seconds; None when
    the tree holds more than `max_files` files (walking it would cost more than it saves)."""
    header = (
        __version__,
        sys.version,
        str(cwd),
        str(root),
        sorted((k, repr(v)) for k, v in options.items() if k not in _OUTPUT_ONLY),
        sorted((k, v) for k, v in os.environ.items() if k.startswith("STARTLINT_")),
        str(config_path),
    )
    # The slot names what was asked (one entry kept per slot); the rest, what it read.
    slot = _blake2b(repr(header).encode(), digest_size=8).hexdigest()
    digest = _blake2b(digest_size=20)
    digest.update(config_bytes)
    newest_rule = _stat_tree(rules_dir, digest, cache_dir)
    newest = _stat_tree(root, digest, cache_dir, max_files)
    if newest is None:
        return None
    return f"{slot}-{digest.hexdigest()}", max(newest, newest_rule or 0) >= time.time_ns() - _RACY_NS


def _stat_tree(top: Path | str, digest: Any, skip: Path | str, max_files: int | None = None) -> int | None:
    """Feed the digest every entry's path, size and mtime, in a fixed order; returns the newest
    mtime, or None as soon as more than `max_files` files are found."""
    newest = 0
    files = 0
    stack = [str(top)]
    skipped = str(skip)
    update = digest.update
    while stack:
        directory = stack.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            update(f"!{directory}\n".encode())
            continue
        lines = [f"d{directory}"]
        add = lines.append
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if entry.path == skipped:
                        continue
                    if entry.name in _NOT_WALKED:
                        add(f"x{entry.name}")
                    else:
                        stack.append(entry.path)
                    continue
                files += 1
                if max_files is not None and files > max_files:
                    return None
                st = entry.stat()
                add(f"f{entry.name}\0{st.st_size}\0{st.st_mtime_ns}")
                if st.st_mtime_ns > newest:
                    newest = st.st_mtime_ns
            except OSError:
                add(f"?{entry.name}")
        update("\n".join(lines).encode("utf-8", "surrogateescape"))
    return newest


def _span(s: Any) -> tuple[int, int, int, int]:
    return (s.start_line, s.start_col, s.end_line, s.end_col)


def _encode(f: Finding) -> tuple[Any, ...]:
    fix = None
    if f.fix is not None:
        edits = tuple((_span(e.span), e.content, e.path) for e in f.fix.edits)
        fix = (f.fix.applicability.value, f.fix.message, edits)
    related = tuple((r.path, _span(r.span), r.message) for r in f.related)
    return (f.code, f.name, f.severity.value, f.path, _span(f.span), f.message, fix, related)


def _decode(t: tuple[Any, ...]) -> Finding:
    from startlint.findings import Applicability, Edit, Finding, Fix, RelatedLocation, Severity, Span

    fix = None
    if t[6] is not None:
        applicability, message, edits = t[6]
        fix = Fix(Applicability(applicability), message, tuple(Edit(Span(*e[0]), e[1], e[2]) for e in edits))
    related = tuple(RelatedLocation(r[0], Span(*r[1]), r[2]) for r in t[7])
    return Finding(t[0], t[1], Severity(t[2]), t[3], Span(*t[4]), t[5], fix, related)
