"""Checking in worker processes: chunks of files, results merged in a fixed order.

Each worker builds its own Checker once (the pool's initializer) and returns, per
chunk, the findings and the import-time models (the startup-path analysis reads
them in the parent). Output never depends on scheduling: chunks come back in
submission order and findings are sorted afterwards anyway.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from startlint.discovery import SourceFile
from startlint.findings import Finding
from startlint.python import model_codec
from startlint.python.model import FunctionBody, Module

if TYPE_CHECKING:
    from startlint.engine import Checker

CHUNK = 24  # files a task: large enough to amortise pickling, small enough to balance
BODIES_CHUNK = 8  # files a task when summarising all of a file's functions

# The worker process's own checker, set once by the pool initializer. A
# per-process slot is how multiprocessing hands state to workers.
_worker: dict[str, Checker] = {}


def _init(checker: Checker) -> None:
    _worker["checker"] = checker


def _pool(checker: Checker) -> multiprocessing.pool.Pool:
    """One worker per job, each with its own copy of the checker (forked where possible)."""
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    return multiprocessing.get_context(method).Pool(checker.jobs, initializer=_init, initargs=(checker,))


def _run(chunk: list[SourceFile]) -> tuple[list[Finding], dict[Path, tuple[Any, ...]]]:
    checker = _worker["checker"]
    findings: list[Finding] = []
    for source in chunk:
        findings += checker.check_file(source)
    # Models travel as the cache's plain tuples: pickling those is far cheaper than
    # pickling the dataclass instances, and the parent decodes them as the cache does.
    models = {path: model_codec.encode(model) for path, model in checker.models.items()}
    checker.models.clear()
    return findings, models


def _all_bodies(chunk: list[Path]) -> list[tuple[Path, tuple[FunctionBody, ...]]]:
    checker = _worker["checker"]
    return [(path, checker.all_function_bodies(path)) for path in chunk]


def all_bodies_in_pool(checker: Checker, paths: list[Path]) -> Iterator[tuple[Path, tuple[FunctionBody, ...]]]:
    """Every function summary of each file (see Checker.all_function_bodies), in workers."""
    chunks = [paths[i : i + BODIES_CHUNK] for i in range(0, len(paths), BODIES_CHUNK)]
    with _pool(checker) as pool:
        for done in pool.imap(_all_bodies, chunks):
            yield from done


def check_in_pool(checker: Checker, files: list[SourceFile]) -> Iterator[tuple[list[Finding], dict[Path, Module]]]:
    for findings, encoded in _check_in_pool(checker, files):
        yield findings, {path: model_codec.decode(model) for path, model in encoded.items()}


def _check_in_pool(checker: Checker, files: list[SourceFile]) -> Iterator[tuple[list[Finding], dict[Path, tuple[Any, ...]]]]:
    # Big files first, so the last chunk is not the slow one.
    order = sorted(files, key=lambda f: -_size(f.path))
    chunks = [order[i : i + CHUNK] for i in range(0, len(order), CHUNK)]
    with _pool(checker) as pool:
        yield from pool.imap(_run, chunks)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


FIX_POOL_MIN = 4  # Python files to fix before worker processes pay (each imports LibCST)


FixedInWorker = tuple[Path, bytes, str, int, set[tuple[str, int, str]], bool]


def _fix_one(task: tuple[Path, str, bool]) -> FixedInWorker:
    from startlint.fixes.runner import Workspace, fix_python

    path, rel, unsafe = task
    workspace = Workspace()
    failed: set[tuple[str, int, str]] = set()
    skipped: set[tuple[str, int, str]] = set()
    applied = fix_python(_worker["checker"], path, rel, workspace, unsafe, cross_file=False, failed=failed, skipped=skipped)
    text = workspace.read(path)
    return path, workspace.originals[path], text, applied, failed, bool(skipped)


def fix_in_pool(checker: Checker, targets: list[tuple[Path, str]], unsafe: bool) -> Iterator[FixedInWorker]:
    """Each file's in-file fixes, in workers (fixes that rewrite other files are left for
    the parent): the path, its original bytes, the fixed text, the number of fixes
    applied, the fixes that failed (not to be tried again) and whether a fix was left
    for the parent because it rewrites other files."""
    order = sorted(targets, key=lambda t: -_size(t[0]))
    with _pool(checker) as pool:
        yield from pool.imap_unordered(_fix_one, [(path, rel, unsafe) for path, rel in order])
