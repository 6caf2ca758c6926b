"""Stub of `joblib`: `load` returns the object the tests registered for that path."""

from __future__ import annotations

from typing import Any

import stubtrace

stubtrace.imported("joblib")

ARTIFACTS: dict[str, Any] = {}  # path -> the unpickled object


def load(filename: str) -> Any:
    stubtrace.called(f"joblib.load {filename}")
    try:
        return ARTIFACTS[str(filename)]
    except KeyError:
        raise FileNotFoundError(2, "No such file or directory", str(filename)) from None
