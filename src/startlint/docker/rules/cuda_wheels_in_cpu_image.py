"""SL205 cuda-wheels-in-cpu-image: torch, or a package that requires it, installed from
the default index (directly, or through a requirements file or pyproject.toml in the build
context) into an image whose base has no CUDA: pip then installs the CUDA build of torch
and gigabytes of nvidia-* wheels the service never uses.

Fix (unsafe, the wheels change): pip / uv pip get the CPU wheel index on the command line;
`uv sync` gets a `[tool.uv.sources]` entry and an explicit `[[tool.uv.index]]` in
pyproject.toml; `poetry install` gets a `[[tool.poetry.source]]` and `source =` on torch.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from fnmatch import fnmatchcase
from typing import Any

from startlint.docker import edits
from startlint.docker.analysis import DockerContext, RunCommand, command_text
from startlint.docker.catalog import DockerCatalog
from startlint.docker.commands import requirement_name
from startlint.docker.installs import Reads, Requirement, pyproject_of, reads
from startlint.docker.model import ImageRef, Stage
from startlint.docker.text import LineIndex
from startlint.findings import Applicability, Edit, Fix, Violation

CODE = "SL205"
INDEX_NAME = "pytorch-cpu"
_INDEX_OPTIONS = ("-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--index", "--default-index")
_INDEX_ENV = (
    "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "UV_INDEX_URL", "UV_EXTRA_INDEX_URL", "UV_INDEX",
    "UV_DEFAULT_INDEX", "UV_FIND_LINKS",
)


def is_cuda(ref: ImageRef, catalog: DockerCatalog) -> bool:
    if any(fnmatchcase(ref.repository, p) for p in catalog.cuda_repositories):
        return True
    parts = (ref.tag or "").lower().split("-")
    return any(part.startswith(marker) for part in parts for marker in catalog.cuda_tag_markers)


def pulls_torch(spec: str, catalog: DockerCatalog) -> str | None:
    """The catalog entry a requirement matches ("torch", "sentence-transformers"), if any."""
    parsed = requirement_name(spec)
    if parsed is None:
        return None
    name, extras = parsed
    for entry in catalog.torch_packages:
        entry_name, _, extra = entry.partition("[")
        if re.sub(r"[-_.]+", "-", entry_name).lower() != name:
            continue
        if not extra or extra.rstrip("]").lower() in extras:
            return entry
    return None


def _cpu_pinned(spec: str, catalog: DockerCatalog) -> bool:
    return "+cpu" in spec or catalog.is_cpu_index(spec)


def _uv_cpu(data: dict[str, Any] | None, catalog: DockerCatalog) -> bool:
    if data is None:
        return False
    tool = data.get("tool")
    uv = tool.get("uv") if isinstance(tool, dict) else None
    if not isinstance(uv, dict):
        return False
    indexes = uv.get("index", [])
    cpu_names = {i.get("name") for i in indexes if isinstance(i, dict) and catalog.is_cpu_index(str(i.get("url", "")))}
    if any(isinstance(i, dict) and catalog.is_cpu_index(str(i.get("url", ""))) and not i.get("explicit") for i in indexes):
        return True
    for key in ("index-url", "extra-index-url", "find-links"):
        value = uv.get(key)
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, str) and catalog.is_cpu_index(v) for v in values):
            return True
    sources = uv.get("sources", {})
    torch = sources.get("torch") if isinstance(sources, dict) else None
    entries = torch if isinstance(torch, list) else [torch]
    return any(isinstance(e, dict) and (e.get("index") in cpu_names or catalog.is_cpu_index(str(e.get("url", "")))) for e in entries)


def _poetry_cpu(data: dict[str, Any] | None, catalog: DockerCatalog) -> bool:
    if data is None:
        return False
    tool = data.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    if not isinstance(poetry, dict):
        return False
    sources = poetry.get("source", [])
    cpu_names = {s.get("name") for s in sources if isinstance(s, dict) and catalog.is_cpu_index(str(s.get("url", "")))}
    if any(isinstance(s, dict) and s.get("name") in cpu_names and s.get("priority") in ("primary", "default") for s in sources):
        return True
    deps = poetry.get("dependencies", {})
    torch = deps.get("torch") if isinstance(deps, dict) else None
    entries = torch if isinstance(torch, list) else [torch]
    return any(isinstance(e, dict) and (e.get("source") in cpu_names or catalog.is_cpu_index(str(e.get("url", "")))) for e in entries)


def _cpu_configured(ctx: DockerContext, stage: Stage, run: RunCommand, found: Reads) -> bool:
    inst = run.install
    assert inst is not None
    catalog = ctx.catalog
    urls = inst.values(*_INDEX_OPTIONS) + found.index_urls
    env = ctx.env_at(run.instr)
    for name in _INDEX_ENV:
        value = run.cmd.env.get(name) or env.get(name)
        if value:
            urls += value.split()
    if any(catalog.is_cpu_index(u) for u in urls):
        return True
    backend = inst.values("--torch-backend") + [run.cmd.env.get("UV_TORCH_BACKEND") or env.get("UV_TORCH_BACKEND") or ""]
    if any(b.strip().lower() == "cpu" for b in backend):
        return True
    if inst.tool in ("uv-sync", "poetry"):
        _, data = pyproject_of(ctx, stage, run, _pyproject_path(run))
        return _uv_cpu(data, catalog) if inst.tool == "uv-sync" else _poetry_cpu(data, catalog)
    return False


def _pyproject_path(run: RunCommand) -> str:
    inst = run.install
    assert inst is not None
    base = run.cwd
    for name in ("--project", "--directory", "-C"):
        values = inst.values(name)
        if values:
            base = values[-1] if values[-1].startswith("/") else f"{run.cwd.rstrip('/')}/{values[-1]}"
    return f"{base.rstrip('/')}/pyproject.toml"


def check(ctx: DockerContext) -> Iterator[Violation]:
    base = ctx.model.root(ctx.model.final).image
    if base is None or is_cuda(base, ctx.catalog):
        return
    cpu_torch: set[int] = set()  # stages where a CPU build of torch is installed
    for index in ctx.model.contributing_stages():
        stage = ctx.stages[index]
        if stage.parent is not None and stage.parent in cpu_torch:
            cpu_torch.add(index)
        for instr in stage.instructions:
            if instr.keyword != "RUN":
                continue
            offending: list[tuple[RunCommand, Reads, list[tuple[Requirement, str]]]] = []
            for run in ctx.installs(instr):
                inst = run.install
                assert inst is not None
                if not inst.is_python:
                    continue
                found = reads(ctx, stage, run)
                torch = [(r, pulls_torch(r.spec, ctx.catalog)) for r in found.requirements]
                wanted = [(r, entry) for r, entry in torch if entry is not None]
                if not wanted:
                    continue
                configured = _cpu_configured(ctx, stage, run, found)
                hits = [(r, e) for r, e in wanted if not configured and not _cpu_pinned(r.spec, ctx.catalog)]
                if index in cpu_torch:
                    # torch is installed already (CPU build): what requires it keeps that one
                    hits = [(r, e) for r, e in hits if _is_torch(e)]
                if hits:
                    offending.append((run, found, hits))
                elif any(_is_torch(e) for _, e in wanted):
                    cpu_torch.add(index)
            if not offending:
                continue
            run, _, hits = offending[0]
            fixes = [_fix(ctx, stage, r, f, h) for r, f, h in offending]
            fix = None
            if all(f is not None for f in fixes):
                made = [f for f in fixes if f is not None]
                fix = edits.fix(Applicability.UNSAFE, made[0].message, [e for f in made for e in f.edits])
            yield Violation(CODE, ctx.command_span(run), _message(run, hits, base), fix=fix)


def _is_torch(entry: str) -> bool:
    return entry.split("[")[0] == "torch"


def _message(run: RunCommand, hits: list[tuple[Requirement, str]], base: ImageRef) -> str:
    shown = []
    for requirement, entry in hits[:2]:
        name = requirement_name(requirement.spec)
        label = name[0] if name else requirement.spec
        if not _is_torch(entry):
            label += " (requires torch)"
        where = "" if requirement.where == "the command line" else f" ({requirement.where})"
        shown.append(label + where)
    return (
        f"`{command_text(run.step.command)}` installs {', '.join(shown)} from the default index: "
        f"that is the CUDA build of torch with gigabytes of nvidia-* wheels, on '{base.text}', which has no CUDA; "
        "install torch from the CPU wheel index"
    )


def _fix(ctx: DockerContext, stage: Stage, run: RunCommand, found: Reads, hits: list[tuple[Requirement, str]]) -> Fix | None:
    inst = run.install
    assert inst is not None
    url = ctx.catalog.cpu_index_url
    if inst.tool in ("pip", "uv-pip"):
        at = run.source.file_end(inst.last_word.end)
        if at is None:
            return None
        names = [requirement_name(w.text) for w in inst.positionals]
        only_torch = (
            not inst.has("-r", "--requirement", "-e", "--editable")
            and bool(names)
            and all(n is not None and n[0] in ctx.catalog.cpu_index_packages for n in names)
        )
        option = "--index-url" if only_torch else "--extra-index-url"
        return edits.fix(
            Applicability.UNSAFE,
            f"install torch from the CPU wheel index ({option} {url}); check that nothing needs CUDA",
            [edits.insert(ctx.index, at, f" {option} {url}")],
        )
    if inst.tool in ("uv-sync", "poetry"):
        rel, _ = pyproject_of(ctx, stage, run, _pyproject_path(run))
        if rel is None:
            return None
        path = ctx.context.path(rel)
        text = ctx.context.read_text(rel)
        if text is None:
            return None
        display = ctx.rel(path)
        made = _uv_edits(text, url) if inst.tool == "uv-sync" else _poetry_edits(text, url)
        if made is None:
            return None
        return edits.fix(
            Applicability.UNSAFE,
            f"take torch from the CPU wheel index in {display} (then re-lock: "
            f"{'uv lock' if inst.tool == 'uv-sync' else 'poetry lock'}); check that nothing needs CUDA",
            [Edit(e.span, e.content, display) for e in made],
        )
    return None


_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
_ARRAY_HEADER = re.compile(r"^\s*\[\[\s*([^\[\]]+?)\s*\]\]\s*(#.*)?$")


def _tables(text: str) -> list[tuple[int, str, bool]]:
    """(line number, table name, is an array of tables) of each TOML header."""
    out = []
    for number, line in enumerate(text.split("\n"), start=1):
        array = _ARRAY_HEADER.match(line)
        if array:
            out.append((number, array.group(1).replace(" ", ""), True))
            continue
        header = _HEADER.match(line)
        if header:
            out.append((number, header.group(1).replace(" ", ""), False))
    return out


def _direct_dependency(text: str, table: str) -> bool:
    from startlint.docker.installs import load_toml

    data = load_toml(text)
    if data is None:
        return False
    if table == "project":
        deps = data.get("project", {}).get("dependencies", [])
        return any(isinstance(d, str) and (requirement_name(d) or ("", ""))[0] == "torch" for d in deps)
    return False


def _end_insert(index: LineIndex, text: str, block: str) -> Edit:
    prefix = "" if text.endswith("\n") or not text else "\n"
    return edits.insert(index, len(text), prefix + "\n" + block)


def _uv_edits(text: str, url: str) -> list[Edit] | None:
    if not _direct_dependency(text, "project"):
        return None  # [tool.uv.sources] only applies to direct dependencies
    index = LineIndex(text)
    tables = _tables(text)
    source_line = f'torch = [{{ index = "{INDEX_NAME}" }}]'
    block = f'[[tool.uv.index]]\nname = "{INDEX_NAME}"\nurl = "{url}"\nexplicit = true\n'
    sources = [line for line, name, array in tables if name == "tool.uv.sources" and not array]
    if sources:
        at = index.next_line_start(sources[0])
        if at == len(text) and not text.endswith("\n"):
            return None
        return [edits.insert(index, at, source_line + "\n"), _end_insert(index, text, block)]
    return [_end_insert(index, text, f"[tool.uv.sources]\n{source_line}\n\n{block}")]


def _poetry_edits(text: str, url: str) -> list[Edit] | None:
    index = LineIndex(text)
    tables = _tables(text)
    deps = [line for line, name, array in tables if name == "tool.poetry.dependencies" and not array]
    if not deps:
        return None
    start = deps[0]
    following = [line for line, _, _ in tables if line > start]
    end = following[0] if following else index.line_count + 1
    for number in range(start + 1, end):
        line = index.line_text(number)
        match = re.match(r'^(\s*torch\s*=\s*)"([^"]*)"\s*$', line)
        if match:
            value_start = index.offset(number) + match.end(1)
            value_end = index.offset(number) + len(line)
            replacement = f'{{ version = "{match.group(2)}", source = "{INDEX_NAME}" }}'
            block = f'[[tool.poetry.source]]\nname = "{INDEX_NAME}"\nurl = "{url}"\npriority = "explicit"\n'
            return [edits.edit(index, value_start, value_end, replacement), _end_insert(index, text, block)]
    return None
