"""What the Dockerfile rules look at, computed once per Dockerfile: the model, the build
context, the shell commands of every RUN (with their positions in the file), the command
the container starts with, and the entry scripts it runs.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import cached_property
from pathlib import Path

from startlint.config import Settings
from startlint.discovery import is_shell_script
from startlint.docker import shell
from startlint.docker.catalog import DockerCatalog
from startlint.docker.commands import (
    Cmd,
    Install,
    install_of,
    matches_pattern,
    track_cwd,
    unwrap,
)
from startlint.docker.context import Context, origin, resolve_executable
from startlint.docker.model import DockerfileModel, Stage
from startlint.docker.parser import Instruction
from startlint.docker.text import LineIndex
from startlint.findings import Edit, Span

SHELLS = frozenset({"sh", "bash", "dash", "ash", "ksh", "zsh", "busybox"})
SCRIPT_NAMES = ("start.sh", "entrypoint.sh", "docker-entrypoint.sh", "run.sh")


@dataclass(frozen=True)
class ShellText:
    """Shell source inside a Dockerfile instruction, and where its characters are in the file."""

    text: str
    script: shell.Script
    base: Callable[[int], int] | None  # shell offset -> file offset of that character
    base_end: Callable[[int], int] | None  # shell end offset -> file offset just past the span
    heredoc: bool = False  # the body of a `RUN <<EOF` script

    def file_start(self, offset: int) -> int | None:
        return self.base(offset) if self.base is not None else None

    def file_end(self, offset: int) -> int | None:
        return self.base_end(offset) if self.base_end is not None else None


@dataclass(frozen=True)
class RunCommand:
    """One simple command of a RUN instruction."""

    instr: Instruction
    step: shell.Step
    cmd: Cmd
    install: Install | None
    cwd: str
    source: ShellText


def shell_texts(instr: Instruction) -> list[ShellText]:
    """The shell code an instruction runs: its shell-form command line, an `sh -c` string of
    its exec form, or the heredoc scripts of `RUN <<EOF`."""
    out: list[ShellText] = []
    if instr.json:
        if len(instr.values) >= 3 and posixpath.basename(instr.values[0]) in SHELLS and _has_c(instr.values[1:-1]):
            text = instr.values[-1]
            out.append(ShellText(text, shell.parse(text), None, None))
        else:
            out.append(_argv_text(instr.values))
        return out
    text = instr.args_text
    logical = instr.logical
    base: Callable[[int], int] | None = None
    base_end: Callable[[int], int] | None = None
    if logical is not None:
        start = instr.args_start
        base = lambda k: logical.file_offset(start + k)
        base_end = lambda k: logical.file_end(start + k)
    script = shell.parse(text)
    out.append(ShellText(text, script, base, base_end))
    if instr.heredocs:
        commands = [c for c, _ in shell.simple_commands(script.body)]
        runs_script = not any(c.words for c in commands) or (
            len(commands) == 1
            and commands[0].words
            and posixpath.basename(commands[0].words[0].text) in SHELLS
            and not any(w.text.startswith("-c") for w in commands[0].words[1:])
        )
        if runs_script:
            for doc in instr.heredocs:
                first = doc.content.split("\n", 1)[0]
                if first.startswith("#!") and not any(s in first for s in SHELLS):
                    continue
                start_offset = doc.start
                hb = (lambda k, s=start_offset: s + k) if start_offset is not None else None
                he = (lambda k, s=start_offset: s + k) if start_offset is not None else None
                out.append(ShellText(doc.content, shell.parse(doc.content), hb, he, heredoc=True))
    return out


def _has_c(flags: tuple[str, ...]) -> bool:
    return any(f.startswith("-") and not f.startswith("--") and "c" in f for f in flags)


def _argv_text(argv: tuple[str, ...]) -> ShellText:
    """An exec-form argv as a one-command script (no positions)."""
    words = [shell.Word(a, 0, 0, a, True, False) for a in argv]
    node = shell.Simple(0, 0, [], words, [])
    script = shell.Script(0, 0, [shell.AndOr(0, 0, [shell.Pipeline(0, 0, [node])])])
    return ShellText(" ".join(argv), script, None, None)


@dataclass
class DockerContext:
    """Everything a Dockerfile rule reads."""

    path: Path
    text: str
    settings: Settings
    catalog: DockerCatalog
    model: DockerfileModel
    context: Context
    _runs: dict[int, list[RunCommand]] = field(default_factory=dict)
    memo: dict[tuple[object, ...], object] = field(default_factory=dict)  # per-Dockerfile results rules share

    @cached_property
    def index(self) -> LineIndex:
        return self.model.parsed.index

    @property
    def root(self) -> Path:
        return self.settings.root.resolve()

    def rel(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    # -- positions -----------------------------------------------------------------

    def instruction_span(self, instr: Instruction) -> Span:
        """The instruction's first line, from its keyword to the end of that line."""
        line = instr.start_line
        if instr.logical is not None and instr.logical.offsets:
            start = instr.logical.file_offset(0)
        else:
            text = self.index.line_text(line)
            start = self.index.offset(line) + len(text) - len(text.lstrip())
        return self.index.span(start, max(start, self.index.line_end(line)))

    def command_span(self, run: RunCommand) -> Span:
        """Where a RUN's offending command is: from its first word to the end of that line
        when it starts on the instruction's first line, else the instruction's first line."""
        instr = run.instr
        at = run.source.file_start(run.step.command.start)
        if at is None or self.index.line_of(at) != instr.start_line:
            return self.instruction_span(instr)
        return self.index.span(at, max(at, self.index.line_end(instr.start_line)))

    def logical_span(self, instr: Instruction, start: int, end: int) -> Span | None:
        """Span of logical characters [start, end) of the instruction, if it has positions."""
        if instr.logical is None:
            return None
        return self.index.span(instr.logical.file_offset(start), instr.logical.file_end(end))

    # -- stages and commands ---------------------------------------------------------

    @property
    def stages(self) -> list[Stage]:
        return self.model.stages

    def runs(self, instr: Instruction) -> list[RunCommand]:
        """The simple commands of a RUN, in execution order, with their working directory."""
        if instr.index in self._runs:
            return self._runs[instr.index]
        out: list[RunCommand] = []
        if instr.keyword == "RUN":
            workdir = self.model.state(instr).workdir
            for source in shell_texts(instr):
                steps = shell.executed(source.script)
                cwds = track_cwd(workdir, [s.command for s in steps])
                for step in steps:
                    cmd = unwrap(step.command, self.catalog)
                    if cmd is None:
                        continue
                    out.append(RunCommand(instr, step, cmd, install_of(cmd), cwds.get(step.command.start, workdir), source))
        self._runs[instr.index] = out
        return out

    def installs(self, instr: Instruction) -> list[RunCommand]:
        return [r for r in self.runs(instr) if r.install is not None]

    def env_at(self, instr: Instruction) -> dict[str, str | None]:
        return self.model.state(instr).env

    def env_set(self, instr: Instruction, name: str, inline: dict[str, str] | None = None) -> bool:
        """Whether `name` is set to a true value for a command of `instr` (ENV, ARG or inline)."""
        value = (inline or {}).get(name)
        if value is None:
            value = self.env_at(instr).get(name)
        return value is not None and value.strip().lower() not in ("", "0", "false", "no", "off")

    def image_env_set(self, name: str, inline: dict[str, str] | None = None) -> bool:
        """Whether `name` is set to a true value when the container runs (image ENV or inline)."""
        value = (inline or {}).get(name)
        if value is None:
            value = self.model.stage_state(self.model.final).env.get(name)
        return value is not None and value.strip().lower() not in ("", "0", "false", "no", "off")

    def origin(self, stage: Stage, image_path: str, before: Instruction | None = None) -> str | None:
        return origin(self.model, self.context, stage.index, image_path, before.index if before is not None else None)

    # -- what the container runs -----------------------------------------------------------

    @cached_property
    def entry(self) -> tuple[Instruction | None, Instruction | None]:
        """The effective (ENTRYPOINT, CMD) of the deployed stage, inherited ones included.
        A shell-form ENTRYPOINT ignores CMD, so CMD is None then."""
        entrypoint, cmd = self.configured_entry
        if entrypoint is not None and not entrypoint.json:
            cmd = None
        return entrypoint, cmd

    @cached_property
    def configured_entry(self) -> tuple[Instruction | None, Instruction | None]:
        """The (ENTRYPOINT, CMD) the deployed image is configured with, whether or not a
        shell-form ENTRYPOINT ignores the CMD."""
        entrypoint: Instruction | None = None
        cmd: Instruction | None = None
        cmd_stage = -1
        for index in reversed(self.model.final_image_stages()):
            for instr in self.stages[index].instructions:
                if instr.keyword == "ENTRYPOINT":
                    entrypoint = instr
                    if cmd_stage != index:
                        cmd = None
                elif instr.keyword == "CMD":
                    cmd, cmd_stage = instr, index
        return entrypoint, cmd

    def entry_instructions(self) -> list[Instruction]:
        return [i for i in self.entry if i is not None]

    def final_workdir(self) -> str:
        return self.model.stage_state(self.model.final).workdir

    def entry_scripts(self, conventional: bool = True) -> list[EntryScript]:
        """The shell scripts the container's command runs (context files, or heredocs of
        `COPY <<EOF`), then (with `conventional`) the scripts with a conventional name next
        to the Dockerfile."""
        found: list[EntryScript] = []
        files: list[Path] = []
        final = self.stages[self.model.final]
        workdir = self.final_workdir()
        inline = self._inline_scripts()
        for instr in self.entry_instructions():
            for source in shell_texts(instr):
                for command, _ in shell.simple_commands(source.script.body):
                    for image_path in self._script_paths(command, final, workdir):
                        if image_path in inline:
                            if all(f.base != inline[image_path].base or not f.inline for f in found):
                                found.append(inline[image_path])
                            continue
                        rel = self.origin(final, image_path)
                        if rel is None:
                            continue
                        candidate = self.context.path(rel).resolve()
                        if candidate.is_file() and is_shell_script(candidate) and candidate not in files:
                            files.append(candidate)
        for name in SCRIPT_NAMES if conventional else ():
            candidate = (self.path.parent / name).resolve()
            if candidate.is_file() and candidate not in files:
                files.append(candidate)
        for path in files:
            script = EntryScript.read(path)
            if script is not None:
                found.append(script)
        return found

    def _inline_scripts(self) -> dict[str, EntryScript]:
        """Image path -> script, for files the deployed stages write with `COPY <<EOF`."""
        from startlint.docker.context import copy_spec

        out: dict[str, EntryScript] = {}
        for index in reversed(self.model.final_image_stages()):
            for instr in self.stages[index].instructions:
                spec = copy_spec(self.model, instr)
                if spec is None or not spec.heredoc:
                    continue
                for doc in instr.heredocs:
                    if doc.start is None:
                        continue
                    target = posixpath.join(spec.dest, doc.name) if spec.dest_raw.endswith("/") else spec.dest
                    out[target] = EntryScript(self.path, doc.content, LineIndex(doc.content), shell.parse(doc.content), self.index, doc.start)
        return out

    def _script_paths(self, command: shell.Simple, final: Stage, workdir: str) -> list[str]:
        cmd = unwrap(command, self.catalog, through_launchers=False)
        if cmd is None or not cmd.words:
            return []
        word = cmd.words[0].text
        if posixpath.basename(word) in SHELLS:
            rest = [w.text for w in cmd.words[1:]]
            if any(r.startswith("-") and not r.startswith("--") and "c" in r for r in rest):
                return []
            scripts = [r for r in rest if not r.startswith("-")]
            return [posixpath.normpath(posixpath.join(workdir, scripts[0]))] if scripts else []
        if "$" in word:
            return []
        return resolve_executable(self.model, final.index, word, workdir)


