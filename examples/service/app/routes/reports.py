"""Reports for the support leads."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Response

from app.clients import load_results

if TYPE_CHECKING:
    import pandas as pd  # fine: only read by type checkers, never at run time

router = APIRouter(prefix="/reports", tags=["reports"])


@router.get("/priorities.csv")
def priorities_csv() -> Response:
    import pandas as pd  # fine: only this endpoint pays for pandas, on its first call

    frame = pd.DataFrame(load_results(), columns=["id", "priority", "score"])
    return Response(content=_to_csv(frame), media_type="text/csv")


def _to_csv(frame: pd.DataFrame) -> str:
    return frame.sort_values("id").to_csv(index=False)
