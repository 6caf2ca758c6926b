"""Runtime settings: environment variables, plus the shared triage config kept by the support team."""

from __future__ import annotations

import os
from typing import Any

import requests

GCP_PROJECT = os.environ.get("GOOGLE_CLOUD_PROJECT", "acme-support")
RESULTS_BUCKET = os.environ.get("TRIAGE_RESULTS_BUCKET", "acme-triage-results")
FEEDBACK_TOPIC = os.environ.get("TRIAGE_FEEDBACK_TOPIC", "triage-feedback")
MODEL_PATH = os.environ.get("TRIAGE_MODEL_PATH", "/models/triage-v4.joblib")
CONFIG_URL = os.environ.get("TRIAGE_CONFIG_URL", "https://config.acme.internal/triage/v4.json")
# How long to wait for the OpenTelemetry collector sidecar before serving (see app/main.py).
COLLECTOR_GRACE_SECONDS = float(os.environ.get("COLLECTOR_GRACE_SECONDS", "2"))

# Keywords the model was trained on and the request limits, maintained by the support team.
# SL102: an HTTP round trip on every cold start, before the first request can be served.
REMOTE_CONFIG: dict[str, Any] = requests.get(CONFIG_URL, timeout=5).json()
