"""What a package installation reads: its manifests (requirements files and the files
they include, pyproject.toml and lock files, Pipfile, package.json, ...), whether it
installs the project's own sources, and which requirements it installs."""

from __future__ import annotations

import posixpath
import re
import sys
from dataclasses import dataclass
from typing import Any

from startlint.docker.analysis import DockerContext, RunCommand
from startlint.docker.commands import is_local_path
from startlint.docker.model import Stage

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

# Manifests each tool reads from its project directory: (required, optional lock files).
PROJECT_FILES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "uv-sync": (("pyproject.toml",), ("uv.lock",)),
    "poetry": (("pyproject.toml",), ("poetry.lock",)),
    "pipenv": (("Pipfile",), ("Pipfile.lock",)),
    "npm": (("package.json",), ("package-lock.json", "npm-shrinkwrap.json")),
    "yarn": (("package.json",), ("yarn.lock", ".yarnrc.yml")),
    "pnpm": (("package.json",), ("pnpm-lock.yaml",)),
    "bundle": (("Gemfile",), ("Gemfile.lock",)),
    "composer": (("composer.json",), ("composer.lock",)),
    "go": (("go.mod",), ("go.sum",)),
}


@dataclass(frozen=True)
class Requirement:
    spec: str
    where: str  # "requirements.txt:8", "pyproject.toml", "the command line"


@dataclass
class Reads:
    """What one installation reads from the image's filesystem."""

    manifests: list[str]  # absolute image paths that must exist
    optional: list[str]  # lock files, used when present
    project: bool  # installs the project's own sources (pip install ., uv sync of a package)
    unknown: bool  # reads something it could not tell (a path with a variable, ...)
    requirements: list[Requirement]
    index_urls: list[str]  # index / find-links URLs given in the manifests


def _project_dir(run: RunCommand) -> str:
    inst = run.install
    assert inst is not None
    for name in ("--project", "--directory", "-C"):
        values = inst.values(name)
        if values:
            return posixpath.normpath(posixpath.join(run.cwd, values[-1]))
    return run.cwd


