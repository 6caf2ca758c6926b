"""SL208 startup-work-in-entrypoint: the container's command, or a script it runs, does
work that repeats on every cold start before the server is up: migrations, package
installs, `uv run` without `--no-sync`, downloads from outside the container,
`collectstatic`, fixed-delay sleeps (a sleep in a loop that polls for a condition is
fine). In the Dockerfile, one finding per CMD/ENTRYPOINT; in a script, one per command,
at its line (commands in the functions the script calls included)."""

from __future__ import annotations

from collections.abc import Iterator

from startlint.docker import shell
from startlint.docker.analysis import (
    DockerContext,
    EntryScript,
    Work,
    shell_texts,
    startup_work,
)
from startlint.findings import Violation

CODE = "SL208"


def _describe(work: Work) -> str:
    return f"`{work.text}` ({work.what})"


def check(ctx: DockerContext) -> Iterator[Violation]:
    for instr in ctx.entry_instructions():
        steps = [step for source in shell_texts(instr) for step in shell.executed(source.script)]
        work = startup_work(steps, ctx.catalog, ctx.image_env_set)
        if not work:
            continue
        listed = ", ".join(_describe(w) for w in work)
        yield Violation(
            CODE,
            ctx.instruction_span(instr),
            f"{instr.keyword} runs work that repeats on every container start: {listed}; "
            "do it once per deploy (a release job, or at build time), not in every cold start",
        )


def check_script(script: EntryScript, ctx: DockerContext) -> Iterator[Violation]:
    for work in startup_work(shell.executed(script.script), ctx.catalog, ctx.image_env_set):
        yield Violation(
            CODE,
            script.span(work.step.command),
            f"{_describe(work)} runs on every container start, before the server is up; "
            "do it once per deploy (a release job, or at build time), not in every cold start",
        )
