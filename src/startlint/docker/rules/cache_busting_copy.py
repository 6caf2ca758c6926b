"""SL203 cache-busting-copy: a COPY/ADD of the whole build context (or of a source folder)
comes before a package installation in the same stage, so every source edit reinstalls
every dependency. Installing the project alone after its dependencies were installed from
the manifests (`pip install --no-deps .`, `uv sync` after `uv sync --no-install-project`)
is the recommended layout, not a finding.

Fix (safe when the installations read only manifests or name their packages, and nothing
between the COPY and the last installation uses the copied files): the COPY becomes a copy
of the manifests, with its flags and destination, and the original COPY moves right after
the last installation.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from startlint.docker import edits
from startlint.docker.analysis import DockerContext, RunCommand, command_text
from startlint.docker.context import (
    WHOLE_CONTEXT,
    CopySpec,
    candidates,
    copy_spec,
    is_url,
)
from startlint.docker.installs import reads
from startlint.docker.model import Stage
from startlint.docker.parser import Instruction
from startlint.findings import Applicability, Edit, Fix, Violation

CODE = "SL203"

_MANIFEST_NAME = re.compile(
    r"^(.*\.(txt|in)|pyproject\.toml|setup\.cfg|.*\.lock|Pipfile(\.lock)?|"
    r"package(-lock)?\.json|npm-shrinkwrap\.json|pnpm-lock\.yaml|yarn\.lock|environment\.ya?ml|Gemfile(\.lock)?|"
    r"composer\.(json|lock)|go\.(mod|sum)|\.python-version|README.*)$"
)
_HARMLESS = frozenset(
    {
        "echo", "printf", "true", ":", "set", "export", "useradd", "groupadd", "adduser", "addgroup", "usermod",
        "ldconfig", "update-ca-certificates", "locale-gen", "apt-get", "apt", "apk", "yum", "dnf", "microdnf",
        "rm", "mkdir", "rmdir", "pip", "uv", "npm", "yarn", "conda", "mamba",
    }
)
_PACKAGE_ADMIN = {
    "apt-get": {"update", "clean", "autoclean", "autoremove", "purge", "remove"},
    "apt": {"update", "clean", "autoclean", "autoremove", "purge", "remove"},
    "apk": {"update", "del"},
    "yum": {"clean", "makecache"},
    "dnf": {"clean", "makecache"},
    "microdnf": {"clean"},
    "pip": {"cache"},
    "uv": {"cache"},
    "npm": {"cache"},
    "yarn": {"cache"},
    "conda": {"clean"},
    "mamba": {"clean"},
}
_KEEPS_FILES = frozenset({"ENV", "ARG", "LABEL", "EXPOSE", "HEALTHCHECK", "STOPSIGNAL", "USER", "WORKDIR", "SHELL", "MAINTAINER"})


@dataclass
class Busting:
    copy: CopySpec
    what: str
    position: int  # index of the COPY in the stage's instructions
    counted: list[RunCommand]


def _source_folder(ctx: DockerContext, source: str) -> bool:
    if source in WHOLE_CONTEXT or is_url(source) or "$" in source:
        return False
    context = ctx.context
    if not context.known:
        return source.endswith("/")
    matches = context.matches(source)
    if not matches or not all(context.is_dir(m) for m in matches):
        return False
    for match in matches:
        files = 0
        for path in context.path(match).rglob("*"):
            if path.is_file():
                files += 1
                if files > 500 or not _MANIFEST_NAME.match(path.name):
                    return True
    return False


def _what(ctx: DockerContext, spec: CopySpec) -> str | None:
    if not spec.from_context or any(is_url(s) for s in spec.sources):
        return None
    if spec.whole_context_sources():
        return "the whole build context"
    for source in spec.sources:
        if _source_folder(ctx, source):
            return f"the source folder '{source}'"
    return None


def _project_only(run: RunCommand, ctx: DockerContext, stage: Stage, earlier: list[RunCommand]) -> bool:
    inst = run.install
    assert inst is not None
    if inst.tool in ("pip", "uv-pip"):
        if not inst.has("--no-deps"):
            return False
        found = reads(ctx, stage, run)
        return not found.requirements and not found.manifests
    if inst.tool == "uv-sync":
        return any(e.install is not None and e.install.tool == "uv-sync" and e.install.has("--no-install-project", "--only-dev") for e in earlier)
    if inst.tool == "poetry":
        return inst.has("--only-root") or any(
            e.install is not None and e.install.tool == "poetry" and e.install.has("--no-root") for e in earlier
        )
    return False


def findings(ctx: DockerContext, stage: Stage) -> list[Busting]:
    out: list[Busting] = []
    instructions = stage.instructions
    all_installs = [r for instr in instructions for r in ctx.installs(instr)]
    for position, instr in enumerate(instructions):
        spec = copy_spec(ctx.model, instr)
        if spec is None:
            continue
        what = _what(ctx, spec)
        if what is None:
            continue
        counted: list[RunCommand] = []
        for later in instructions[position + 1 :]:
            for run in ctx.installs(later):
                earlier = [r for r in all_installs if r.instr.index < run.instr.index or (r.instr.index == run.instr.index and r.step.command.start < run.step.command.start)]
                if not _project_only(run, ctx, stage, earlier):
                    counted.append(run)
        if counted:
            out.append(Busting(spec, what, position, counted))
    return out


def check(ctx: DockerContext) -> Iterator[Violation]:
    for stage in ctx.stages:
        for busting in findings(ctx, stage):
            yield _violation(ctx, stage, busting)


def _violation(ctx: DockerContext, stage: Stage, b: Busting) -> Violation:
    first = b.counted[0]
    instr = b.copy.instr
    shown = " ".join(instr.original.split("\n", 1)[0].split())
    shown = shown if len(shown) <= 50 else shown[:49] + "…"
    head = (
        f"'{shown}' copies {b.what} before the package installation on line {first.instr.start_line} "
        f"(`{command_text(first.step.command)}`): every source edit reinstalls every dependency; "
    )
    project = [r for r in b.counted if reads(ctx, stage, r).project]
    if project:
        return Violation(CODE, ctx.instruction_span(instr), head + _two_step(project[0]))
    plan = _plan(ctx, stage, b)
    if isinstance(plan, str):
        return Violation(CODE, ctx.instruction_span(instr), head + plan)
    manifests, fix = plan
    advice = (
        f"copy {', '.join(manifests)} first, install, then copy the rest"
        if manifests
        else "move this COPY after the installation"
    )
    return Violation(CODE, ctx.instruction_span(instr), head + advice, fix=fix)


def _two_step(run: RunCommand) -> str:
    inst = run.install
    assert inst is not None
    if inst.tool == "uv-sync":
        return (
            "copy pyproject.toml and uv.lock first and run `uv sync --no-install-project`, "
            "then copy the rest and run `uv sync`"
        )
    if inst.tool == "poetry":
        return (
            "copy pyproject.toml and poetry.lock first and run `poetry install --no-root`, "
            "then copy the rest and run `poetry install --only-root`"
        )
    return (
        "copy the dependency manifest first and install the dependencies from it "
        "(`pip install -r requirements.txt`), then copy the rest and run `pip install --no-deps .`"
    )


# -- the fix ---------------------------------------------------------------------------------

def _plan(ctx: DockerContext, stage: Stage, b: Busting) -> tuple[list[str], Fix | None] | str:
    """(manifests to copy first, the fix or None), or advice when the reorder cannot be planned."""
    copy = b.copy
    instr = copy.instr
    needed: list[str] = []
    problem = False
    for run in b.counted:
        found = reads(ctx, stage, run)
        if found.unknown:
            problem = True
        for path, required in [(p, True) for p in found.manifests] + [(p, False) for p in found.optional]:
            if ctx.origin(stage, path, instr) is not None:
                continue  # copied before this COPY
            rel = _produced_by(ctx, copy, path)
            if rel is None:
                if required:
                    problem = True
                continue
            if not required and ctx.context.known and not ctx.context.path(rel).is_file():
                continue  # an optional lock file the project does not have
            if posixpath.dirname(path) != copy.dest.rstrip("/") and not (copy.dest == "/" and posixpath.dirname(path) == "/"):
                problem = True
            if rel not in needed:
                needed.append(rel)
    if problem:
        return (needed, None)
    fix = _fix(ctx, stage, b, needed)
    return (needed, fix)


def _produced_by(ctx: DockerContext, copy: CopySpec, path: str) -> str | None:
    """The context path `copy` puts at image `path` (for a directory source, whether or not
    the file exists yet: if it does not, the build fails the same way before and after)."""
    for source in reversed(copy.sources):
        found = candidates(path, source, copy, ctx.context)
        if found:
            return found[0]
    return None


def _arg_spans(instr: Instruction) -> list[tuple[int, int]]:
    """Logical spans of the whitespace-separated arguments of a shell-form instruction."""
    assert instr.logical is not None
    text = instr.logical.text
    out = []
    for match in re.finditer(r"\S+", text[instr.args_start :]):
        out.append((instr.args_start + match.start(), instr.args_start + match.end()))
    return out


def _fix(ctx: DockerContext, stage: Stage, b: Busting, manifests: list[str]) -> Fix | None:
    copy = b.copy
    instr = copy.instr
    if instr.logical is None or instr.json or instr.has_comment_lines or instr.heredocs:
        return None
    if any("$" in v or '"' in v or "'" in v for v in instr.values):
        return None
    last = b.counted[-1].instr
    between = [i for i in stage.instructions if instr.index < i.index <= last.index]
    if not all(_keeps_copied_files_unused(ctx, stage, i, copy, b.counted) for i in between):
        return None
    spans = _arg_spans(instr)
    if len(spans) != len(instr.values):
        return None
    index = ctx.index
    text = ctx.text
    out: list[Edit] = []
    first_line = index.offset(instr.start_line)
    if manifests:
        dest = text[instr.logical.file_offset(spans[-1][0]) : instr.logical.file_end(spans[-1][1])]
        if len(manifests) > 1 and not dest.endswith("/"):
            dest += "/"
        start = instr.logical.file_offset(spans[0][0])
        end = instr.logical.file_end(spans[-1][1])
        out.append(edits.edit(index, start, end, " ".join(manifests) + " " + dest))
    else:
        out.append(edits.edit(index, first_line, index.next_line_start(instr.end_line), ""))
    moved = text[first_line : index.line_end(instr.end_line)]
    if ctx.model.state(instr).workdir != ctx.model.state_after(last).workdir and not copy.dest_raw.startswith("/"):
        dest_start = instr.logical.file_offset(spans[-1][0]) - first_line
        dest_end = instr.logical.file_end(spans[-1][1]) - first_line
        absolute = copy.dest + ("/" if copy.dest_raw.endswith("/") or copy.dest_raw in (".", "./") else "")
        moved = moved[:dest_start] + absolute.replace("//", "/") + moved[dest_end:]
    newline = index.newline()
    at = index.next_line_start(last.end_line)
    if at == len(text) and not text.endswith("\n"):
        out.append(edits.insert(index, at, newline + moved))
    else:
        out.append(edits.insert(index, at, moved + newline))
    message = (
        f"copy {', '.join(manifests)} before the installation and the rest after it"
        if manifests
        else "move the COPY after the installation"
    )
    return edits.fix(Applicability.SAFE, message, out)


def _under(path: str, directory: str) -> bool:
    directory = directory.rstrip("/") or "/"
    return directory == "/" or path == directory or path.startswith(directory + "/")


def _keeps_copied_files_unused(
    ctx: DockerContext, stage: Stage, instr: Instruction, copy: CopySpec, counted: list[RunCommand]
) -> bool:
    """Whether moving `copy` after `instr` leaves what `instr` does unchanged."""
    if instr.keyword in _KEEPS_FILES:
        return True
    if instr.keyword in ("COPY", "ADD"):
        other = copy_spec(ctx.model, instr)
        if other is None or other.heredoc:
            return False
        return not _under(other.dest, copy.dest) and not _under(copy.dest, other.dest)
    if instr.keyword != "RUN" or instr.json:
        return False
    counted_ids = {id(r) for r in counted}
    for run in ctx.runs(instr):
        if id(run) in counted_ids:
            if reads(ctx, stage, run).project:
                return False
            continue
        if run.install is not None:
            return False  # a project-only installation: it needs the sources
        if not _harmless(run, copy):
            return False
    return True


def _harmless(run: RunCommand, copy: CopySpec) -> bool:
    cmd = run.cmd
    name = Path(cmd.name).name
    if name not in _HARMLESS:
        return False
    args = cmd.argv
    if name in _PACKAGE_ADMIN:
        verbs = [a for a in args if not a.startswith("-")]
        return bool(verbs) and verbs[0] in _PACKAGE_ADMIN[name]
    if name in ("rm", "mkdir", "rmdir"):
        paths = [a for a in args if not a.startswith("-")]
        return all(p.startswith("/") and not _under(posixpath.normpath(p), copy.dest) and not _under(copy.dest, posixpath.normpath(p)) for p in paths)
    return True
