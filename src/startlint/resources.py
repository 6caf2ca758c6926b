"""Where the shipped `rules/` data lives: inside the wheel, or at the top of a checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def rules_dir() -> Path:
    here = Path(__file__).resolve().parent
    packaged = here / "_rules"  # wheel: force-included by pyproject.toml
    if packaged.is_dir():
        return packaged
    checkout = here.parent.parent / "rules"  # editable install or source tree
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"startlint's rule data is missing: looked in {packaged} and {checkout}")
