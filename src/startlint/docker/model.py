"""A Dockerfile as build stages: base images (with ARG defaults substituted), stage
dependencies, which stage is deployed, and the ENV/ARG/WORKDIR state at each instruction.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from startlint.docker.parser import Instruction, ParsedDockerfile

SCRATCH = "scratch"


# -- variable substitution (BuildKit's word processing, the parts Dockerfiles use) ----------

@dataclass(frozen=True)
class Expanded:
    value: str
    used: tuple[str, ...]  # variables referenced
    unset: tuple[str, ...]  # referenced variables with no (or an empty) value and no default in the word


def expand(word: str, env: dict[str, str | None], escape: str = "\\", quotes: bool = True) -> Expanded:
    """`$VAR`, `${VAR}`, `${VAR:-x}`, `${VAR-x}`, `${VAR:+x}`, `${VAR+x}`, `${VAR:?x}`;
    with `quotes`, single and double quotes are removed as BuildKit does."""
    out: list[str] = []
    used: list[str] = []
    unset: list[str] = []
    i, n = 0, len(word)
    quote = ""
    while i < n:
        ch = word[i]
        if quotes and quote == "'" :
            if ch == "'":
                quote = ""
            else:
                out.append(ch)
            i += 1
            continue
        if quotes and ch in "'\"" and (quote == "" or quote == ch):
            if ch == "'" and quote == "":
                quote = "'"
            else:
                quote = "" if quote == ch else ch
            i += 1
            continue
        if ch == escape and i + 1 < n:
            out.append(word[i + 1])
            i += 2
            continue
        if ch == "$" and i + 1 < n:
            name, modifier, arg, end = _variable(word, i + 1)
            if name:
                used.append(name)
                value = env.get(name)
                is_set = name in env and value is not None
                if modifier in (":-", "-"):
                    empty = not is_set or (modifier == ":-" and value == "")
                    inner = expand(arg, env, escape, quotes=False)
                    used += inner.used
                    out.append(inner.value if empty else (value or ""))
                    if empty:
                        unset += inner.unset
                elif modifier in (":+", "+"):
                    present = is_set and (modifier == "+" or value != "")
                    inner = expand(arg, env, escape, quotes=False)
                    out.append(inner.value if present else "")
                else:
                    if not is_set or value == "":
                        unset.append(name)
                    out.append(value or "")
                i = end
                continue
        out.append(ch)
        i += 1
    return Expanded("".join(out), tuple(used), tuple(unset))


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _variable(word: str, i: int) -> tuple[str, str, str, int]:
    """(name, modifier, argument, end) of a reference starting after its `$`."""
    if word[i] == "{":
        close = _matching_brace(word, i)
        body = word[i + 1 : close]
        match = _NAME.match(body)
        if match is None:
            return "", "", "", i
        name = match.group(0)
        rest = body[match.end() :]
        for modifier in (":-", ":+", ":?", "-", "+", "?"):
            if rest.startswith(modifier):
                return name, modifier, rest[len(modifier) :], close + 1
        return name, "", "", close + 1
    match = _NAME.match(word, i)
    if match is None:
        return "", "", "", i
    return match.group(0), "", "", match.end()


def _matching_brace(word: str, i: int) -> int:
    depth = 0
    for j in range(i, len(word)):
        if word[j] == "{":
            depth += 1
        elif word[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    return len(word)


# -- image references ------------------------------------------------------------------

@dataclass(frozen=True)
class ImageRef:
    text: str  # the reference after substitution
    registry: str | None
    path: str  # repository path within the registry ("library/python", "astral-sh/uv")
    tag: str | None
    digest: str | None

    @property
    def repository(self) -> str:
        """Normalised repository: Docker Hub's registry and `library/` dropped."""
        path = self.path
        registry = self.registry
        if registry in ("docker.io", "index.docker.io", "registry-1.docker.io"):
            registry = None
        path = path.removeprefix("library/")
        return f"{registry}/{path}" if registry else path

    @property
    def short(self) -> str:
        """The repository's own name, without registry or namespaces ("python", "cuda")."""
        return self.path.rsplit("/", 1)[-1]

    def with_tag(self, tag: str) -> str:
        """This reference with another tag (and no digest), written as it was written."""
        prefix = f"{self.registry}/{self.path}" if self.registry else self.path
        return f"{prefix}:{tag}"


