"""Every implemented Dockerfile and entry-script rule, listed explicitly.

Each rule module exports CODE and `check(ctx) -> Iterable[Violation]` (findings in the
Dockerfile); rules that also look at entry scripts export
`check_script(script, ctx) -> Iterable[Violation]` (findings in the script, or in the
Dockerfile for a script written inline with `COPY <<EOF`).

The list is data: code and module name. `startlint check app.py` reads the codes to
validate `select` / `ignore` without importing a single Dockerfile module; the modules
are imported only when a Dockerfile is checked.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

DOCKER_RULES: tuple[tuple[str, str], ...] = (
    ("SL201", "unpinned_base_image"),
    ("SL202", "fat_base_image"),
    ("SL203", "cache_busting_copy"),
    ("SL204", "package_cache_in_layer"),
    ("SL205", "cuda_wheels_in_cpu_image"),
    ("SL206", "build_tools_in_final_stage"),
    ("SL207", "shell_form_entrypoint"),
    ("SL208", "startup_work_in_entrypoint"),
    ("SL209", "bytecode_not_compiled"),
    ("SL210", "unignored_build_context"),
    ("SL301", "entrypoint_without_exec"),
)


def docker_codes() -> tuple[str, ...]:
    return tuple(code for code, _ in DOCKER_RULES)


def load_rules() -> tuple[ModuleType, ...]:
    """The rule modules, in catalog order (each checked to export the code it is listed under)."""
    modules = []
    for code, name in DOCKER_RULES:
        module = import_module(f"startlint.docker.rules.{name}")
        if getattr(module, "CODE", None) != code:
            raise ImportError(f"startlint.docker.rules.{name} does not define CODE = {code!r}")
        modules.append(module)
    return tuple(modules)
