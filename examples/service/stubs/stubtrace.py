"""What the stub packages saw: which of them were imported, and the calls that matter.

The stubs stand in for the real third-party packages so the example's tests run with
nothing installed. They never touch the network or the disk: "remote" data comes from
the dictionaries the tests fill in (`requests.RESPONSES`, `joblib.ARTIFACTS`) and
"uploads" stay in memory (`google.cloud.storage.BLOBS`, `google.cloud.pubsub_v1.PUBLISHED`).
"""

from __future__ import annotations

IMPORTED: list[str] = []  # stub modules, in import order
CALLS: list[str] = []  # expensive operations, e.g. "requests.get https://...", "storage.Client()"


def imported(name: str) -> None:
    IMPORTED.append(name)


def called(what: str) -> None:
    CALLS.append(what)


def count(prefix: str) -> int:
    """How many recorded calls start with `prefix`."""
    return sum(1 for c in CALLS if c.startswith(prefix))
