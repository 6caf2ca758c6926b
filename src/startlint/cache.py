"""The result cache: each Python file's import-time model, stored by content hash.

Entries live in `.startlint_cache/` at the project root (or `cache-dir`, or
`STARTLINT_CACHE_DIR`), under a directory named for the startlint version, the
model format and the Python version, so a new release or another interpreter
never reads an old entry. An entry's key is the file's bytes and the heavy
catalog (models record deferred uses only of what heavy imports bind; the engine
adds the catalog to the key): rules, settings and the other catalogs are applied
to the model on every run (they take microseconds, and some results depend on
other files), so only a heavy-catalog change rebuilds models, and a renamed file
hits its old entry. Writes are atomic; an unreadable or foreign entry is ignored and
rebuilt.
"""

from __future__ import annotations

import hashlib
import marshal
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from startlint import __version__
from startlint.python import model_codec
from startlint.python.model import Module
from startlint.python.source import ParseFailure

from startlint.cache_location import DEFAULT_NAME as DEFAULT_NAME, ENV as ENV, cache_dir as cache_dir
from startlint.cache_location import GITIGNORE as _GITIGNORE
from startlint.cache_location import ensure_gitignore, write_atomic


@dataclass(frozen=True)
class ModelCache:
    base: Path  # the cache directory itself

    @property
    def directory(self) -> Path:
        python = f"py{sys.version_info[0]}{sys.version_info[1]}"
        return self.base / f"{__version__}-m{model_codec.FORMAT}-{python}"

    @staticmethod
    def key(data: bytes) -> str:
        return hashlib.blake2b(data, digest_size=20).hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / key

    def contains(self, key: str) -> bool:
        return self._path(key).is_file()

    def get(self, key: str) -> Module | ParseFailure | None:
        try:
            raw = self._path(key).read_bytes()
            payload = marshal.loads(raw)
            if payload[0] == "fail":
                return ParseFailure(int(payload[1]), int(payload[2]), str(payload[3]))
            return model_codec.decode(payload)
        except (OSError, EOFError, ValueError, TypeError, IndexError):
            return None  # absent, corrupt or foreign: rebuilt by the caller

    def put(self, key: str, value: Module | ParseFailure) -> None:
        if isinstance(value, ParseFailure):
            payload: tuple[object, ...] = ("fail", value.line, value.col, value.message)
        else:
            payload = model_codec.encode(value)
        target = self._path(key)
        try:
            self._prepare(target.parent)
            write_atomic(target, marshal.dumps(payload))  # type: ignore[arg-type]  # plain tuples of str/int/None
        except OSError:
            return  # a read-only or full disk only costs speed

    def _prepare(self, directory: Path) -> None:
        if directory.is_dir():
            return
        directory.mkdir(parents=True, exist_ok=True)
        ensure_gitignore(self.base)


def clean(base: Path) -> bool:
    """Remove a cache directory; refuses anything that does not look like one."""
    if not base.is_dir():
        return False
    ignore = base / ".gitignore"
    if not (ignore.is_file() and ignore.read_text(encoding="utf-8", errors="replace") == _GITIGNORE):
        raise OSError(f"{base} does not look like a startlint cache; not removed")
    shutil.rmtree(base)
    return True
