"""First-party module names and who imports what, for fixes that reach across modules.

Built on demand: a plain check never walks the project. A module's name comes
from its path: the package chain of directories with `__init__.py` above it.
"""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from startlint.config import Settings


def module_name(path: Path) -> str:
    """`app/routes/predict.py` -> `app.routes.predict`, following `__init__.py` packages up."""
    parts = [] if path.name == "__init__.py" else [path.stem]
    directory = path.parent
    while (directory / "__init__.py").is_file():
        parts.insert(0, directory.name)
        directory = directory.parent
    return ".".join(parts)


@dataclass(frozen=True)
class ImportSite:
    path: Path
    line: int


@dataclass
class Project:
    settings: Settings
    _files: list[Path] | None = field(default=None, repr=False)
    # Per file, read once: its text, and its `from X import names` statements.
    _texts: dict[Path, str] = field(default_factory=dict, repr=False)
    _from_imports: dict[Path, list[tuple[str, int, str]]] = field(default_factory=dict, repr=False)

    def _text(self, path: Path) -> str:
        if path not in self._texts:
            try:
                self._texts[path] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                self._texts[path] = ""
        return self._texts[path]

    def _imports_of(self, path: Path) -> list[tuple[str, int, str]]:
        """(absolute module, line, name) for each `from module import name` in a file."""
        if path not in self._from_imports:
            importer = (module_name(path), path.name == "__init__.py")
            self._from_imports[path] = _from_imports(self._text(path), importer)
        return self._from_imports[path]

    def python_files(self) -> list[Path]:
        if self._files is None:
            from startlint.discovery import PYTHON, discover

            root = self.settings.root.resolve()
            self._files = [s.path for s in discover([root], self.settings) if s.kind == PYTHON]
        return self._files

    def importers(self, path: Path, names: frozenset[str]) -> dict[str, list[ImportSite]]:
        """Other modules' `from <module of path> import NAME` statements, by NAME."""
        path = path.resolve()
        target = module_name(path)
        out: dict[str, list[ImportSite]] = {}
        if not target:
            return out
        last = target.rsplit(".", 1)[-1]
        for other in self.python_files():
            if other == path:
                continue
            text = self._text(other)
            if last not in text or not any(n in text for n in names):
                continue  # cheap: most files cannot import it
            for module, line, name in self._imports_of(other):
                if module == target and name in names:
                    out.setdefault(name, []).append(ImportSite(other, line))
        return out


def _from_imports(text: str, importer: tuple[str, bool]) -> list[tuple[str, int, str]]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    return [
        (absolute(node.module, node.level, *importer), node.lineno, alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    ]


def absolute(module: str | None, level: int, importer: str, is_package: bool = False) -> str:
    """The absolute name of `from <level dots><module> import ...` written in `importer`."""
    if level == 0:
        return module or ""
    parts = importer.split(".") if importer else []
    if not is_package:
        parts = parts[:-1]
    if level > 1:
        parts = parts[: max(0, len(parts) - (level - 1))]
    return ".".join([*parts, *([module] if module else [])])
