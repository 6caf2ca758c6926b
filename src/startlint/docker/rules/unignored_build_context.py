"""SL210 unignored-build-context: `COPY .` / `ADD .` with no .dockerignore in the build
context, or one that does not exclude `.git`, or one that leaves a virtual environment
that exists in the context (`.venv`, `venv`, any folder with a `pyvenv.cfg`) unexcluded.

The ignore file is `<Dockerfile name>.dockerignore` next to the Dockerfile when there is
one (BuildKit prefers it), else `.dockerignore` at the root of the context; it is read
with Docker's own matching rules (see `startlint.docker.dockerignore`)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from startlint.docker.analysis import DockerContext
from startlint.docker.context import WHOLE_CONTEXT, copy_spec
from startlint.docker.dockerignore import DockerIgnore
from startlint.findings import Violation

CODE = "SL210"
_SKIP = frozenset({".git", "node_modules", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".tox", ".nox"})
_GIT_SAMPLES = (".git/HEAD", ".git/config", ".git/objects/00/0000000000000000000000000000000000000")


def ignore_file(ctx: DockerContext) -> Path | None:
    specific = ctx.path.parent / (ctx.path.name + ".dockerignore")
    if specific.is_file():
        return specific
    general = ctx.context.directory / ".dockerignore"
    return general if general.is_file() else None


def virtualenvs(directory: Path, depth: int = 3) -> list[str]:
    """Context-relative folders that are virtual environments."""
    found: list[str] = []

    def visit(folder: Path, rel: str, level: int) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            if not entry.is_dir(follow_symlinks=False) or entry.name in _SKIP:
                continue
            path = f"{rel}{entry.name}"
            if (Path(entry.path) / "pyvenv.cfg").is_file() or entry.name in (".venv", "venv"):
                found.append(path)
                continue
            if level < depth:
                visit(Path(entry.path), path + "/", level + 1)

    visit(directory, "", 1)
    return found


def check(ctx: DockerContext) -> Iterator[Violation]:
    copies = []
    for stage in ctx.stages:
        for instr in stage.instructions:
            spec = copy_spec(ctx.model, instr)
            if spec is not None and spec.from_context and any(s in WHOLE_CONTEXT for s in spec.sources):
                copies.append(instr)
    if not copies:
        return
    path = ignore_file(ctx)
    problems: list[str] = []
    if path is None:
        problems.append(
            "there is no .dockerignore in the build context, so .git, virtual environments and caches are sent and copied"
        )
    else:
        try:
            ignore = DockerIgnore.from_text(path.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            return
        name = ctx.rel(path)
        if not all(ignore.excludes(sample) for sample in _GIT_SAMPLES):
            problems.append(f"{name} does not exclude .git")
        if ctx.context.known:
            for venv in virtualenvs(ctx.context.directory):
                if not ignore.excludes(f"{venv}/pyvenv.cfg") or not ignore.excludes(f"{venv}/bin/python"):
                    problems.append(f"{name} does not exclude the virtual environment '{venv}'")
    if not problems:
        return
    message = "; ".join(problems) + ": any commit or local install changes this layer and busts the cache, and the image grows"
    for instr in copies:
        yield Violation(CODE, ctx.instruction_span(instr), message)
