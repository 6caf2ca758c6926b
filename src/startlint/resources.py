"""Where the shipped `rules/` data lives: inside the wheel, or at the top of a checkout."""

from __future__ import annotations

import os

TYPE_CHECKING = False  # not typing's: a replayed run loads neither typing nor pathlib
if TYPE_CHECKING:
    from pathlib import Path


def rules_dir() -> Path:
    from pathlib import Path

    return Path(rules_dir_name())


def rules_dir_name() -> str:
    """rules_dir() as a string, with os.path only (the run cache's replay uses it)."""
    here = os.path.dirname(os.path.realpath(__file__))
    packaged = os.path.join(here, "_rules")  # wheel: force-included by pyproject.toml
    if os.path.isdir(packaged):
        return packaged
    checkout = os.path.join(os.path.dirname(os.path.dirname(here)), "rules")  # editable install or source tree
    if os.path.isdir(checkout):
        return checkout
    raise FileNotFoundError(f"startlint's rule data is missing: looked in {packaged} and {checkout}")
