"""Google Cloud clients: results go to Cloud Storage, feedback to Pub/Sub."""

from __future__ import annotations

import functools
import json
from typing import Any

from google.cloud import pubsub_v1, storage

from app import settings

# SL103: the client resolves credentials and sets up its transport while the module is imported.
storage_client = storage.Client(project=settings.GCP_PROJECT)


def save_result(ticket_id: str, payload: dict[str, Any]) -> str:
    """Store the full triage result; returns its gs:// URI."""
    name = f"results/{ticket_id}.json"
    # bucket() and blob() only build local handles; the upload is the network call.
    blob = storage_client.bucket(settings.RESULTS_BUCKET).blob(name)
    blob.upload_from_string(json.dumps(payload, sort_keys=True), content_type="application/json")
    return f"gs://{settings.RESULTS_BUCKET}/{name}"


def load_results() -> list[dict[str, Any]]:
    """Every stored triage result."""
    blobs = storage_client.list_blobs(settings.RESULTS_BUCKET, prefix="results/")
    return [json.loads(blob.download_as_bytes()) for blob in blobs]


# Fine: the publisher is built on first use and kept, one per process.
@functools.cache
def get_publisher() -> pubsub_v1.PublisherClient:
    return pubsub_v1.PublisherClient()


def publish_feedback(ticket_id: str, priority: str) -> str:
    """Send an agent's correction to the retraining pipeline; returns the message id."""
    publisher = get_publisher()
    topic = publisher.topic_path(settings.GCP_PROJECT, settings.FEEDBACK_TOPIC)
    data = json.dumps({"ticket_id": ticket_id, "priority": priority}).encode()
    return publisher.publish(topic, data, source="agent").result(timeout=10)
