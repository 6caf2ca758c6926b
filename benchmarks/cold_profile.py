#!/usr/bin/env python3
"""One instrumented startlint check: where its time goes, as JSON (for BENCHMARKS.md).

    python benchmarks/cold_profile.py OUT.json check --no-cache .

Runs `startlint.cli.main` in this process with wall-clock timers wrapped around its
phases and, in every process that checks files (worker processes are forked, so they
inherit the wrappers), around `ast.parse`, the import-time extraction, the model
building and the per-file check. Each process adds its own totals; workers write theirs
to files next to OUT.json. The wrappers cost a few microseconds per wrapped call (a
few thousand calls): the run is never one of the timed ones.

Exit 3 when startlint's internals no longer have what this wraps (the report then says
the profile is unavailable instead of showing wrong numbers).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

STARTED = time.perf_counter()


class Timers:
    """Per-process totals: seconds and calls per label."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    def wrap(self, owner: Any, name: str, label: str) -> None:
        inner: Callable[..., Any] = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - start
                self.calls[label] = self.calls.get(label, 0) + 1

        setattr(owner, name, timed)

    def as_dict(self) -> dict[str, Any]:
        return {"seconds": self.seconds, "calls": self.calls}


# What the module-level stand-ins below need (the pool pickles its task function by
# name, so the stand-in for `parallel._run` cannot be a closure).
_STATE: dict[str, Any] = {"marks": {}, "cpu": {}}


def timed_chunk(files: Any) -> Any:
    timers: Timers = _STATE["timers"]
    if _STATE.get("owner") != os.getpid():  # a worker's first task: drop what it forked with
        _STATE["owner"] = os.getpid()
        timers.seconds.clear()
        timers.calls.clear()
    start = time.perf_counter()
    try:
        return _STATE["chunk"](files)
    finally:
        timers.seconds["tasks"] = timers.seconds.get("tasks", 0.0) + time.perf_counter() - start
        own = os.times()
        timers.seconds["cpu"] = own.user + own.system
        # Rewritten after every task: a worker ends without running exit handlers.
        path = _STATE["workers_dir"] / f"{os.getpid()}.json"
        path.write_text(json.dumps(timers.as_dict()), encoding="utf-8")


def timed_pool(*args: Any, **kwargs: Any) -> Iterator[Any]:
    marks, cpu = _STATE["marks"], _STATE["cpu"]
    marks.setdefault("pool_start", time.perf_counter() - STARTED)
    before = os.times()
    yield from _STATE["pool"](*args, **kwargs)
    after = os.times()
    marks["pool_end"] = time.perf_counter() - STARTED
    cpu["parent_during_pool"] = (after.user + after.system) - (before.user + before.system)


def main(argv: list[str]) -> int:
    out = Path(argv[0])
    workers_dir = out.with_suffix(".workers")
    workers_dir.mkdir(parents=True, exist_ok=True)
    try:
        import ast

        from startlint import cli, engine, parallel
        from startlint.python import function_summary, source
        from startlint.startup import run as startup_run

        timers = Timers()
        timers.wrap(ast, "parse", "parse")
        timers.wrap(source, "extract", "extract")
        timers.wrap(engine, "build_model", "build_model")
        timers.wrap(engine.Checker, "check_file", "check_file")
        timers.wrap(function_summary, "summarise", "summaries")
        timers.wrap(startup_run, "analyse", "analysis")
        chunk: Callable[..., Any] = parallel._run
        pool: Callable[..., Iterator[Any]] = parallel._check_in_pool
    except (ImportError, AttributeError) as exc:
        print(f"cold_profile: cannot instrument this startlint: {exc}", file=sys.stderr)
        return 3

    parent = os.getpid()
    _STATE.update(timers=timers, chunk=chunk, pool=pool, workers_dir=workers_dir)
    # Module-level stand-ins: the pool pickles its task function by name.
    parallel._run = timed_chunk  # type: ignore[assignment]
    parallel._check_in_pool = timed_pool  # type: ignore[assignment]
    marks = _STATE["marks"]
    marks["imported"] = time.perf_counter() - STARTED
    try:
        code = cli.main(argv[1:])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    if os.getpid() != parent:  # pragma: no cover - a worker never returns here
        os._exit(0)
    marks["done"] = time.perf_counter() - STARTED
    workers = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(workers_dir.glob("*.json"))]
    report = {"exit": code, "marks": marks, "cpu": _STATE["cpu"], "parent": timers.as_dict(), "workers": workers}
    out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
