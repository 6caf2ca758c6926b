"""SL301 entrypoint-without-exec: a shell script the container runs starts the server as
its last command without `exec` (and forwards no signals with a `trap`): the shell stays
PID 1, the server never sees SIGTERM, and shutdown is a kill after the grace period.

Fix (safe): prefix that last command with `exec`.
"""

from __future__ import annotations

from collections.abc import Iterator

from startlint.docker import edits, shell
from startlint.docker.analysis import (
    DockerContext,
    EntryScript,
    command_text,
    is_launch,
)
from startlint.docker.commands import unwrap
from startlint.findings import Applicability, Violation

CODE = "SL301"
_SIGNALS = frozenset({"TERM", "SIGTERM", "15", "INT", "SIGINT", "2"})


def forwards_signals(script: EntryScript) -> bool:
    for command, _ in shell.simple_commands(script.script.body):
        argv = command.argv
        if argv and argv[0] == "trap" and any(a.upper() in _SIGNALS for a in argv[2:]):
            return True
    return False


def check(ctx: DockerContext) -> Iterator[Violation]:
    return iter(())


def check_script(script: EntryScript, ctx: DockerContext) -> Iterator[Violation]:
    if forwards_signals(script):
        return
    functions = shell.function_defs(script.script.body)
    for command, alone in shell.tails(script.script.body, functions):
        cmd = unwrap(command, ctx.catalog)
        if cmd is None or cmd.exec_prefixed or not is_launch(cmd, ctx.catalog):
            continue
        shown = command_text(command)
        message = (
            f"the entry script starts `{shown}` as its last command without exec: the shell stays PID 1 and "
            "the server never receives SIGTERM (shutdown becomes a kill after the grace period); use `exec`"
        )
        fix = None
        if alone and command.words:
            fix = edits.fix(
                Applicability.SAFE,
                "prefix the command with exec",
                [script.insert(command.words[0].start, "exec ")],
            )
        yield Violation(CODE, script.span(command), message, fix=fix)
