"""Write fixed files safely: all of a run's or none, each atomically, with its encoding,
BOM and mode bits kept, and never over a file that changed on disk since it was read."""

from __future__ import annotations

import io
import os
import tempfile
import tokenize
from pathlib import Path


class ChangedOnDisk(Exception):
    """The file changed between reading and writing; it was left alone."""


def encode_like(original: bytes, text: str) -> bytes:
    """Encode `text` as `original` was (PEP 263 cookie or BOM, UTF-8 otherwise)."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(original).readline)
    return text.encode(encoding)


class WriteFailed(Exception):
    """A fixed file could not be written; every file of the run was left as it was."""


def write_all(changes: dict[Path, tuple[bytes, str]]) -> int:
    """Write every fixed file, or none: a fix that rewrites several files (a client and
    its importers) must never be left half-applied. Each file gets its temporary copy
    first; only when all exist are they swapped in, and a failed swap puts back the
    files already swapped. A file that changed on disk since it was read is left alone
    (ChangedOnDisk), as are the others. Returns how many files were written."""
    staged: list[tuple[Path, bytes, str]] = []  # path, original, temporary copy
    try:
        for path, (original, text) in sorted(changes.items()):
            data = encode_like(original, text)
            if data == original:
                continue
            if path.read_bytes() != original:
                raise ChangedOnDisk(f"{path}: changed on disk while it was being fixed; no file was written")
            staged.append((path, original, _stage(path, data)))
    except OSError as exc:
        _discard(staged)
        raise WriteFailed(f"{exc.filename or ''}: {exc.strerror or exc}; no file was written") from None
    except BaseException:
        _discard(staged)
        raise
    swapped: list[tuple[Path, bytes]] = []
    try:
        for path, original, tmp in staged:
            if path.read_bytes() != original:
                raise ChangedOnDisk(f"{path}: changed on disk while it was being fixed; no file was written")
            os.replace(tmp, path)
            swapped.append((path, original))
    except (OSError, ChangedOnDisk) as exc:
        _restore(swapped)
        _discard(staged)
        if isinstance(exc, ChangedOnDisk):
            raise
        raise WriteFailed(f"{exc.filename or ''}: {exc.strerror or exc}; no file was written") from None
    return len(swapped)


def _stage(path: Path, data: bytes) -> str:
    """A temporary copy of `data` beside `path`, with its mode bits: ready to replace it."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".startlint", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, path.stat().st_mode & 0o7777)
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def _discard(staged: list[tuple[Path, bytes, str]]) -> None:
    for _, _, tmp in staged:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _restore(swapped: list[tuple[Path, bytes]]) -> None:
    """Put back the originals of files already replaced (each atomically, its mode kept)."""
    for path, original in swapped:
        os.replace(_stage(path, original), path)
