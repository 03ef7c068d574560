"""Reviewing audits: the queue, one audit in detail, the append-only decisions and a cashout's history."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pandas as pd

from analytics.cashout.engine import query_rows
from analytics.cashout.verdict import REASON_CODES, VERDICTS
from analytics.errors import InputError
from analytics.identity import Actor, mask, require
from analytics.sql import DuckDBRunner
from analytics.store import Store

DECISIONS = ("approve", "reject", "escalate")
MAX_COMMENT = 2000


def queue(
    store: Store, verdicts: list[str] | None = None, reasons: list[str] | None = None,
    since: dt.date | None = None, until: dt.date | None = None, player: str | None = None,
    limit: int = 1000,
) -> pd.DataFrame:
    """The latest audit of each cashout (newest cashout first) with its latest decision, filtered.

    `until` is inclusive (the whole day); empty lists and blank text mean no filter.
    """
    for v in verdicts or []:
        if v not in VERDICTS:
            raise InputError(f"verdict {v!r} is not one of {', '.join(VERDICTS)}")
    for r in reasons or []:
        if r not in REASON_CODES:
            raise InputError(f"reason {r!r} is not one of {', '.join(REASON_CODES)}")
    params = {
        "verdicts": list(verdicts) if verdicts else None,
        "reasons": list(reasons) if reasons else None,
        "since": dt.datetime.combine(since, dt.time()) if since else None,
        "until": dt.datetime.combine(until + dt.timedelta(days=1), dt.time()) if until else None,
        "player": player.strip() if player and player.strip() else None,
        "limit": int(limit),
    }
    return DuckDBRunner(store).run("cashout/queue", params)


def get_audit(store: Store, audit_id: str) -> dict:
    """One stored audit (its JSON); InputError when there is none with that id."""
    frame = DuckDBRunner(store).run("cashout/audit_by_id", {"audit_id": audit_id})
    if frame.empty:
        raise InputError(f"no audit with id {audit_id!r}")
    row = frame.iloc[0]
    audit = json.loads(row["result"])
    audit["_file_id"] = row["source_file"]
    return audit


def history(store: Store, cashout_id: str) -> pd.DataFrame:
    """Every audit and decision of one cashout, oldest first."""
    return DuckDBRunner(store).run("cashout/cashout_history", {"cashout_id": cashout_id})


def record_decision(store: Store, audit_id: str, decision: str, comment: str, actor: Actor) -> dict:
    """Append a decision (approve / reject / escalate) with a comment to an audit's cashout."""
    require(actor, "audit.decide")
    decision = (decision or "").strip().lower()
    if decision not in DECISIONS:
        raise InputError(f"decision {decision!r} is not one of {', '.join(DECISIONS)}")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise InputError(f"comment is {len(comment)} characters long; at most {MAX_COMMENT} are kept")
    row = {
        "decision_id": "de-" + uuid.uuid4().hex[:20], "audit_id": audit_id, "decision": decision,
        "comment": comment or None, "decided_by": actor.name,
        "decided_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
    }
    with store.connect() as con:
        found = query_rows(con, "cashout/audit_by_id", {"audit_id": audit_id})
        if not found:
            raise InputError(f"no audit with id {audit_id!r}")
        row["cashout_id"] = found[0]["cashout_id"]
        con.execute(
            "INSERT INTO cashout_decisions (decision_id, audit_id, cashout_id, decision, comment, "
            "decided_by, decided_at) VALUES ($decision_id, $audit_id, $cashout_id, $decision, $comment, "
            "$decided_by, $decided_at)", row,
        )
    return row


def window_events(store: Store, audit: dict) -> pd.DataFrame:
    """The audited window's events of the player, in time order, with the running balance."""
    params = {
        "source_file": audit["_file_id"], "user_id": audit["user_id"], "unit": audit["unit"],
        "start": _naive(audit["window_start"]), "end": _naive(audit["cashout_time"]),
    }
    return DuckDBRunner(store).run("cashout/window_events", params)


def device_accounts(store: Store, devices: list[str]) -> pd.DataFrame:
    """(device_id, user_id) pairs of every account seen on the given devices."""
    if not devices:
        return pd.DataFrame(columns=["device_id", "user_id"])
    return DuckDBRunner(store).run("cashout/device_accounts", {"devices": list(devices)})


def _naive(text: str) -> dt.datetime:
    """An ISO 8601 UTC text as a naive UTC datetime."""
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def summary(frame: pd.DataFrame) -> dict:
    """Headline counts of a queue: audits, each verdict, and those still without a decision."""
    verdicts = frame["verdict"].value_counts() if len(frame) else pd.Series(dtype=int)
    return {
        "audits": len(frame),
        **{v: int(verdicts.get(v, 0)) for v in VERDICTS},
        "pending": int((frame["decision"] == "pending").sum()) if len(frame) else 0,
    }


def label(row: pd.Series | dict) -> str:
    """How a queue row is named in the picker: cashout id, player, verdict, decision."""
    return (f"{row['cashout_id']} · {row['username']} ({row['user_id']}) · {row['verdict']} · "
            f"{row['decision']}")


def data_version(store: Store) -> str:
    """A fingerprint of the audits and decisions stored, to key cached reads (changes on every write)."""
    row = DuckDBRunner(store).run("cashout/data_version").iloc[0]
    return "|".join(str(v) for v in row.tolist())


def for_actor(audit: dict, actor: Actor) -> dict:
    """The audit as `actor` may see it: viewers get player identifiers as stable pseudonyms."""
    if not actor.masks_players:
        return audit
    col, dev = audit["collusion"], audit["device_sharing"]
    return {
        **audit,
        "user_id": mask(audit["user_id"]), "username": mask(audit["username"]),
        "source_file": mask(audit.get("source_file")),
        "collusion": {**col, "related_players": [mask(p) for p in col["related_players"]],
                      "top_opponents": [{**o, "id": mask(o["id"])} for o in col["top_opponents"]]},
        "device_sharing": {**dev, "other_accounts": [mask(p) for p in dev["other_accounts"]]},
    }
