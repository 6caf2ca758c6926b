"""Where the cache lives (standard library only: a warm run finds it before loading anything)."""

from __future__ import annotations

import os

TYPE_CHECKING = False  # not typing's: a replayed run loads neither typing nor pathlib
if TYPE_CHECKING:
    from pathlib import Path

ENV = "STARTLINT_CACHE_DIR"
DEFAULT_NAME = ".startlint_cache"
GITIGNORE = "# Created by startlint: the cache is local, never committed.\n*\n"


def cache_dir(root: Path, setting: str | None) -> Path:
    from pathlib import Path

    if os.environ.get(ENV):
        return Path(os.environ[ENV]).expanduser()
    if setting:
        return (root / setting).resolve()
    return root / DEFAULT_NAME


def default_cache_dir(root: str) -> str | None:
    """cache_dir(root, None) as a string, where plain os.path gives the same path
    (None: `STARTLINT_CACHE_DIR` is set; the replay leaves that to the full run)."""
    if os.environ.get(ENV):
        return None
    return os.path.join(root, DEFAULT_NAME)


def write_atomic(target: Path, data: bytes) -> None:
    """Write a cache entry whole or not at all: concurrent runs never read half of one."""
    import tempfile  # only when writing: a replayed run does not pay for it

    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, target)


def ensure_gitignore(base: Path) -> None:
    """The cache directory ignores itself, whichever cache writes first."""
    ignore = base / ".gitignore"
    if not ignore.exists():
        base.mkdir(parents=True, exist_ok=True)
        ignore.write_text(GITIGNORE, encoding="utf-8")
