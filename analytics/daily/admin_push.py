"""Pushing a day's audit notes to the admin tool: signed, retried, recorded, never pushed twice.

One row per cashout in `admin_pushes`: a cashout whose note was accepted is never pushed again;
a failed one is tried again by the next run for that day. Each POST carries an
`Idempotency-Key` (the cashout id), so a receiver can also drop a repeat if our record of an
accepted push was lost (a crash between its answer and our write).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

from analytics.cashout import note
from analytics.daily.settings import AdminPush
from analytics.identity import Actor
from analytics.jsonutil import dumps
from analytics.notify import NotifyError, post_json
from analytics.sql import DuckDBRunner
from analytics.store import Store

NO_RETRY = range(400, 500)  # the endpoint refused the note itself: trying again changes nothing
RETRY_ANYWAY = (408, 425, 429)


def body_of(audit: dict, day: dt.date) -> dict[str, Any]:
    """The JSON pushed for one audit: who, what, the verdict and the note liveops paste."""
    return {
        "day": day.isoformat(), "audit_id": audit["audit_id"], "cashout_id": audit["cashout_id"],
        "user_id": audit["user_id"], "username": audit["username"], "cashout_time": audit["cashout_time"],
        "amount": audit["amount"], "unit": audit.get("unit", "currency"), "verdict": audit["verdict"],
        "reasons": [r["code"] for r in audit["reasons"]], "note": note.note(audit),
    }


def push_one(url: str, body: dict, cfg: AdminPush, sleep: Callable[[float], None] = time.sleep
             ) -> tuple[bool, int | None, int, str | None]:
    """POST one note with retries: (accepted, last HTTP status, tries, last error)."""
    status: int | None = None
    error: str | None = None
    tries = 0
    for tries in range(1, cfg.retries + 2):
        try:
            status = post_json(url, body, cfg.timeout_seconds,
                               headers={"Idempotency-Key": body["cashout_id"]})
            return True, status, tries, None
        except NotifyError as exc:
            status, error = exc.status, str(exc)
            if status in NO_RETRY and status not in RETRY_ANYWAY:
                break
            if tries <= cfg.retries:
                sleep(cfg.backoff_seconds * 2 ** (tries - 1))
    return False, status, tries, error


def _record(store: Store, row: dict) -> None:
    with store.connect() as con:
        con.execute(
            "INSERT INTO admin_pushes VALUES ($cashout_id, $audit_id, $day, $endpoint, $status, "
            "$http_status, $attempts, $error, $body_sha256, $pushed_at, $run_id, $pushed_by) "
            "ON CONFLICT (cashout_id) DO UPDATE SET audit_id = excluded.audit_id, "
            "endpoint = excluded.endpoint, status = excluded.status, http_status = excluded.http_status, "
            "attempts = admin_pushes.attempts + excluded.attempts, error = excluded.error, "
            "body_sha256 = excluded.body_sha256, pushed_at = excluded.pushed_at, run_id = excluded.run_id, "
            "pushed_by = excluded.pushed_by",
            row,
        )


def push_day(store: Store, day: dt.date, run_id: str, actor: Actor, cfg: AdminPush,
             sleep: Callable[[float], None] = time.sleep) -> dict[str, Any]:
    """Push the note of every cashout the day's pull audited that was not pushed yet."""
    frame = DuckDBRunner(store).run("daily/day_cashouts", {"day": day})
    out: dict[str, Any] = {"endpoint": cfg.endpoint, "pushed": [], "already_pushed": [], "failed": []}
    if not cfg.endpoint:
        out["not_pushed"] = "no admin_push.endpoint in config/daily.yaml"
        return out
    for row in frame.itertuples(index=False):
        if row.push_status == "pushed":
            out["already_pushed"].append(row.cashout_id)
            continue
        body = body_of(json.loads(row.result), day)
        ok, status, tries, error = push_one(cfg.endpoint, body, cfg, sleep)
        _record(store, {
            "cashout_id": row.cashout_id, "audit_id": row.audit_id, "day": day, "endpoint": cfg.endpoint,
            "status": "pushed" if ok else "failed", "http_status": status, "attempts": tries, "error": error,
            "body_sha256": hashlib.sha256(dumps(body).encode("utf-8")).hexdigest(),
            "pushed_at": dt.datetime.now(dt.UTC).replace(tzinfo=None) if ok else None,
            "run_id": run_id, "pushed_by": actor.name,
        })
        if ok:
            out["pushed"].append(row.cashout_id)
        else:
            out["failed"].append({"cashout_id": row.cashout_id, "attempts": tries, "error": error})
    return out