def parse_image(text: str) -> ImageRef:
    name, _, digest = text.partition("@")
    registry: str | None = None
    first, slash, rest = name.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        registry, path = first, rest
    else:
        path = name
    tag: str | None = None
    last_slash = path.rfind("/")
    colon = path.rfind(":")
    if colon > last_slash:
        path, tag = path[:colon], path[colon + 1 :]
    return ImageRef(text, registry, path.lower(), tag, digest or None)


# -- stages ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Stage:
    index: int
    name: str | None  # lower case, as stage references are matched
    from_instr: Instruction
    ref_text: str  # the base as written
    ref: str  # the base after ARG substitution
    args_used: tuple[str, ...]
    args_unset: tuple[str, ...]  # ARGs used in the base that have no value
    parent: int | None  # the stage this one is built FROM, when the base names a stage
    instructions: tuple[Instruction, ...]  # after the FROM

    @property
    def image(self) -> ImageRef | None:
        """The base image, or None for a stage base or `scratch`."""
        if self.parent is not None or self.ref.lower() == SCRATCH:
            return None
        return parse_image(self.ref)


@dataclass(frozen=True)
class State:
    """Build state in force at an instruction (before it runs)."""

    env: dict[str, str | None]  # ENV and in-scope ARG values (None: ARG without a value)
    workdir: str
    shell: tuple[str, ...]


DEFAULT_SHELL = ("/bin/sh", "-c")


@dataclass
class DockerfileModel:
    parsed: ParsedDockerfile
    global_args: dict[str, str | None]
    stages: list[Stage]
    final: int
    _states: dict[int, State] = field(default_factory=dict)

    @property
    def escape(self) -> str:
        return self.parsed.escape

    def stage_named(self, ref: str, before: int | None = None) -> int | None:
        """The stage a `--from=` / FROM value names (a name or a number), if any."""
        limit = len(self.stages) if before is None else before
        if ref.isdigit():
            number = int(ref)
            return number if number < limit else None
        lowered = ref.lower()
        for stage in self.stages[:limit]:
            if stage.name == lowered:
                return stage.index
        return None

    def ancestors(self, index: int) -> list[int]:
        """`index` and the stages it is built FROM, nearest first."""
        out = []
        current: int | None = index
        while current is not None and current not in out:
            out.append(current)
            current = self.stages[current].parent
        return out

    def final_image_stages(self) -> list[int]:
        """The stages whose layers are the deployed image: the final stage and its FROM chain."""
        return self.ancestors(self.final)

    def contributing_stages(self) -> list[int]:
        """Stages whose output reaches the deployed image: FROM chains and COPY --from /
        RUN --mount=from= sources, followed transitively. In file order."""
        seen: set[int] = set()
        todo = [self.final]
        while todo:
            index = todo.pop()
            if index in seen:
                continue
            seen.add(index)
            stage = self.stages[index]
            if stage.parent is not None:
                todo.append(stage.parent)
            for instr in stage.instructions:
                for source in self.from_references(instr):
                    found = self.stage_named(source, before=index)
                    if found is not None:
                        todo.append(found)
        return sorted(seen)

    def from_references(self, instr: Instruction) -> list[str]:
        """`COPY --from=X` / `ADD --from=X` values and `RUN --mount=...,from=X` values."""
        out = []
        if instr.keyword in ("COPY", "ADD"):
            value = instr.flag("from")
            if value:
                out.append(self.substitute(instr, value))
        if instr.keyword == "RUN":
            for flag in instr.flags:
                if flag.name == "mount" and flag.value:
                    for part in flag.value.split(","):
                        key, _, val = part.partition("=")
                        if key.strip() == "from" and val:
                            out.append(self.substitute(instr, val.strip()))
        return out

    def root(self, index: int) -> Stage:
        """The first stage of `index`'s FROM chain (the one built on an image)."""
        return self.stages[self.ancestors(index)[-1]]

    def stage_of(self, instr: Instruction) -> Stage:
        for stage in self.stages:
            if stage.from_instr.index == instr.index or any(i.index == instr.index for i in stage.instructions):
                return stage
        raise KeyError(instr.index)

    def state(self, instr: Instruction) -> State:
        if not self._states:
            self._compute_states()
        return self._states.get(instr.index, State({}, "/", DEFAULT_SHELL))

    def state_after(self, instr: Instruction) -> State:
        return self._step(self.state(instr), instr)

    def stage_state(self, index: int) -> State:
        """The state at the end of stage `index` (what its image is configured with)."""
        stage = self.stages[index]
        last = stage.instructions[-1] if stage.instructions else stage.from_instr
        return self.state_after(last) if stage.instructions else self.state(last)

    def substitute(self, instr: Instruction, word: str, quotes: bool = True) -> str:
        return expand(word, self.state(instr).env, self.escape, quotes).value

    def _compute_states(self) -> None:
        finals: dict[int, State] = {}
        for stage in self.stages:
            if stage.parent is not None and stage.parent in finals:
                parent = finals[stage.parent]
                env = {k: v for k, v in parent.env.items() if k not in _stage_args(self.stages[stage.parent])}
                state = State(env, parent.workdir, parent.shell)
            else:
                state = State({}, "/", DEFAULT_SHELL)
            self._states[stage.from_instr.index] = state
            for instr in stage.instructions:
                self._states[instr.index] = state
                state = self._step(state, instr)
            finals[stage.index] = state

    def _step(self, state: State, instr: Instruction) -> State:
        kw = instr.keyword
        if kw == "ENV":
            env = dict(state.env)
            values = instr.values
            for key, value in zip(values[::2], values[1::2]):
                env[key] = expand(value, state.env, self.escape).value
            return State(env, state.workdir, state.shell)
        if kw == "ARG":
            env = dict(state.env)
            for item in instr.values:
                key, eq, value = item.partition("=")
                if eq:
                    env[key] = expand(value, state.env, self.escape).value
                elif key in self.global_args:
                    env[key] = self.global_args[key]
                else:
                    env.setdefault(key, None)
            return State(env, state.workdir, state.shell)
        if kw == "WORKDIR" and instr.values:
            target = expand(instr.values[0], state.env, self.escape).value
            workdir = posixpath.normpath(posixpath.join(state.workdir, target)) if target else state.workdir
            return State(state.env, workdir, state.shell)
        if kw == "SHELL" and instr.json and instr.values:
            return State(state.env, state.workdir, instr.values)
        return state

    def instructions(self) -> Iterator[Instruction]:
        yield from self.parsed.instructions


