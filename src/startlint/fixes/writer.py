"""Write fixed files safely: atomically, with their encoding, BOM and mode bits kept,
and never over a file that changed on disk since it was read."""

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


def write_fixed(path: Path, original: bytes, text: str) -> bool:
    """Replace `path` with `text` if it still holds `original`. Returns whether it wrote."""
    data = encode_like(original, text)
    if data == original:
        return False
    if path.read_bytes() != original:
        raise ChangedOnDisk(f"{path}: changed on disk while it was being fixed; not written")
    mode = path.stat().st_mode
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".startlint", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, mode & 0o7777)
        if path.read_bytes() != original:
            raise ChangedOnDisk(f"{path}: changed on disk while it was being fixed; not written")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return True
