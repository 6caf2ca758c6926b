"""SL202 fat-base-image: the deployed stage runs on a full-size image where a slim one
exists (`python:3.12`, `node:22-bookworm`), a CUDA `-devel` image or `pytorch/pytorch:*-devel`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from fnmatch import fnmatchcase

from startlint.docker import edits
from startlint.docker.analysis import DockerContext
from startlint.docker.catalog import DockerCatalog, SlimImage
from startlint.docker.model import ImageRef
from startlint.findings import Applicability, Violation

CODE = "SL202"


def slim_tag(entry: SlimImage, tag: str | None) -> str | None:
    """The slim variant's tag for a full-size tag of `entry`'s image, or None when the tag is
    not a full-size one (already slim, alpine, windowsservercore, ...)."""
    if tag is None or tag == "latest":
        return entry.untagged
    distros = "|".join(re.escape(d) for d in entry.distros)
    pattern = rf"(?:(?P<version>{entry.version.pattern})(?:-(?P<distro>{distros}))?|(?P<alone>{distros}))"
    match = re.fullmatch(pattern, tag)
    if match is None:
        return None
    version = match.group("version") or ""
    distro = match.group("distro") or match.group("alone") or ""
    parts = [version, "slim", distro] if entry.style == "slim-distro" else [version, distro, "slim"]
    return "-".join(p for p in parts if p)


def lighter(ref: ImageRef, catalog: DockerCatalog) -> tuple[str, str] | None:
    """(the lighter tag, what kind of image this is) when `ref` is a full-size variant."""
    for entry in catalog.slim:
        if ref.repository == entry.repository:
            tag = slim_tag(entry, ref.tag)
            if tag is not None:
                return tag, "the full-size image"
    for devel in catalog.devel:
        if fnmatchcase(ref.repository, devel.repository) and ref.tag:
            parts = ref.tag.split("-")
            if devel.devel in parts:
                runtime = "-".join(devel.runtime if p == devel.devel else p for p in parts)
                return runtime, "a development image (compilers, headers, static libraries)"
    return None


def check(ctx: DockerContext) -> Iterator[Violation]:
    root = ctx.model.root(ctx.model.final)
    ref = root.image
    if ref is None:
        return
    found = lighter(ref, ctx.catalog)
    if found is None:
        return
    tag, kind = found
    # Without a version (no tag, `latest`) the bare slim tag would float as well (SL201):
    # the advice names a versioned slim tag, and nothing is rewritten.
    unversioned = ref.tag in (None, "latest")
    better = ref.with_tag(f"<version>-{tag}" if unversioned else tag)
    instr = root.from_instr
    message = (
        f"the deployed stage runs on '{ref.text}', {kind}; '{better}' is the lighter variant, "
        "a smaller image to pull on every new instance"
    )
    fix = None
    written = root.ref_text
    logical = instr.logical
    span = ctx.instruction_span(instr)
    if logical is not None and written:
        at = logical.text.find(written, instr.args_start)
        if at >= 0:
            image_span = ctx.logical_span(instr, at, at + len(written))
            if image_span is not None:
                span = image_span
            if "$" not in written and ref.digest is None and not unversioned:
                replacement = written[: len(written) - len(ref.tag)] + tag if ref.tag else f"{written}:{tag}"
                start, end = logical.file_offset(at), logical.file_end(at + len(written))
                fix = edits.fix(
                    Applicability.UNSAFE,
                    f"use '{replacement}' (check that the service does not need what only the full image has)",
                    [edits.edit(ctx.index, start, end, replacement)],
                )
    yield Violation(CODE, span, message, fix=fix)