def _stage_args(stage: Stage) -> set[str]:
    return {item.partition("=")[0] for i in stage.instructions if i.keyword == "ARG" for item in i.values}


def build_model(parsed: ParsedDockerfile, target: str | None = None) -> DockerfileModel:
    global_args: dict[str, str | None] = {}
    stages: list[Stage] = []
    current: list[Instruction] = []
    pending: tuple[Instruction, str | None, str, Expanded, int | None] | None = None

    def close() -> None:
        if pending is None:
            return
        instr, name, ref_text, expanded, parent = pending
        stages.append(
            Stage(len(stages), name, instr, ref_text, expanded.value, expanded.used, expanded.unset, parent, tuple(current))
        )

    for instr in parsed.instructions:
        if instr.keyword == "FROM":
            close()
            current = []
            values = instr.values
            ref_text = values[0] if values else ""
            name = values[2].lower() if len(values) >= 3 and values[1].lower() == "as" else None
            expanded = expand(ref_text, global_args, parsed.escape)
            parent = None
            lowered = expanded.value.lower()
            for stage in stages:
                if stage.name == lowered:
                    parent = stage.index
            pending = (instr, name, ref_text, expanded, parent)
        elif pending is None:
            if instr.keyword == "ARG":
                for item in instr.values:
                    key, eq, value = item.partition("=")
                    global_args[key] = expand(value, global_args, parsed.escape).value if eq else None
        else:
            current.append(instr)
    close()
    final = len(stages) - 1
    if target:
        for stage in stages:
            if stage.name == target.lower():
                final = stage.index
    return DockerfileModel(parsed, global_args, stages, final)
