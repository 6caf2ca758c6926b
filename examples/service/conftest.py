"""Run the example's tests against the stub packages in stubs/, with nothing else installed.

The stubs go first on sys.path; the "remote" triage config and the "model file" are
registered with them here, and the environment the service reads is pinned.
"""

from __future__ import annotations

import importlib.util
import math
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
STUBS = HERE / "stubs"
STUBBED = ("torch", "joblib", "requests", "fastapi", "pandas", "google.cloud.storage", "google.cloud.pubsub_v1")

early = sorted({name.split(".")[0] for name in STUBBED} & sys.modules.keys())
if early:
    raise RuntimeError(f"imported before the stubs were put on sys.path: {', '.join(early)}")
sys.path[:0] = [str(STUBS), str(HERE)]
for name in STUBBED:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None or not Path(spec.origin).is_relative_to(STUBS):
        raise RuntimeError(f"{name} does not resolve to its stub in {STUBS}")

import joblib  # noqa: E402  (the stubs, now first on sys.path)
import requests  # noqa: E402
from google.cloud import pubsub_v1, storage  # noqa: E402

CONFIG_URL = "https://config.test/triage.json"
MODEL_PATH = "/models/test-triage.joblib"
KEYWORDS = ["outage", "down", "500", "error", "refund", "invoice", "password", "how"]

os.environ.update(
    GOOGLE_CLOUD_PROJECT="acme-test",
    TRIAGE_RESULTS_BUCKET="triage-results-test",
    TRIAGE_FEEDBACK_TOPIC="triage-feedback-test",
    TRIAGE_MODEL_PATH=MODEL_PATH,
    TRIAGE_CONFIG_URL=CONFIG_URL,
    COLLECTOR_GRACE_SECONDS="0",
)


class KeywordSoftmax:
    """What the model file holds: a linear softmax over the keyword features."""

    classes_ = ["low", "normal", "urgent"]
    weights = [
        [0.0, 0.0, 0.0, 0.0, 0.5, 0.5, 2.0, 2.0],  # low: how-to questions, password resets
        [0.0, 0.0, 0.0, 1.0, 2.0, 2.0, 0.5, 0.5],  # normal: billing, single errors
        [3.0, 3.0, 2.0, 1.5, 0.0, 0.0, 0.0, 0.0],  # urgent: outages
    ]
    bias = [0.5, 0.3, 0.0]

    def predict_proba(self, rows: list[list[float]]) -> list[list[float]]:
        out = []
        for row in rows:
            scores = [b + sum(w * x for w, x in zip(ws, row)) for ws, b in zip(self.weights, self.bias)]
            exps = [math.exp(s - max(scores)) for s in scores]
            out.append([e / sum(exps) for e in exps])
        return out


requests.RESPONSES[CONFIG_URL] = {"keywords": KEYWORDS, "max_body_chars": 2000}
joblib.ARTIFACTS[MODEL_PATH] = KeywordSoftmax()


@pytest.fixture(autouse=True)
def empty_cloud() -> Iterator[None]:
    """Each test starts with an empty bucket and no published messages."""
    storage.BLOBS.clear()
    pubsub_v1.PUBLISHED.clear()
    yield
