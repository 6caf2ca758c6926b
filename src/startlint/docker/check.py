"""Dockerfile and entry-script checks (SL2xx, SL301): the engine's entry point.

`check_dockerfile` parses the Dockerfile with BuildKit's parser, builds its stage model,
infers the build context, runs every rule on it, then finds the entry scripts the image
runs (and the conventionally named ones next to the Dockerfile) and runs the script rules
on them. Each file comes back with its own violations and positions; selection,
suppression and severities are the engine's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from startlint.config import Settings
from startlint.findings import Span, Violation

PARSE_ERROR = "SL001"


@dataclass(frozen=True)
class CheckedFile:
    """Violations in one file: the Dockerfile itself, or a script or manifest it uses."""

    path: Path  # absolute
    text: str  # the file's text (for suppression comments)
    violations: tuple[Violation, ...]


def _parse_error(text: str, line: int, message: str) -> Violation:
    lines = text.split("\n")
    width = len(lines[line - 1].rstrip("\r")) if 0 < line <= len(lines) else 0
    return Violation(PARSE_ERROR, Span(line, 1, line, width + 1), f"could not parse: {message}")


def validate(parsed: object) -> list[Violation]:
    """What BuildKit rejects after parsing: unknown instructions, missing arguments,
    instructions before the first FROM, no FROM at all."""
    from startlint.docker.parser import INSTRUCTIONS, ParsedDockerfile

    assert isinstance(parsed, ParsedDockerfile)
    out: list[Violation] = []
    seen_from = False
    for instr in parsed.instructions:
        keyword = instr.keyword
        where = instr.start_line
        if keyword not in INSTRUCTIONS:
            out.append(_parse_error(parsed.text, where, f"unknown instruction: {keyword}"))
            continue
        if keyword == "ONBUILD" and instr.sub is not None and instr.sub.keyword not in INSTRUCTIONS:
            out.append(_parse_error(parsed.text, where, f"unknown instruction: ONBUILD {instr.sub.keyword}"))
            continue
        if not instr.values and not instr.heredocs and keyword != "ONBUILD" and not (
            instr.json and keyword in ("CMD", "ENTRYPOINT")  # `ENTRYPOINT []` resets it
        ):
            out.append(_parse_error(parsed.text, where, f"{keyword} requires at least one argument"))
            continue
        if keyword == "FROM":
            seen_from = True
            if len(instr.values) not in (1, 3) or (len(instr.values) == 3 and instr.values[1].lower() != "as"):
                out.append(_parse_error(parsed.text, where, "FROM requires either one or three arguments"))
        elif not seen_from and keyword != "ARG":
            out.append(_parse_error(parsed.text, where, f"{keyword} comes before the first FROM (no build stage in context)"))
        elif keyword in ("COPY", "ADD") and len(instr.values) < 2:
            out.append(_parse_error(parsed.text, where, f"{keyword} requires at least two arguments"))
    if not seen_from and not out:
        out.append(_parse_error(parsed.text, 1, "no FROM instruction"))
    return out


def check_dockerfile(path: Path, text: str, settings: Settings) -> list[CheckedFile]:
    """The Dockerfile's violations, then those of each entry script it runs."""
    from startlint.docker.analysis import DockerContext
    from startlint.docker.catalog import shipped
    from startlint.docker.context import choose_context
    from startlint.docker.model import build_model
    from startlint.docker.parser import ParseError, parse
    from startlint.docker.registry import load_rules
    from startlint.engine import InternalError

    path = path.resolve()
    if path.name.endswith(".dockerignore"):
        return []  # `Dockerfile.dockerignore` is an ignore file, not a Dockerfile
    parsed = parse(text)
    if isinstance(parsed, ParseError):
        return [CheckedFile(path, text, (_parse_error(text, parsed.line, parsed.message),))]
    problems = validate(parsed)
    if problems:
        return [CheckedFile(path, text, tuple(problems))]
    model = build_model(parsed, settings.target)
    root = settings.root.resolve()
    ctx = DockerContext(path, text, settings, shipped(), model, choose_context(path, root, model))
    rules = load_rules()
    violations: list[Violation] = []
    for rule in rules:
        try:
            violations += list(rule.check(ctx))
        except Exception as exc:  # a crashing rule must name itself and the file
            raise InternalError(f"rule {rule.CODE} crashed on {path}: {exc!r}") from exc
    scripts: list[CheckedFile] = []
    for script in ctx.entry_scripts():
        found: list[Violation] = []
        for rule in rules:
            check_script = getattr(rule, "check_script", None)
            if check_script is None:
                continue
            try:
                found += list(check_script(script, ctx))
            except Exception as exc:
                raise InternalError(f"rule {rule.CODE} crashed on {script.path}: {exc!r}") from exc
        if script.inline:
            violations += found
        else:
            scripts.append(CheckedFile(script.path, script.text, tuple(found)))
    return [CheckedFile(path, text, tuple(violations)), *scripts]


def check_entry_script(path: Path, settings: Settings) -> list[CheckedFile]:
    """An entry script checked on its own (pre-commit passes changed scripts): a Dockerfile
    of the project that runs it decides how (see `dockerfile_running`); only the script's
    own violations are returned, and nothing when no Dockerfile runs it."""
    found = dockerfile_running(path, settings)
    if found is None:
        return []
    dockerfile, text = found
    target = path.resolve()
    return [checked for checked in check_dockerfile(dockerfile, text, settings)[1:] if checked.path == target]


def dockerfile_running(path: Path, settings: Settings) -> tuple[Path, str] | None:
    """The Dockerfile (and its text) that runs the entry script at `path`: nearest first
    (the script's directory and those above it, up to the project root), then the rest of
    the project; None when no Dockerfile runs it."""
    from startlint.discovery import DOCKERFILE, discover, kind_of

    target = path.resolve()
    root = settings.root.resolve()
    nearby: list[Path] = []
    for directory in [target.parent, *target.parent.parents]:
        try:
            nearby += sorted(p for p in directory.iterdir() if p.is_file() and kind_of(p.name) == DOCKERFILE)
        except OSError:
            pass
        if directory == root or root not in directory.parents:
            break
    rest = [s.path for s in discover([root], settings) if s.kind == DOCKERFILE and s.path not in nearby]
    for dockerfile in [*nearby, *rest]:
        try:
            text = dockerfile.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if any(checked.path == target for checked in check_dockerfile(dockerfile, text, settings)[1:]):
            return dockerfile.resolve(), text
    return None
