"""Dockerfile and entry-script checks (SL2xx, SL301): the engine's entry point."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from startlint.config import Settings
from startlint.findings import Violation


@dataclass(frozen=True)
class CheckedFile:
    """Violations in one file: the Dockerfile itself, or a script or manifest it uses."""

    path: Path  # absolute
    text: str  # the file's text (for suppression comments)
    violations: tuple[Violation, ...]


def check_dockerfile(path: Path, text: str, settings: Settings) -> list[CheckedFile]:
    """Check a Dockerfile and the files it brings into play. No Dockerfile rules exist yet."""
    return []
