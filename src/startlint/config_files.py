"""Where the configuration is: the nearest config file (standard library only, so that
a warm run can find it without loading the configuration machinery)."""

from __future__ import annotations

import re
from pathlib import Path

CONFIG_NAMES = (".startlint.toml", "startlint.toml", "pyproject.toml")


def find_config(start: Path) -> Path | None:
    """The nearest configuration file at or above `start`."""
    directory = start if start.is_dir() else start.parent
    for d in (directory, *directory.parents):
        for name in CONFIG_NAMES:
            candidate = d / name
            if candidate.is_file():
                if name != "pyproject.toml" or _has_tool_table(candidate):
                    return candidate
    return None


def startlint_table(path: Path) -> object:
    """The configuration a file holds, unchecked: the whole file, or a pyproject.toml's
    `[tool.startlint]` table. Raises ConfigError for a file TOML cannot read."""
    from startlint import toml  # tomllib: only when a configuration is read

    data = toml.load(path)
    return data.get("tool", {}).get("startlint", {}) if path.name == "pyproject.toml" else data


def _has_tool_table(pyproject: Path) -> bool:
    try:
        text = pyproject.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return re.search(r"^\s*\[\s*tool\s*\.\s*startlint\b", text, re.MULTILINE) is not None
