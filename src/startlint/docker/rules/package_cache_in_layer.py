"""SL204 package-cache-in-layer: in a stage the deployed image is built on, a package
manager leaves its cache in the layer: `pip install` without `--no-cache-dir` (no
PIP_NO_CACHE_DIR, no cache mount), `uv sync` / `uv pip install` without `--no-cache`
(no UV_NO_CACHE, no cache mount), `apt-get install` without `--no-install-recommends`
or without removing /var/lib/apt/lists in the same RUN. One finding per RUN.

Fix (safe): add the flag; append `&& rm -rf /var/lib/apt/lists/*` to the RUN.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from startlint.docker import edits
from startlint.docker.analysis import DockerContext, RunCommand, ShellText
from startlint.docker.parser import Instruction
from startlint.findings import Applicability, Edit, Violation

CODE = "SL204"
APT_CLEANUP = "rm -rf /var/lib/apt/lists/*"


def cache_mounts(instr: Instruction) -> list[str]:
    """Targets of the RUN's `--mount=type=cache` mounts."""
    out = []
    for flag in instr.flags:
        if flag.name != "mount" or not flag.value:
            continue
        fields = dict(part.partition("=")[::2] for part in flag.value.split(","))
        if fields.get("type") == "cache":
            target = fields.get("target") or fields.get("dst") or fields.get("destination")
            if target:
                out.append(posixpath.normpath(target))
    return out


def _pip_no_cache_env(value: str | None) -> bool:
    """pip disables its cache for any boolean PIP_NO_CACHE_DIR, `off` and `0` included
    (a historical quirk pip keeps for compatibility)."""
    return value is not None and value.strip().lower() in ("1", "y", "yes", "t", "true", "on", "0", "n", "no", "f", "false", "off")


def _mounted(targets: list[str], tool: str, cache_dir: str | None) -> bool:
    for target in targets:
        if cache_dir and target == posixpath.normpath(cache_dir):
            return True
        if target.endswith(("/.cache", f"/.cache/{tool}")):
            return True
    return False


def _insert_after(ctx: DockerContext, run: RunCommand, word_end: int, text: str) -> Edit | None:
    at = run.source.file_end(word_end)
    if at is None:
        return None
    return edits.insert(ctx.index, at, text)


def _after_yes(run: RunCommand) -> int:
    """End of `install` and of a `-y` / `--yes` right after it (where a flag reads well)."""
    inst = run.install
    assert inst is not None
    end = inst.verb.end
    following = sorted((w for w in (*inst.positionals, *(o.word for o in inst.options)) if w.start > inst.verb.start), key=lambda w: w.start)
    for word in following:
        if word.text in ("-y", "--yes", "-qy", "-yq", "-q", "-qq", "--quiet", "--assume-yes"):
            end = word.end
            continue
        break
    return end


def _apt_recommends_off(ctx: DockerContext, instr: Instruction, run: RunCommand) -> bool:
    inst = run.install
    assert inst is not None
    if inst.has("--no-install-recommends"):
        return True
    for value in inst.values("-o", "--option"):
        if value.replace(" ", "").lower() in ("apt::install-recommends=false", "apt::install-recommends=0"):
            return True
    stage_ids = ctx.model.final_image_stages()
    for index in stage_ids:
        for other in ctx.stages[index].instructions:
            if (
                other.keyword == "RUN"
                and other.index < instr.index
                and "APT::Install-Recommends" in other.original
                and any(v in other.original for v in ('"false"', '"0"', "false", " 0"))
            ):
                return True
    return False


def _removes_apt_lists(ctx: DockerContext, instr: Instruction) -> bool:
    for target in cache_mounts(instr):
        if target.startswith("/var/lib/apt"):
            return True
    for run in ctx.runs(instr):
        if run.cmd.name == "rm" and any(a.startswith("/var/lib/apt/lists") for a in run.cmd.argv):
            return True
    return False


