"""SL207 shell-form-entrypoint: the container's CMD/ENTRYPOINT in shell form, or an exec-form
`sh -c` / `bash -c`, whose command does not run the server through `exec`: the shell is
PID 1, the server its child, and SIGTERM never reaches the server.

Fix (safe when the command uses no shell feature: one plain command, literal words, no
variables, globs, redirections or operators): the exec (JSON) form of the same argv.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterator

from startlint.docker import edits, shell
from startlint.docker.analysis import (
    SHELLS,
    DockerContext,
    ShellText,
    command_text,
    shell_texts,
)
from startlint.docker.parser import Instruction
from startlint.findings import Applicability, Fix, Violation

CODE = "SL207"
_BUILTINS = frozenset(
    {"cd", "export", "source", ".", "set", "unset", "ulimit", "umask", "trap", "eval", "exec", "alias", "wait", "read", "shift", "exit", "return", "test", "[", "[["}
)


def execs(script: shell.Script) -> bool:
    """Whether the shell replaces itself with the command it ends with (`exec ...`)."""
    commands = [c for c, _ in shell.simple_commands(script.body)]
    if not commands:
        return True
    if commands[0].words and commands[0].words[0].text == "exec":
        return True
    last = shell.tails(script.body, shell.function_defs(script.body))
    return bool(last) and all(c.words and c.words[0].text == "exec" for c, _ in last)


def plain_argv(script: shell.Script) -> list[str] | None:
    """The argv of a command that needs no shell, or None."""
    body = script.body
    if len(body) != 1 or body[0].background or len(body[0].parts) != 1:
        return None
    pipeline = body[0].parts[0]
    if pipeline.negated or len(pipeline.commands) != 1:
        return None
    command = pipeline.commands[0]
    if not isinstance(command, shell.Simple) or command.assignments or command.redirects or not command.words:
        return None
    if not all(w.literal for w in command.words):
        return None
    argv = [w.text for w in command.words]
    if argv[0] in _BUILTINS:
        return None
    return argv


def _is_sh_c(instr: Instruction) -> bool:
    return instr.json and len(instr.values) >= 3 and any(
        v.startswith("-") and not v.startswith("--") and "c" in v for v in instr.values[1:-1]
    ) and instr.values[0].rsplit("/", 1)[-1] in ("sh", "bash", "dash", "ash", "ksh", "zsh")


def check(ctx: DockerContext) -> Iterator[Violation]:
    for instr in ctx.entry_instructions():
        if instr.json and not _is_sh_c(instr):
            continue
        source: ShellText = shell_texts(instr)[0]
        if execs(source.script):
            continue
        commands = [c for c, _ in shell.simple_commands(source.script.body)]
        shown = command_text(commands[-1]) if commands else instr.args_text
        if instr.json:
            how = f"runs `{shown}` through `{' '.join(instr.values[:2])}` without exec"
        else:
            how = f"is in shell form: {' '.join(ctx.model.state(instr).shell)} starts `{shown}` as its child"
        message = (
            f"{instr.keyword} {how}, so the server is not PID 1 and never receives SIGTERM "
            "(shutdown becomes a kill after the grace period); use the exec form, or start the command with `exec`"
        )
        yield Violation(CODE, ctx.instruction_span(instr), message, fix=_fix(ctx, instr, source))


def _fix(ctx: DockerContext, instr: Instruction, source: ShellText) -> Fix | None:
    if instr.logical is None or instr.has_comment_lines or instr.heredocs:
        return None
    shell_argv = ctx.model.state(instr).shell
    if not instr.json and (not shell_argv or posixpath.basename(shell_argv[0]) not in SHELLS):
        return None  # `SHELL ["powershell", ...]`: its words are not a POSIX shell's
    entrypoint, cmd = ctx.configured_entry
    if instr.keyword == "CMD" and entrypoint is not None:
        return None  # the exec form would hand the ENTRYPOINT other arguments
    if instr.keyword == "ENTRYPOINT" and cmd is not None:
        return None  # in exec form the ENTRYPOINT would start receiving the CMD it now ignores
    argv = plain_argv(source.script)
    if argv is None:
        return None
    start = instr.logical.file_offset(instr.args_start)
    end = instr.logical.file_end(len(instr.logical.text))
    replacement = json.dumps(argv, ensure_ascii=False)
    return edits.fix(Applicability.SAFE, f"use the exec form {replacement}", [edits.edit(ctx.index, start, end, replacement)])