# -- startup work (SL208) and the server launch (SL208, SL301) ----------------------------

@dataclass(frozen=True)
class Work:
    step: shell.Step
    what: str  # "migration", "package installation", ...
    text: str  # the command as written (quotes removed)


def command_text(node: shell.Simple, limit: int = 60) -> str:
    words = [w.text for w in node.assignments] + [w.text for w in node.words]
    text = " ".join(words)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_launch(cmd: Cmd, catalog: DockerCatalog) -> bool:
    if cmd.words and cmd.words[0].text in ("$@", "${@}", "$*"):
        return True
    return any(fnmatchcase(cmd.name, p) or fnmatchcase(posixpath.basename(cmd.words[0].text), p) for p in catalog.servers) if cmd.words else False


_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://([^/:?#]*|\[[^\]]*\])")


def _hosts(args: list[str]) -> list[str] | None:
    """Hosts of the URLs among curl/wget arguments (None when an argument is not knowable)."""
    hosts = []
    for arg in args:
        match = _URL.match(arg)
        if match:
            host = match.group(1).rsplit("@", 1)[-1]
            if "$" in host:
                return None
            hosts.append(host)
    return hosts


def startup_work(
    steps: list[shell.Step], catalog: DockerCatalog, env_set: Callable[[str, dict[str, str]], bool]
) -> list[Work]:
    """Work that repeats on every start, before the (last) server launch."""
    found: list[tuple[int, Work]] = []
    launch = -1
    for i, step in enumerate(steps):
        cmd = unwrap(step.command, catalog)
        if cmd is None:
            continue
        what = work_kind(step, cmd, catalog, env_set)
        if what is not None:
            found.append((i, Work(step, what, command_text(step.command))))
        elif is_launch(cmd, catalog) and not step.ctx.in_condition:
            launch = i
    if launch < 0:
        return [w for _, w in found]
    return [w for i, w in found if i < launch]


