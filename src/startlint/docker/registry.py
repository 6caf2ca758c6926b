"""Every implemented Dockerfile and entry-script rule, listed explicitly.

Each rule module exports CODE. Rule modules must not import the Dockerfile parser
at module import: `startlint check app.py` loads this list to validate codes.
"""

from __future__ import annotations

from types import ModuleType

DOCKER_RULES: tuple[ModuleType, ...] = ()
