"""TOML reading: tomllib on Python 3.11+, tomli before."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from startlint.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


def load(path: Path) -> dict[str, Any]:
    """Parse a TOML file; a syntax error becomes a ConfigError naming file and line."""
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        if "end of document" in message:  # name the line: the last one
            lines = path.read_bytes().count(b"\n") + 1
            message = message.replace("end of document", f"line {lines}, the end of the file")
        raise ConfigError(f"{path}: invalid TOML: {message}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
