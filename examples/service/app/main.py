"""HTTP entrypoint, started with `uvicorn app.main:app --host 0.0.0.0 --port $PORT`."""

from __future__ import annotations

import logging
import os
import time

from fastapi import FastAPI

from app import settings
from app.routes import reports, tickets

logger = logging.getLogger("triage")

# Give the OpenTelemetry collector sidecar time to start before the first span is exported.
# SL105: a fixed sleep on every cold start (Cloud Run's container dependencies order start-up).
time.sleep(settings.COLLECTOR_GRACE_SECONDS)

app = FastAPI(title="ticket-triage", version=os.environ.get("K_REVISION", "dev"))
app.include_router(tickets.router, prefix="/v1")
app.include_router(reports.router, prefix="/v1")
logger.info("ticket-triage %s ready", app.version)


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


if __name__ == "__main__":  # fine: only when run as a script, never on import
    import uvicorn

    uvicorn.run(app, host="0.0.0.0", port=int(os.environ.get("PORT", "8080")))