def load_toml(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None


def read_image_file(ctx: DockerContext, stage: Stage, run: RunCommand, image_path: str) -> tuple[str | None, str | None]:
    """(context-relative path, text) of the file an instruction sees at `image_path`."""
    rel = ctx.origin(stage, image_path, run.instr)
    if rel is None:
        return None, None
    return rel, ctx.context.read_text(rel)


def reads(ctx: DockerContext, stage: Stage, run: RunCommand) -> Reads:
    """What `run` reads (computed once per command and Dockerfile)."""
    key = ("reads", stage.index, run.instr.index, id(run.source), run.step.command.start)
    found = ctx.memo.get(key)
    if not isinstance(found, Reads):
        found = _reads(ctx, stage, run)
        ctx.memo[key] = found
    return found


def _reads(ctx: DockerContext, stage: Stage, run: RunCommand) -> Reads:
    inst = run.install
    assert inst is not None
    out = Reads([], [], False, False, [], [])
    tool = inst.tool
    if tool in ("pip", "uv-pip"):
        for opt in inst.options:
            if opt.name in ("-r", "--requirement", "-c", "--constraint") and opt.value is not None:
                _requirements_file(ctx, stage, run, posixpath.join(run.cwd, opt.value), out, opt.name in ("-c", "--constraint"), 0)
            elif opt.name in ("-e", "--editable") and opt.value is not None:
                _spec(ctx, stage, run, opt.value, "the command line", out)
            elif opt.name in ("-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--index", "--default-index") and opt.value:
                out.index_urls.append(opt.value)
        for word in inst.positionals:
            if "$" in word.raw and not word.literal and word.text.startswith("$"):
                out.unknown = True
                continue
            _spec(ctx, stage, run, word.text, "the command line", out)
        return out
    if tool in PROJECT_FILES:
        required, optional = PROJECT_FILES[tool]
        base = _project_dir(run)
        out.manifests += [posixpath.join(base, f) for f in required]
        out.optional += [posixpath.join(base, f) for f in optional]
        if tool in ("uv-sync", "poetry"):
            out.project = _installs_project(ctx, stage, run, tool, posixpath.join(base, "pyproject.toml"))
            _pyproject_requirements(ctx, stage, run, posixpath.join(base, "pyproject.toml"), out)
        if tool == "pipenv" and inst.positionals:
            for word in inst.positionals:
                _spec(ctx, stage, run, word.text, "the command line", out)
            out.manifests = []
            out.optional = []
        return out
    if tool == "conda":
        for opt in inst.options:
            if opt.name in ("-f", "--file") and opt.value:
                out.manifests.append(posixpath.join(run.cwd, opt.value))
        return out
    return out  # apt, apk, yum: named packages only


def _spec(ctx: DockerContext, stage: Stage, run: RunCommand, spec: str, where: str, out: Reads) -> None:
    if is_local_path(spec) or spec.startswith("-"):
        if spec.startswith("-"):
            return
        target = posixpath.normpath(posixpath.join(run.cwd, spec.split("[", 1)[0]))
        if target.endswith((".whl", ".tar.gz", ".zip")) or "*" in target:
            return  # a built artifact: it does not read sources
        out.project = True
        if run.install is None or not run.install.has("--no-deps"):  # else its dependencies are not installed
            _pyproject_requirements(ctx, stage, run, posixpath.join(target, "pyproject.toml"), out)
        return
    out.requirements.append(Requirement(spec, where))


def _requirements_file(
    ctx: DockerContext, stage: Stage, run: RunCommand, image_path: str, out: Reads, constraints: bool, depth: int
) -> None:
    image_path = posixpath.normpath(image_path)
    if "$" in image_path:
        out.unknown = True
        return
    out.manifests.append(image_path)
    if depth > 5:
        return
    rel, text = read_image_file(ctx, stage, run, image_path)
    if text is None:
        return
    directory = posixpath.dirname(image_path)
    for number, line in _logical_lines(text):
        line = re.sub(r"(^|\s)#.*$", "", line).strip()
        if not line:
            continue
        where = f"{rel}:{number}"
        option = re.match(r"^(-r|--requirement|-c|--constraint|-e|--editable|-i|--index-url|--extra-index-url|-f|--find-links)(?:\s+|=)(\S+)", line)
        if option:
            name, value = option.group(1), option.group(2)
            if name in ("-r", "--requirement", "-c", "--constraint"):
                nested = posixpath.join(directory, value)
                _requirements_file(ctx, stage, run, nested, out, constraints or name in ("-c", "--constraint"), depth + 1)
            elif name in ("-e", "--editable") and not constraints:
                _spec(ctx, stage, run, value if not is_local_path(value) else posixpath.relpath(posixpath.join(directory, value), run.cwd), where, out)
            elif name in ("-i", "--index-url", "--extra-index-url", "-f", "--find-links"):
                out.index_urls.append(value)
            continue
        if line.startswith("-"):
            continue
        if constraints:
            continue
        if is_local_path(line.split(";")[0].strip()):
            out.project = True
            continue
        out.requirements.append(Requirement(line, where))


def _logical_lines(text: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    buffer = ""
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not buffer:
            start = number
        if line.endswith("\\"):
            buffer += line[:-1] + " "
            continue
        out.append((start, buffer + line))
        buffer = ""
    if buffer:
        out.append((start, buffer))
    return out


def pyproject_of(ctx: DockerContext, stage: Stage, run: RunCommand, image_path: str) -> tuple[str | None, dict[str, Any] | None]:
    rel, text = read_image_file(ctx, stage, run, image_path)
    return rel, load_toml(text)


def _installs_project(ctx: DockerContext, stage: Stage, run: RunCommand, tool: str, pyproject: str) -> bool:
    inst = run.install
    assert inst is not None
    if tool == "uv-sync":
        if inst.has("--no-install-project", "--only-dev", "--no-install-workspace"):
            return False
        _, data = pyproject_of(ctx, stage, run, pyproject)
        if data is None:
            return True  # unknown: assume it does
        uv = data.get("tool", {}).get("uv", {}) if isinstance(data.get("tool"), dict) else {}
        package = uv.get("package") if isinstance(uv, dict) else None
        if package is not None:
            return bool(package)
        return "build-system" in data
    if tool == "poetry":
        if inst.has("--no-root"):
            return False
        _, data = pyproject_of(ctx, stage, run, pyproject)
        if data is None:
            return True
        poetry = data.get("tool", {}).get("poetry", {}) if isinstance(data.get("tool"), dict) else {}
        return not (isinstance(poetry, dict) and poetry.get("package-mode") is False)
    return False


def _pyproject_requirements(ctx: DockerContext, stage: Stage, run: RunCommand, image_path: str, out: Reads) -> None:
    rel, data = pyproject_of(ctx, stage, run, image_path)
    if data is None or rel is None:
        return
    inst = run.install
    assert inst is not None
    project = data.get("project", {})
    if isinstance(project, dict):
        for dep in project.get("dependencies", []) or []:
            if isinstance(dep, str):
                out.requirements.append(Requirement(dep, rel))
        extras = set(inst.values("--extra", "-E", "--extras"))
        optional = project.get("optional-dependencies", {}) or {}
        if isinstance(optional, dict):
            for name, deps in optional.items():
                if (name in extras or inst.has("--all-extras")) and isinstance(deps, list):
                    out.requirements += [Requirement(d, rel) for d in deps if isinstance(d, str)]
    if inst.tool == "uv-sync" and not inst.has("--no-dev", "--only-group", "--no-default-groups"):
        groups = data.get("dependency-groups", {})
        if isinstance(groups, dict) and isinstance(groups.get("dev"), list):
            out.requirements += [Requirement(d, rel) for d in groups["dev"] if isinstance(d, str)]
    tool = data.get("tool", {})
    poetry = tool.get("poetry", {}) if isinstance(tool, dict) else {}
    if inst.tool == "poetry" and isinstance(poetry, dict):
        only = set(inst.values("--only"))
        without = set(",".join(inst.values("--without")).split(","))
        tables: list[tuple[str, Any]] = []
        if not only or "main" in only:
            tables.append(("main", poetry.get("dependencies", {})))
        for name, group in (poetry.get("group", {}) or {}).items():
            if not isinstance(group, dict) or name in without or (only and name not in only):
                continue
            if group.get("optional") and name not in set(inst.values("--with")):
                continue
            tables.append((name, group.get("dependencies", {})))
        for _, deps in tables:
            if not isinstance(deps, dict):
                continue
            for name, value in deps.items():
                if name == "python":
                    continue
                if isinstance(value, dict) and value.get("optional"):
                    continue
                out.requirements.append(Requirement(name, rel))
