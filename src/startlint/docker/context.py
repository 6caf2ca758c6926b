"""The build context: which directory it is, what COPY/ADD take from it, and which
context file ends up at a given path in the image.

The context is not written in the Dockerfile (it is an argument of `docker build`), so
it is inferred: the Dockerfile's own directory, then each parent up to the project
root, taking the first where every path the COPY/ADD instructions name exists (a
`docker/backend/Dockerfile` that copies `src/backend/requirements.txt` is built from
the repository root). When no directory has them all, the one with the most wins,
nearest first; with nothing to go by, the Dockerfile's directory.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path

from startlint.docker.model import DockerfileModel, Stage
from startlint.docker.parser import Instruction

WHOLE_CONTEXT = frozenset({".", "./", "*", "./*", "/", "/."})
DEFAULT_PATH = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")


@dataclass(frozen=True)
class CopySpec:
    instr: Instruction
    sources: tuple[str, ...]  # after substitution, as written otherwise
    dest_raw: str
    dest: str  # absolute, after WORKDIR
    from_ref: str | None
    heredoc: bool

    @property
    def from_context(self) -> bool:
        return self.from_ref is None and not self.heredoc

    @property
    def dest_is_dir(self) -> bool:
        return self.dest_raw.endswith("/") or self.dest_raw in (".", "./") or len(self.sources) > 1

    def whole_context_sources(self) -> list[str]:
        return [s for s in self.sources if s in WHOLE_CONTEXT]


def copy_spec(model: DockerfileModel, instr: Instruction) -> CopySpec | None:
    if instr.keyword not in ("COPY", "ADD") or len(instr.values) < 2:
        return None
    heredoc = bool(instr.heredocs)
    state = model.state(instr)
    words = [model.substitute(instr, v) for v in instr.values]
    sources = tuple(w for w in words[:-1] if not w.startswith("<<"))
    dest_raw = words[-1]
    dest = posixpath.normpath(posixpath.join(state.workdir, dest_raw)) if dest_raw else state.workdir
    from_ref = instr.flag("from")
    if from_ref is not None:
        from_ref = model.substitute(instr, from_ref)
    return CopySpec(instr, sources, dest_raw, dest, from_ref or None, heredoc)


def is_url(source: str) -> bool:
    return "://" in source or source.startswith("git@")


def _clean_source(source: str) -> str:
    cleaned = posixpath.normpath(source.lstrip("/")) if source.strip("/") else "."
    return "." if cleaned in ("", "./") else cleaned


class Context:
    """A build context directory (which may not exist: then nothing is known about it)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @property
    def known(self) -> bool:
        return self.directory.is_dir()

    def path(self, rel: str) -> Path:
        return self.directory / _clean_source(rel)

    def exists(self, rel: str) -> bool:
        return bool(self.matches(rel))

    def is_dir(self, rel: str) -> bool:
        return self.path(rel).is_dir()

    def matches(self, source: str) -> list[str]:
        """Context-relative paths a COPY source names (wildcards expanded), existing ones only."""
        cleaned = _clean_source(source)
        if cleaned == ".":
            return ["."] if self.known else []
        if any(c in cleaned for c in "*?["):
            if not self.known or cleaned.startswith("../"):
                return []
            try:
                found = list(self.directory.glob(cleaned))
            except (ValueError, OSError):
                return []
            return sorted(f.relative_to(self.directory).as_posix() for f in found)
        return [cleaned] if (self.directory / cleaned).exists() else []

    def read_text(self, rel: str) -> str | None:
        try:
            return self.path(rel).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None


def choose_context(dockerfile: Path, root: Path, model: DockerfileModel) -> Context:
    sources = []
    for instr in model.instructions():
        spec = copy_spec(model, instr)
        if spec is None or not spec.from_context:
            continue
        sources += [s for s in spec.sources if s not in WHOLE_CONTEXT and not is_url(s) and "$" not in s]
    candidates = [dockerfile.parent]
    try:
        dockerfile.parent.relative_to(root)
        for parent in dockerfile.parent.parents:
            try:
                parent.relative_to(root)
            except ValueError:
                break
            candidates.append(parent)
    except ValueError:
        pass
    if not sources:
        return Context(candidates[0])
    best, best_count = candidates[0], -1
    for candidate in candidates:
        ctx = Context(candidate)
        count = sum(1 for s in sources if ctx.exists(s))
        if count == len(sources):
            return ctx
        if count > best_count:
            best, best_count = candidate, count
    return Context(best)