def work_kind(step: shell.Step, cmd: Cmd, catalog: DockerCatalog, env_set: Callable[[str, dict[str, str]], bool]) -> str | None:
    outer = unwrap(step.command, catalog, through_launchers=False)
    if outer is not None and outer.name == "uv" and _uv_run_syncs(outer) and not env_set("UV_NO_SYNC", outer.env):
        return "`uv run` without --no-sync (syncs the environment at start)"
    if any(matches_pattern(cmd, p) for p in catalog.migrations):
        return "database migration or initialisation"
    if install_of(cmd) is not None or any(matches_pattern(cmd, p) for p in catalog.installs):
        return "package installation"
    if any(matches_pattern(cmd, p) for p in catalog.collectstatic):
        return "collectstatic"
    if any(matches_pattern(cmd, p) for p in catalog.downloads):
        return "download"
    code = " ".join(cmd.argv)
    if cmd.name.startswith("python") and any(s in code for s in catalog.inline_downloads):
        return "download"
    if cmd.name in catalog.http_clients and not step.ctx.in_condition:
        hosts = _hosts(cmd.argv)
        if hosts is None or not hosts or not all(catalog.is_local_host(h) for h in hosts):
            return "download"
    if cmd.name == "sleep" and not step.ctx.background:
        args = [a for a in cmd.argv if not a.startswith("-")]
        if args and args[0] not in ("infinity", "inf") and not _polling(step):
            return "fixed-delay sleep"
    return None


