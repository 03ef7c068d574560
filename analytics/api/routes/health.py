"""GET /health: is the API up and does the database open."""

from __future__ import annotations

from fastapi import APIRouter

from analytics.api.deps import StoreDep
from analytics.api.errors import body
from analytics.api.models import Health
from analytics.api.responses import JSON

router = APIRouter(tags=["health"])
UNAVAILABLE = {"model": Health, "description": "the database does not open"}


@router.get("/health", summary="the API is up and the database opens",
            responses={200: {"model": Health}, 503: UNAVAILABLE})
def health(store: StoreDep) -> JSON:
    """`{"status": "ok", "database": "ok"}`, or 503 with the reason (no token needed)."""
    try:
        with store.connect() as con:
            con.execute("SELECT 1").fetchone()
    except Exception as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        return JSON({"status": "error", "database": reason, **body(f"database unavailable: {reason}")},
                    status_code=503)
    return JSON({"status": "ok", "database": "ok"})
