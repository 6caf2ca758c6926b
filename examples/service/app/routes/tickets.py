"""Ticket endpoints: triage a new ticket, take an agent's correction."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass

from fastapi import APIRouter, HTTPException

from app import settings
from app.clients import publish_feedback, save_result
from app.features import featurize
from app.model import labels, predict_priority

router = APIRouter(prefix="/tickets", tags=["tickets"])


@dataclass
class Ticket:
    subject: str
    body: str
    id: str | None = None


@dataclass
class Triage:
    id: str
    priority: str
    score: float
    result_uri: str


@dataclass
class Feedback:
    priority: str


@router.post("/triage")
def triage(ticket: Ticket) -> Triage:
    text = f"{ticket.subject}\n{ticket.body}".strip()
    if not text:
        raise HTTPException(status_code=422, detail="the ticket has no text")
    limit = int(settings.REMOTE_CONFIG.get("max_body_chars", 5000))
    if len(ticket.body) > limit:
        raise HTTPException(status_code=413, detail=f"the body is longer than {limit} characters")
    priority, probability = predict_priority(featurize(text))
    ticket_id = ticket.id or uuid.uuid4().hex
    score = round(probability, 4)
    record = {"id": ticket_id, "priority": priority, "score": score, "subject": ticket.subject}
    return Triage(id=ticket_id, priority=priority, score=score, result_uri=save_result(ticket_id, record))


@router.post("/{ticket_id}/feedback")
def feedback(ticket_id: str, body: Feedback) -> dict[str, str]:
    if body.priority not in labels():
        raise HTTPException(status_code=422, detail=f"unknown priority {body.priority!r}")
    message_id = publish_feedback(ticket_id, body.priority)
    return {"ticket_id": ticket_id, "message_id": message_id, **asdict(body)}
