"""Shared test helpers: check source text the way the CLI would, without a subprocess."""

from __future__ import annotations

from pathlib import Path

from startlint import catalog
from startlint.config import Settings
from startlint.discovery import PYTHON, SourceFile, kind_of
from startlint.engine import Checker
from startlint.findings import Finding
from startlint.python.model import Module
from startlint.python.source import build_model
from startlint.ruledocs import all_docs

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def check_source(text: str, path: str = "mod.py", settings: Settings | None = None) -> list[Finding]:
    settings = settings or Settings(root=Path("/project"))
    checker = Checker(settings, catalog.extend(catalog.load_shipped(), settings.catalog), all_docs())
    source = SourceFile(settings.root / path, kind_of(Path(path).name) or PYTHON)
    return sorted(checker.check_file(source, text=text, display_path=path), key=lambda f: f.sort_key)


def model_of(text: str) -> Module:
    built = build_model(text, "mod.py")
    assert isinstance(built, Module), built
    return built
