"""SL209 bytecode-not-compiled: dependencies that reach the deployed image are installed
without bytecode (uv without UV_COMPILE_BYTECODE=1 / --compile-bytecode, `poetry install`
without --compile, `pip install --no-compile`) and no `compileall` step follows: every cold
start compiles every imported module again. One finding per RUN.

Fix (safe: the installer's own switch): `ENV UV_COMPILE_BYTECODE=1` before the RUN,
`--compile` for poetry, `--no-compile` dropped for pip.
"""

from __future__ import annotations

from collections.abc import Iterator

from startlint.docker import edits
from startlint.docker.analysis import DockerContext, RunCommand, ShellText
from startlint.docker.model import Stage
from startlint.docker.parser import Instruction
from startlint.docker.shell import Word
from startlint.findings import Applicability, Edit, Violation

CODE = "SL209"


def _compileall_after(ctx: DockerContext, stage: Stage, instr: Instruction) -> bool:
    later_here = [i for i in stage.instructions if i.index > instr.index]
    deployed = [i for s in ctx.model.final_image_stages() for i in ctx.stages[s].instructions]
    for other in later_here + deployed:
        if other.keyword == "RUN" and any(r.cmd.name == "compileall" or "compileall" in r.cmd.argv for r in ctx.runs(other)):
            return True
    return False


def check(ctx: DockerContext) -> Iterator[Violation]:
    for index in ctx.model.contributing_stages():
        stage = ctx.stages[index]
        # One ENV before the stage's first such RUN serves every later one: only that
        # finding's fix adds it (the later ones are then fixed with it).
        env_planned = False
        for instr in stage.instructions:
            if instr.keyword != "RUN":
                continue
            problems: list[str] = []
            out: list[Edit | None] = []
            offenders: list[RunCommand] = []
            env_added = False
            for run in ctx.installs(instr):
                inst = run.install
                assert inst is not None
                if inst.tool in ("uv-pip", "uv-sync"):
                    if inst.has("--compile-bytecode", "--compile") or ctx.env_set(instr, "UV_COMPILE_BYTECODE", run.cmd.env):
                        continue
                    verb = "uv sync" if inst.tool == "uv-sync" else f"uv pip {inst.verb.text}"
                    problems.append(f"`{verb}` without UV_COMPILE_BYTECODE=1 or --compile-bytecode")
                    offenders.append(run)
                    if not env_added and not env_planned:
                        env_added = True
                        out.append(_env_line(ctx, instr))
                elif inst.tool == "poetry":
                    if inst.has("--compile"):
                        continue
                    problems.append("`poetry install` without --compile")
                    offenders.append(run)
                    at = run.source.file_end(inst.verb.end)
                    out.append(edits.insert(ctx.index, at, " --compile") if at is not None else None)
                elif inst.tool == "pip" and inst.has("--no-compile"):
                    problems.append("`pip install --no-compile`")
                    offenders.append(run)
                    out += [_drop(ctx, run.source, o.word) for o in inst.options if o.name == "--no-compile"]
            if not problems or _compileall_after(ctx, stage, instr):
                continue
            env_planned = env_planned or env_added
            fix = None
            if out and all(e is not None for e in out):
                fix = edits.fix(Applicability.SAFE, "compile bytecode at build time", [e for e in out if e is not None])
            yield Violation(
                CODE,
                ctx.command_span(offenders[0]),
                "; ".join(problems) + " and no compileall step after: the image ships no bytecode, "
                "so every cold start compiles every imported module again",
                fix=fix,
            )


def _env_line(ctx: DockerContext, instr: Instruction) -> Edit:
    index = ctx.index
    line_start = index.offset(instr.start_line)
    line = index.line_text(instr.start_line)
    indent = line[: len(line) - len(line.lstrip())]
    return edits.insert(index, line_start, f"{indent}ENV UV_COMPILE_BYTECODE=1{index.newline()}")


def _drop(ctx: DockerContext, source: ShellText, word: Word) -> Edit | None:
    start, end = source.file_start(word.start), source.file_end(word.end)
    if start is None or end is None:
        return None
    text = ctx.text
    if end < len(text) and text[end] in " \t":
        end += 1
    elif start > 0 and text[start - 1] in " \t":
        start -= 1
    return edits.edit(ctx.index, start, end, "")
