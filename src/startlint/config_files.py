"""Where the configuration is: the nearest config file (standard library only, so that
a warm run can find it without loading the configuration machinery)."""

from __future__ import annotations

import os

TYPE_CHECKING = False  # not typing's: a replayed run loads neither typing nor pathlib
if TYPE_CHECKING:
    from pathlib import Path

CONFIG_NAMES = (".startlint.toml", "startlint.toml", "pyproject.toml")


def find_config(start: Path) -> Path | None:
    """The nearest configuration file at or above `start`."""
    from pathlib import Path

    found = find_config_file(str(start))
    return Path(found) if found is not None else None


def find_config_file(start: str) -> str | None:
    """find_config on plain strings (os.path): the run cache's replay uses it before
    pathlib loads, and the full run through find_config, so both find the same file."""
    directory = start if os.path.isdir(start) else os.path.dirname(start)
    while True:
        for name in CONFIG_NAMES:
            candidate = os.path.join(directory, name)
            if os.path.isfile(candidate):
                if name != "pyproject.toml" or _has_tool_table(candidate):
                    return candidate
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def startlint_table(path: Path) -> object:
    """The configuration a file holds, unchecked: the whole file, or a pyproject.toml's
    `[tool.startlint]` table. Raises ConfigError for a file TOML cannot read."""
    from startlint import toml  # tomllib: only when a configuration is read

    data = toml.load(path)
    return data.get("tool", {}).get("startlint", {}) if path.name == "pyproject.toml" else data


def _has_tool_table(pyproject: str) -> bool:
    """Whether a line opens the `[tool.startlint]` table (or a subtable of it)."""
    try:
        with open(pyproject, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return False
    for line in text.splitlines():
        rest = line.lstrip()
        for part in ("[", "tool", ".", "startlint"):
            if not rest.startswith(part):
                break
            rest = rest[len(part) :] if part == "startlint" else rest[len(part) :].lstrip()
        else:
            if not rest or not (rest[0].isalnum() or rest[0] == "_"):
                return True
    return False
