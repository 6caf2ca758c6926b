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
from startlint.python.import_time import dotted_name


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
    kind: str = "import"  # IMPORT, READ (`module.NAME`), WRITTEN or BY_STRING

    @property
    def written(self) -> bool:
        """`module.NAME = ...` or `del module.NAME`: no accessor can replace it."""
        return self.kind == WRITTEN

    @property
    def rewritable(self) -> bool:
        """Whether a fix can rewrite this use (a name inside a string it cannot)."""
        return self.kind in (IMPORT, READ)


IMPORT, READ, WRITTEN, BY_STRING = "import", "read", "written", "string"


@dataclass
class Project:
    settings: Settings
    _files: list[Path] | None = field(default=None, repr=False)
    # Per file, read once: its text, and its `from X import names` statements.
    _texts: dict[Path, str] = field(default_factory=dict, repr=False)
    _from_imports: dict[Path, list[tuple[str, int, str, str]]] = field(default_factory=dict, repr=False)

    def _text(self, path: Path) -> str:
        if path not in self._texts:
            try:
                self._texts[path] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                self._texts[path] = ""
        return self._texts[path]

    def _imports_of(self, path: Path) -> list[tuple[str, int, str, str]]:
        """(absolute module, line, name, kind) for each use of another module's name in a file."""
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
            for module, line, name, kind in self._imports_of(other):
                if module == target and name in names:
                    out.setdefault(name, []).append(ImportSite(other, line, kind))
        return out


def all_names(text: str) -> frozenset[str]:
    """The names a module's literal `__all__` lists (assigned or extended at module level)."""
    tree = _parse(text)
    if tree is None:
        return frozenset()
    names: set[str] = set()
    for node in tree.body:
        value: ast.expr | None = None
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            value = node.value
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)) and isinstance(node.target, ast.Name) and node.target.id == "__all__":
            value = node.value
        if isinstance(value, (ast.List, ast.Tuple)):
            names |= {e.value for e in value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
    return frozenset(names)


def owners(text: str, importer_path: Path, target: str) -> frozenset[str]:
    """The expressions that name module `target` in a module's text (`clients`, `app.clients`)."""
    tree = _parse(text)
    if tree is None:
        return frozenset()
    importer = (module_name(importer_path), importer_path.name == "__init__.py")
    return frozenset(expr for expr, module in module_aliases(tree, importer).items() if module == target)


def _from_imports(text: str, importer: tuple[str, bool]) -> list[tuple[str, int, str, str]]:
    """Where a module uses names of other modules: (module, line, NAME, kind).

    IMPORT: `from M import NAME`. READ / WRITTEN: `a.NAME` through a module alias
    (bound by `import pkg.mod [as a]` or `from pkg import mod [as a]`), read, or
    assigned or deleted. BY_STRING: the name in a string, as tests patch it:
    `mock.patch("pkg.mod.NAME")`, `monkeypatch.setattr(mod, "NAME", ...)`.
    """
    tree = _parse(text)
    if tree is None:
        return []
    out = [
        (absolute(node.module, node.level, *importer), node.lineno, alias.name, IMPORT)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    ]
    aliases = module_aliases(tree, importer)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and aliases:
            owner = dotted_name(node.value)
            if owner in aliases:
                kind = READ if isinstance(node.ctx, ast.Load) else WRITTEN
                out.append((aliases[owner], node.lineno, node.attr, kind))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "." in node.value:
            module, _, name = node.value.rpartition(".")
            if name.isidentifier() and all(part.isidentifier() for part in module.split(".")):
                out.append((module, node.lineno, name, BY_STRING))
        elif isinstance(node, ast.Call) and len(node.args) >= 2 and aliases:
            # setattr(mod, "NAME", x), monkeypatch.setattr(mod, "NAME", x), mock.patch.object(mod, "NAME")
            owner = dotted_name(node.args[0])
            name_arg = node.args[1]
            if owner in aliases and isinstance(name_arg, ast.Constant) and isinstance(name_arg.value, str):
                out.append((aliases[owner], node.lineno, name_arg.value, BY_STRING))
    return out


def module_aliases(tree: ast.AST, importer: tuple[str, bool]) -> dict[str, str]:
    """Each expression an import binds to a module (`c` or `app.clients`) -> that module."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = absolute(node.module, node.level, *importer)
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                aliases[alias.asname or alias.name] = alias.name
    return aliases


def _parse(text: str) -> ast.Module | None:
    """The module's tree, or None when the running Python cannot parse it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for invalid escapes etc.
            return ast.parse(text)
    except (SyntaxError, ValueError):
        return None


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