# -- where a file in the image came from ------------------------------------------------

def image_path(model: DockerfileModel, instr: Instruction, path: str, cwd: str | None = None) -> str:
    """`path` as an absolute path in the image, for a command run at `instr`."""
    base = cwd if cwd is not None else model.state(instr).workdir
    return posixpath.normpath(posixpath.join(base, path))


def origin(
    model: DockerfileModel, context: Context, stage_index: int, path: str, before: int | None = None, depth: int = 0
) -> str | None:
    """The context-relative file that the last COPY/ADD before instruction `before` (in the
    stage's FROM chain, COPY --from stages followed) put at absolute image `path`."""
    if depth > 8:
        return None
    chain = list(reversed(model.ancestors(stage_index)))
    instrs: list[Instruction] = []
    for index in chain:
        stage: Stage = model.stages[index]
        for instr in stage.instructions:
            if before is not None and index == stage_index and instr.index >= before:
                break
            instrs.append(instr)
    for instr in reversed(instrs):
        spec = copy_spec(model, instr)
        if spec is None:
            continue
        if spec.heredoc:
            names = [posixpath.join(spec.dest, d.name) for d in instr.heredocs] if spec.dest_raw.endswith("/") else [spec.dest]
            if path in names:
                return None  # written inline by the Dockerfile, not taken from the context
            continue
        for source in reversed(spec.sources):
            if is_url(source):
                continue
            if spec.from_ref is not None:
                from_stage = model.stage_named(spec.from_ref, before=model.stage_of(instr).index)
                if from_stage is None:
                    continue
                for candidate in candidates(path, source, spec, None):
                    found = origin(model, context, from_stage, "/" + candidate.lstrip("/"), None, depth + 1)
                    if found is not None:
                        return found
                continue
            for candidate in candidates(path, source, spec, context):
                if context.known and context.path(candidate).is_file():
                    return candidate
                if not context.known:
                    return candidate
    return None


def candidates(path: str, source: str, spec: CopySpec, context: Context | None) -> list[str]:
    """Source-side paths that COPY `source` -> `spec.dest` would put at image `path`."""
    dest = spec.dest
    cleaned = _clean_source(source) if context is not None else posixpath.normpath("/" + source.lstrip("/"))
    under = path == dest or path.startswith(dest.rstrip("/") + "/")
    rel = posixpath.relpath(path, dest) if under else None
    out: list[str] = []
    if context is not None and any(c in cleaned for c in "*?["):
        for match in context.matches(source):
            if context.is_dir(match):
                if rel is not None and rel != ".":
                    out.append(posixpath.join(match, rel))
            elif path == posixpath.join(dest, posixpath.basename(match)):
                out.append(match)
        return out
    is_dir = (
        cleaned in (".", "/")
        or source.endswith("/")
        or (context is not None and context.is_dir(cleaned))
        or (context is None and source.endswith("/"))
    )
    if is_dir:
        if rel is not None and rel != ".":
            out.append(posixpath.normpath(posixpath.join(cleaned, rel)))
        return out
    if context is None and rel is not None and rel != ".":
        out.append(posixpath.normpath(posixpath.join(cleaned, rel)))  # a directory in the other stage
    if path == posixpath.join(dest, posixpath.basename(cleaned)) or path == dest and not spec.dest_is_dir:
        out.append(cleaned)
    return out


def resolve_executable(model: DockerfileModel, stage_index: int, word: str, workdir: str) -> list[str]:
    """Absolute image paths a command word can mean: itself when it holds a `/`, else the
    PATH directories (and, leniently, the working directory)."""
    if "/" in word:
        return [posixpath.normpath(posixpath.join(workdir, word))]
    stage = model.stages[stage_index]
    last = stage.instructions[-1] if stage.instructions else stage.from_instr
    env_path = model.state(last).env.get("PATH") or ""
    dirs = [d for d in env_path.split(":") if d.startswith("/")] + list(DEFAULT_PATH) + [workdir]
    seen: list[str] = []
    for d in dirs:
        candidate = posixpath.join(d, word)
        if candidate not in seen:
            seen.append(candidate)
    return seen
