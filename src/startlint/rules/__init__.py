"""The rule registry: every implemented rule, listed explicitly (no import side effects)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import ModuleType

from startlint.findings import Violation
from startlint.python.model import Module
from startlint.rules.context import PythonContext
from startlint.rules.python import (
    blocking_call,
    eager_client,
    heavy_import,
    model_load,
    network_call,
)

PythonCheck = Callable[[Module, PythonContext], Iterable[Violation]]

PYTHON_RULES: tuple[ModuleType, ...] = (
    heavy_import,
    network_call,
    eager_client,
    model_load,
    blocking_call,
)

# Codes the engine reports itself rather than through a rule module.
ENGINE_CODES = ("SL001",)


def python_checks() -> dict[str, PythonCheck]:
    return {rule.CODE: rule.check for rule in PYTHON_RULES}


def implemented_codes() -> tuple[str, ...]:
    from startlint.docker.registry import docker_codes

    return tuple(sorted((*ENGINE_CODES, *(r.CODE for r in PYTHON_RULES), *docker_codes())))
