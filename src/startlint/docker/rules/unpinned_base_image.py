"""SL201 unpinned-base-image: a base image (FROM, or COPY --from= naming an image) whose
tag floats: none, `latest`, a tag without a version number, or an ARG without a default.
With `require-digest = true`, every image needs an `@sha256:` digest."""

from __future__ import annotations

import re
from collections.abc import Iterator

from startlint.docker.analysis import DockerContext
from startlint.docker.model import SCRATCH, expand, parse_image
from startlint.docker.parser import Instruction
from startlint.findings import Span, Violation

CODE = "SL201"


def problem(ctx: DockerContext, written: str, resolved: str, unset: tuple[str, ...], what: str) -> str | None:
    """Why the reference floats, or None when it is pinned. `unset`: the ARGs the
    reference uses that have no value (and no default written in the reference)."""
    if unset:
        name = unset[0]
        shown = resolved if resolved else "(empty)"
        return (
            f"{what} '{written}' takes its value from ARG {name}, which has no default: without "
            f"--build-arg the reference is '{shown}'; give the ARG a pinned default"
        )
    if not resolved:
        return f"{what} is empty"
    ref = parse_image(resolved)
    catalog = ctx.catalog
    if ref.digest is not None:
        return None
    if ctx.settings.require_digest:
        return f"{what} '{resolved}' is not pinned by digest (require-digest = true): add '@sha256:…'"
    if ref.tag is None:
        return (
            f"{what} '{resolved}' has no tag, so it is whatever ':latest' is on the day of the build; "
            "pin a version tag"
        )
    if ref.tag == "latest":
        return f"{what} '{resolved}' uses the ':latest' tag, which moves with every release; pin a version tag"
    if not re.search(r"[0-9]", ref.tag):
        if ref.repository in catalog.codename_repositories and ref.tag.split("-")[0] in catalog.codenames:
            return None
        return (
            f"{what} '{resolved}' has the tag '{ref.tag}', which carries no version number and moves; "
            "pin a version tag"
        )
    return None


def _image_span(ctx: DockerContext, instr: Instruction, needle: str, start: int) -> Span:
    logical = instr.logical
    if logical is not None and needle:
        found = logical.text.find(needle, start)
        if found >= 0:
            span = ctx.logical_span(instr, found, found + len(needle))
            if span is not None:
                return span
    return ctx.instruction_span(instr)


def check(ctx: DockerContext) -> Iterator[Violation]:
    model = ctx.model
    for stage in model.stages:
        if stage.parent is None and stage.ref.lower() != SCRATCH:
            why = problem(ctx, stage.ref_text, stage.ref, stage.args_unset, "base image")
            if why is not None:
                yield Violation(CODE, _image_span(ctx, stage.from_instr, stage.ref_text, stage.from_instr.args_start), why)
        for instr in stage.instructions:
            if instr.keyword not in ("COPY", "ADD"):
                continue
            written = instr.flag("from")
            if not written or written.isdigit():
                continue
            expanded = expand(written, model.state(instr).env, model.escape)
            if model.stage_named(expanded.value, before=stage.index) is not None or expanded.value.lower() == SCRATCH:
                continue
            why = problem(ctx, written, expanded.value, expanded.unset, f"{instr.keyword} --from image")
            if why is not None:
                yield Violation(CODE, _image_span(ctx, instr, "--from=" + written, 0), why)