def _pip_cache_removed(ctx: DockerContext, instr: Instruction) -> bool:
    for run in ctx.runs(instr):
        argv = run.cmd.argv
        if run.cmd.name.startswith("pip") and argv[:2] == ["cache", "purge"]:
            return True
        if run.cmd.name == "rm" and any(a.rstrip("/") in ("/root/.cache", "/root/.cache/pip", "~/.cache", "~/.cache/pip") for a in argv):
            return True
    return False


def _append_cleanup(ctx: DockerContext, instr: Instruction, source: ShellText) -> Edit | None:
    body = source.script.body
    if not body or body[-1].background:
        return None
    if source.heredoc:
        # a heredoc script: add the clean-up as its last line
        at = source.file_start(len(source.text))
        if at is None or not source.text.endswith("\n"):
            return None
        return edits.insert(ctx.index, at, APT_CLEANUP + "\n")
    at = source.file_end(body[-1].end)
    if at is None:
        return None
    return edits.insert(ctx.index, at, f" && {APT_CLEANUP}")


def check(ctx: DockerContext) -> Iterator[Violation]:
    for index in ctx.model.final_image_stages():
        for instr in ctx.stages[index].instructions:
            if instr.keyword == "RUN":
                found = _check_run(ctx, instr)
                if found is not None:
                    yield found


def _check_run(ctx: DockerContext, instr: Instruction) -> Violation | None:
    problems: list[str] = []
    out: list[Edit | None] = []
    offenders: list[RunCommand] = []  # in execution order
    mounts = cache_mounts(instr)
    env = ctx.env_at(instr)
    apt: list[RunCommand] = []
    for run in ctx.installs(instr):
        inst = run.install
        assert inst is not None
        if inst.tool == "pip":
            if inst.has("--no-cache-dir") or _pip_no_cache_env(run.cmd.env.get("PIP_NO_CACHE_DIR") or env.get("PIP_NO_CACHE_DIR")):
                continue
            if _mounted(mounts, "pip", env.get("PIP_CACHE_DIR")) or _pip_cache_removed(ctx, instr):
                continue
            problems.append("`pip install` without --no-cache-dir")
            out.append(_insert_after(ctx, run, inst.verb.end, " --no-cache-dir"))
            offenders.append(run)
        elif inst.tool in ("uv-pip", "uv-sync"):
            if inst.has("--no-cache", "-n") or ctx.env_set(instr, "UV_NO_CACHE", run.cmd.env):
                continue
            if _mounted(mounts, "uv", env.get("UV_CACHE_DIR")):
                continue
            verb = "uv sync" if inst.tool == "uv-sync" else f"uv pip {inst.verb.text}"
            problems.append(f"`{verb}` without --no-cache")
            out.append(_insert_after(ctx, run, inst.verb.end, " --no-cache"))
            offenders.append(run)
        elif inst.tool == "apt" and run.cmd.name in ("apt-get", "apt"):
            apt.append(run)
            if not _apt_recommends_off(ctx, instr, run):
                problems.append(f"`{run.cmd.name} install` without --no-install-recommends")
                out.append(_insert_after(ctx, run, _after_yes(run), " --no-install-recommends"))
                offenders.append(run)
    if apt and not _removes_apt_lists(ctx, instr):
        problems.append("/var/lib/apt/lists not removed in the same RUN")
        out.append(_append_cleanup(ctx, instr, apt[-1].source))
        offenders.append(apt[0])
    if not problems:
        return None
    message = (
        "; ".join(problems)
        + ": the package manager's cache stays in the image layer, making every pull of the image slower"
    )
    fix = None
    if out and all(e is not None for e in out):
        fix = edits.fix(Applicability.SAFE, "add the cache flags and clean-up", [e for e in out if e is not None])
    runs = ctx.installs(instr)
    first = min(offenders, key=lambda r: next(i for i, x in enumerate(runs) if x is r))
    return Violation(CODE, ctx.command_span(first), message, fix=fix)
