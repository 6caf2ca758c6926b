from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from startlint.cache import ENV

# Tests import their helpers as a module next to them.
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(autouse=True, scope="session")
def _cache_outside_the_checked_trees(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Checks of ../shared/scenarios and the repository must not leave caches there.

    Tests of the cache's own location clear the variable themselves.
    """
    previous = os.environ.get(ENV)
    os.environ[ENV] = str(tmp_path_factory.mktemp("startlint-cache"))
    yield
    if previous is None:
        os.environ.pop(ENV, None)
    else:
        os.environ[ENV] = previous


# Fixture trees hold tests of their own (the apps in fixtures/apps/, run by test_fix_behaviour.py on copies; fix cases): never collected here.
collect_ignore_glob = ["fixtures/*"]
