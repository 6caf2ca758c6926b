"""Which files to check: walk the given paths, honour `.gitignore` and `exclude`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING

from startlint.config import Settings

if TYPE_CHECKING:
    import pathspec

PYTHON = "python"
DOCKERFILE = "dockerfile"
# A shell script named on the command line (pre-commit passes changed ones): checked as the
# entry script of the Dockerfile that runs it. Walks do not collect scripts: a Dockerfile
# brings in the scripts it runs.
SCRIPT = "script"
_SHELLS = (b"sh", b"bash", b"dash", b"ash", b"ksh", b"zsh", b"busybox")


@dataclass(frozen=True, order=True)
class SourceFile:
    path: Path  # absolute
    kind: str


def kind_of(name: str) -> str | None:
    """The kind of file a name denotes, or None when startlint has nothing to check in it."""
    if name.endswith(".py"):
        return PYTHON
    if (
        name in ("Dockerfile", "Containerfile")
        or name.startswith(("Dockerfile.", "Containerfile."))
        or name.endswith((".Dockerfile", ".dockerfile"))
    ):
        return DOCKERFILE
    return None


def is_shell_script(path: Path) -> bool:
    """A `.sh` / `.bash` file, or one whose `#!` line names a POSIX shell or bash."""
    if path.suffix in (".sh", ".bash"):
        return True
    try:
        with path.open("rb") as f:
            first = f.readline(200)
    except OSError:
        return False
    if not first.startswith(b"#!"):
        return False
    words = first[2:].replace(b"/", b" ").split()
    return any(w in _SHELLS for w in words)


def discover(paths: list[Path], settings: Settings) -> Iterator[SourceFile]:
    """Files to check, each once, in a deterministic order.

    A file named explicitly is always checked (pre-commit passes file names);
    directories are walked with `exclude`, `extend-exclude` and `.gitignore` applied.
    """
    seen: set[Path] = set()
    excluded = _Excluder(settings)
    for given in paths:
        path = given.resolve()
        if path.is_file():
            kind = kind_of(path.name) or (SCRIPT if is_shell_script(path) else None)
            if kind is not None and path not in seen:
                seen.add(path)
                yield SourceFile(path, kind)
        elif path.is_dir():
            for found in _walk(path, excluded, settings.respect_gitignore):
                if found.path not in seen:
                    seen.add(found.path)
                    yield found


class _Excluder:
    def __init__(self, settings: Settings) -> None:
        self.root = settings.root.resolve()
        self.patterns = (*settings.exclude, *settings.extend_exclude)

    def __call__(self, path: Path) -> bool:
        name = path.name
        try:
            rel = path.relative_to(self.root).as_posix()
        except ValueError:
            rel = None
        for pattern in self.patterns:
            if fnmatchcase(name, pattern):
                return True
            if rel is not None and (
                fnmatchcase(rel, pattern) or fnmatchcase(rel, pattern.rstrip("/") + "/*")
            ):
                return True
        return False


def _walk(top: Path, excluded: _Excluder, gitignore: bool) -> Iterator[SourceFile]:
    # (directory, gitignore specs in force there: each with the directory it is relative to)
    ignores: list[tuple[Path, pathspec.GitIgnoreSpec]] = _parent_ignores(top) if gitignore else []
    stack: list[tuple[Path, list[tuple[Path, pathspec.GitIgnoreSpec]]]] = [(top, ignores)]
    found: list[SourceFile] = []
    while stack:
        directory, specs = stack.pop()
        if gitignore:
            own = _load_gitignore(directory)
            if own is not None:
                specs = [*specs, (directory, own)]
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            path = Path(entry.path)
            is_dir = entry.is_dir(follow_symlinks=False)
            if excluded(path) or _ignored(path, is_dir, specs):
                continue
            if is_dir:
                stack.append((path, specs))
            elif entry.is_file():
                kind = kind_of(entry.name)
                if kind is not None:
                    found.append(SourceFile(path, kind))
    yield from sorted(found)


def _ignored(path: Path, is_dir: bool, specs: list[tuple[Path, pathspec.GitIgnoreSpec]]) -> bool:
    ignored = False
    for base, spec in specs:
        rel = path.relative_to(base).as_posix() + ("/" if is_dir else "")
        result = spec.check_file(rel)
        if result.include is not None:
            ignored = result.include
    return ignored


def _load_gitignore(directory: Path) -> pathspec.GitIgnoreSpec | None:
    lines: list[str] = []
    for name in (".gitignore", ".git/info/exclude"):
        try:
            lines += (directory / name).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
    if not lines:
        return None
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(lines)


def _parent_ignores(top: Path) -> list[tuple[Path, pathspec.GitIgnoreSpec]]:
    """`.gitignore` files above `top`, up to the repository root, outermost first."""
    out: list[tuple[Path, pathspec.GitIgnoreSpec]] = []
    for parent in top.parents:
        spec = _load_gitignore(parent)
        if spec is not None:
            out.append((parent, spec))
        if (parent / ".git").exists():
            break
    else:
        return []  # not in a repository: ignore files above it do not apply
    return list(reversed(out))
