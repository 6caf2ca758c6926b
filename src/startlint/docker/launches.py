"""What a Dockerfile's container starts: the server commands of its CMD / ENTRYPOINT and of
the entry scripts they run, with the image directory each runs in, and the build-context
file behind any path of the deployed image. The start-up analysis reads entrypoints from
these (`uvicorn app.main:app` in a script the ENTRYPOINT runs, say).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from startlint.config import Settings
from startlint.docker import shell
from startlint.docker.analysis import DockerContext, EntryScript, is_launch, shell_texts, work_kind
from startlint.docker.commands import track_cwd, unwrap

_FORWARDED = frozenset({"$@", "${@}", "$*", '"$@"'})


@dataclass(frozen=True)
class Launch:
    """A command the container starts a server with, and where it is written."""

    argv: tuple[str, ...]  # the command's words, wrappers (exec, gosu, tini, uv run) removed
    path: Path  # the Dockerfile, or the entry script
    line: int
    cwd: str  # the image directory the command runs in (WORKDIR, then any `cd` before it)


class ContainerStart:
    """The launches of one Dockerfile's deployed stage, and its files."""

    def __init__(self, ctx: DockerContext) -> None:
        self._ctx = ctx
        self.dockerfile = ctx.path
        self.launches = tuple(_launches(ctx))

    @property
    def python_path(self) -> tuple[str, ...]:
        """The deployed image's PYTHONPATH directories (absolute image paths)."""
        model = self._ctx.model
        env = model.stage_state(model.final).env
        workdir = self._ctx.final_workdir()
        value = env.get("PYTHONPATH") or ""  # substituted when the ENV was read, as BuildKit does
        return tuple(posixpath.normpath(posixpath.join(workdir, p)) for p in value.split(":") if p)

    def context_file(self, image_path: str) -> Path | None:
        """The build-context file the deployed image has at `image_path`, when it is one."""
        ctx = self._ctx
        rel = ctx.origin(ctx.stages[ctx.model.final], posixpath.normpath(image_path))
        if rel is None or not ctx.context.known:
            return None
        found = ctx.context.path(rel)
        return found if found.is_file() else None


def container_start(path: Path, text: str, settings: Settings) -> ContainerStart | None:
    """What the Dockerfile at `path` starts, or None when it does not parse."""
    from startlint.docker.catalog import shipped
    from startlint.docker.check import validate
    from startlint.docker.context import choose_context
    from startlint.docker.model import build_model
    from startlint.docker.parser import ParsedDockerfile, parse

    path = path.resolve()
    parsed = parse(text)
    if not isinstance(parsed, ParsedDockerfile) or validate(parsed):
        return None
    model = build_model(parsed, settings.target)
    context = choose_context(path, settings.root.resolve(), model)
    return ContainerStart(DockerContext(path, text, settings, shipped(), model, context))


def _launches(ctx: DockerContext) -> list[Launch]:
    """Server commands in the order the container reaches them: the CMD / ENTRYPOINT's own,
    then those of each entry script it runs (functions followed where they are called;
    the script's `"$@"` is the CMD, already listed). A server keeps running, so it is a
    command the shell does not wait for before going on: the last one to run, one run in
    the background (`&`), or one it `exec`s. Commands under a condition, other commands
    (`python manage.py check` before the server) and startup work are not launches."""
    catalog = ctx.catalog
    workdir = ctx.final_workdir()
    out: list[Launch] = []

    def add(script: shell.Script, where: Path, line_of: Callable[[shell.Simple], int]) -> None:
        steps = shell.executed(script)
        cwds = track_cwd(workdir, [s.command for s in steps])
        last = {id(c) for c, _ in shell.tails(script.body, shell.function_defs(script.body))}
        for step in steps:
            cmd = unwrap(step.command, catalog)
            if cmd is None or step.ctx.in_condition or not is_launch(cmd, catalog):
                continue
            if not (step.ctx.background or cmd.exec_prefixed or id(step.command) in last):
                continue
            if cmd.words[0].text in _FORWARDED or work_kind(step, cmd, catalog, ctx.image_env_set) is not None:
                continue
            cwd = cwds.get(step.command.start, workdir)
            launch = Launch(tuple(w.text for w in cmd.words), where, line_of(step.command), cwd)
            if launch not in out:
                out.append(launch)

    for instr in ctx.entry_instructions():
        for source in shell_texts(instr):
            add(source.script, ctx.path, _constant(instr.start_line))
    for script in ctx.entry_scripts(conventional=False):
        add(script.script, script.path, _line_in(script))
    return out


def _constant(line: int) -> Callable[[shell.Simple], int]:
    """Every command of an instruction is reported at its first line."""
    return lambda _: line


def _line_in(script: EntryScript) -> Callable[[shell.Simple], int]:
    return lambda node: script.span(node).start_line