def _uv_run_syncs(outer: Cmd) -> bool:
    args = outer.argv
    if "run" not in args:
        return False
    before_target = []
    for arg in args[args.index("run") + 1 :]:
        if not arg.startswith("-"):
            break
        before_target.append(arg)
    return "--no-sync" not in before_target and "--no-sync" not in args[: args.index("run")]


def _polling(step: shell.Step) -> bool:
    """Inside a loop that waits for a condition (a while/until test, or a break/exit)."""
    for loop in step.ctx.loops:
        if loop.kind in ("while", "until"):
            condition = [c.words[0].text for c, _ in shell.simple_commands(loop.condition) if c.words]
            if condition and condition != ["true"] and condition != [":"]:
                return True
        if shell.contains_break(loop.body):
            return True
    return False


def steps_of(texts: list[ShellText]) -> Iterator[tuple[ShellText, shell.Step]]:
    for source in texts:
        for step in shell.executed(source.script):
            yield source, step


@dataclass(frozen=True)
class EntryScript:
    """A shell script the container runs: a file of the build context, or the body of a
    `COPY <<EOF /start.sh` heredoc in the Dockerfile (then positions are the Dockerfile's)."""

    path: Path  # the file holding the script (the Dockerfile for an inline one)
    text: str
    index: LineIndex  # of `text`
    script: shell.Script
    host: LineIndex | None = None  # the Dockerfile's positions, for an inline script
    base: int = 0  # offset of `text` in the host

    @property
    def inline(self) -> bool:
        return self.host is not None

    @classmethod
    def read(cls, path: Path) -> EntryScript | None:
        try:
            data = path.read_bytes()
        except OSError:
            return None
        if b"\0" in data:
            return None
        text = data.decode("utf-8", errors="replace")
        return cls(path, text, LineIndex(text), shell.parse(text))

    def _span(self, start: int, end: int) -> Span:
        if self.host is not None:
            return self.host.span(self.base + start, self.base + end)
        return self.index.span(start, end)

    def span(self, node: shell.Node) -> Span:
        """The node's first line, from its start to the end of that line (or the node's end)."""
        line = self.index.line_of(node.start)
        end = min(node.end, self.index.line_end(line)) if node.end > node.start else self.index.line_end(line)
        return self._span(node.start, max(node.start, end))

    def insert(self, offset: int, content: str) -> Edit:
        span = self._span(offset, offset)
        return Edit(span, content)
