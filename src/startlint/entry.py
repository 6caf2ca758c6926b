"""The `startlint` console script and `python -m startlint`: a replay first, else the CLI."""

from __future__ import annotations

import sys


def main() -> int:
    try:
        return _run()
    except BrokenPipeError:
        # The reader went away (`startlint rules | head -1`): stop quietly, with stdout
        # pointed at /dev/null so the interpreter's last flush cannot fail again.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1  # what Python's own docs advise for EPIPE


def _run() -> int:
    from startlint.replay import Attempt, replay

    try:
        attempt = replay(sys.argv[1:])
    except BrokenPipeError:
        raise
    except Exception:  # the full CLI reports whatever went wrong, cleanly
        attempt = Attempt()
    if attempt.code is not None:
        return attempt.code
    from startlint.cli import main as cli_main

    return cli_main(None, attempt)
