"""The ticket endpoints, called as FastAPI would call them."""

from __future__ import annotations

import json

import pytest
from fastapi import HTTPException
from google.cloud import pubsub_v1, storage

from app.routes.tickets import Feedback, Ticket, Triage, feedback, triage

BUCKET = "triage-results-test"


@pytest.mark.parametrize(
    ("subject", "body", "priority", "score"),
    [
        ("Checkout down", "Every order returns a 500 error since 09:12, full outage", "urgent", 0.9676),
        ("Password reset", "How do I reset my password? The link in the email expired.", "low", 0.8689),
        ("Refund", "We were charged twice, please refund the second invoice", "normal", 0.8238),
        ("Hello", "Just saying thanks for the quick help yesterday", "low", 0.4123),
    ],
)
def test_triage_scores_and_stores_the_result(subject: str, body: str, priority: str, score: float) -> None:
    result = triage(Ticket(subject=subject, body=body, id="T-100"))

    uri = f"gs://{BUCKET}/results/T-100.json"
    assert result == Triage(id="T-100", priority=priority, score=score, result_uri=uri)
    stored = json.loads(storage.BLOBS[(BUCKET, "results/T-100.json")])
    assert stored == {"id": "T-100", "priority": priority, "score": score, "subject": subject}


def test_triage_names_a_ticket_without_id() -> None:
    result = triage(Ticket(subject="Site down", body="outage"))

    assert len(result.id) == 32
    assert result.result_uri == f"gs://{BUCKET}/results/{result.id}.json"
    assert list(storage.BLOBS) == [(BUCKET, f"results/{result.id}.json")]


@pytest.mark.parametrize(
    ("ticket", "status"),
    [
        (Ticket(subject="  ", body=""), 422),
        (Ticket(subject="Logs", body="error " * 400), 413),  # the config allows 2000 characters
    ],
)
def test_triage_rejects_bad_tickets(ticket: Ticket, status: int) -> None:
    with pytest.raises(HTTPException) as caught:
        triage(ticket)

    assert caught.value.status_code == status
    assert storage.BLOBS == {}


def test_feedback_is_published() -> None:
    answer = feedback("T-7", Feedback(priority="urgent"))

    assert answer == {"ticket_id": "T-7", "message_id": "1", "priority": "urgent"}
    assert pubsub_v1.PUBLISHED == [
        (
            "projects/acme-test/topics/triage-feedback-test",
            b'{"ticket_id": "T-7", "priority": "urgent"}',
            {"source": "agent"},
        )
    ]


def test_feedback_with_unknown_priority_is_rejected() -> None:
    with pytest.raises(HTTPException) as caught:
        feedback("T-7", Feedback(priority="critical"))

    assert caught.value.status_code == 422
    assert pubsub_v1.PUBLISHED == []
