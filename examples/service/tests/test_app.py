"""The application as uvicorn loads it: routes, health, reports, and what it sets up once."""

from __future__ import annotations

import stubtrace

from app.main import app, healthz
from app.routes.reports import priorities_csv
from app.routes.tickets import Feedback, Ticket, feedback, triage


def test_routes() -> None:
    assert sorted((r.method, r.path) for r in app.routes) == [
        ("GET", "/healthz"),
        ("GET", "/v1/reports/priorities.csv"),
        ("POST", "/v1/tickets/triage"),
        ("POST", "/v1/tickets/{ticket_id}/feedback"),
    ]


def test_healthz() -> None:
    assert healthz() == {"status": "ok"}


def test_priorities_report() -> None:
    triage(Ticket(subject="Refund", body="please refund the invoice", id="T-2"))
    triage(Ticket(subject="API down", body="outage, every call is a 500", id="T-1"))

    response = priorities_csv()

    assert response.media_type == "text/csv"
    assert response.body.decode() == "id,priority,score\nT-1,urgent,0.9713\nT-2,normal,0.8238\n"


def test_expensive_setup_happens_once_per_process() -> None:
    for n in range(3):
        triage(Ticket(subject="Printer", body="error on page two", id=f"T-{n}"))
        feedback(f"T-{n}", Feedback(priority="low"))

    assert stubtrace.count("requests.get https://config.test/triage.json") == 1
    assert stubtrace.count("joblib.load /models/test-triage.joblib") == 1
    assert stubtrace.count("storage.Client()") == 1
    assert stubtrace.count("pubsub_v1.PublisherClient()") == 1
    assert len(stubtrace.CALLS) == 4
