"""The `startlint` console script and `python -m startlint`: a replay first, else the CLI."""

from __future__ import annotations

import sys


def main() -> int:
    from startlint.replay import Attempt, replay

    try:
        attempt = replay(sys.argv[1:])
    except Exception:  # the full CLI reports whatever went wrong, cleanly
        attempt = Attempt()
    if attempt.code is not None:
        return attempt.code
    from startlint.cli import main as cli_main

    return cli_main(None, attempt)
