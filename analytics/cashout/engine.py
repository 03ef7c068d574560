"""The audit engine: the set-based audit query's rows made into audit objects, verdicts and storage.

`audit_in(con, files, ...)` runs `queries/cashout/audit.sql` once for every cashout of the given
files (or of the whole store), gives each a verdict, stores the new audits and returns all of them
(an audit already stored for the same cashout id and file is returned as stored: a re-audit
replaces nothing and adds nothing).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import duckdb
import pandas as pd

from analytics import sql
from analytics.cashout.thresholds import Thresholds
from analytics.cashout.verdict import Figures, History, decide
from analytics.identity import Actor
from analytics.jsonutil import iso_utc

SOURCES = ("game_end", "matchup_end", "tournament_end", "goal_claim", "mega_spin", "admin_add_balance")
DIGITS = 6  # ratios (shares, winrates, take per game) are rounded to this many decimals in the JSON


def audit_id(source_file: str, cashout_id: str) -> str:
    """The stable id of the audit of one cashout read from one file."""
    return "au-" + hashlib.sha256(f"{source_file}\n{cashout_id}".encode()).hexdigest()[:20]


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def _ratio(value: Any) -> float | None:
    return None if value is None else round(float(value), DIGITS)


def query_rows(con: duckdb.DuckDBPyConnection, name: str, params: dict) -> list[dict]:
    """Rows of a query of the library as dicts."""
    cur = con.execute(sql.load(name).text, params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


def metrics(con: duckdb.DuckDBPyConnection, files: list[str] | None, top_n: int) -> list[dict]:
    """The audit query's row for every cashout of `files` (None: every file), by cashout time."""
    return query_rows(con, "cashout/audit", {"files": files, "top_n": top_n})


def history(con: duckdb.DuckDBPyConnection, percentile: float) -> dict[str, History]:
    """Per unit, the earlier audited cashouts' count and take-per-game percentile."""
    rows = query_rows(con, "cashout/take_history", {"percentile": percentile})
    return {r["unit"]: History(int(r["audits"]), _num(r["threshold"])) for r in rows}


def _warnings(row: dict, cashout_id_made: bool) -> list[str]:
    unit = row["unit"]
    out = []
    if cashout_id_made:
        out.append("the cashout row has no cashout_id; the id is made of the user id and the time")
    others = sorted(zip(row["other_kinds"] or [], row["other_counts"] or [], row["other_values"] or [],
                        strict=True), key=lambda o: (-abs(o[2]), -o[1], o[0]))
    if others:
        total = sum(int(n) for _k, n, _v in others)
        parts = [f"{kind} x{n}" + (f" ({float(v):+,.4g} {unit})" if v else "") for kind, n, v in others]
        out.append(f"{total} {'event' if total == 1 else 'events'} of types the contract does not name "
                   f"counted as other, in the audited value: {', '.join(parts)}")
    if row["amount"] is not None and row["amount"] <= 0:
        out.append(f"the cashout amount is {float(row['amount']):g}: a cashout should be positive")
    return out


def build(row: dict, t: Thresholds, hist: History | None, auditor: str, audited_at: dt.datetime,
          file_name: str | None) -> dict:
    """The audit object of one row of the audit query (the contract's JSON plus ids and provenance)."""
    made = row["cashout_id"] is None
    cashout_id = row["cashout_id"] or f"{row['user_id']}@{iso_utc(row['cashout_time'])}"
    totals = {s: float(row[f"total_{s}"]) for s in SOURCES}
    value_total = float(row["value_total"])
    shares = {s: (_ratio(totals[s] / value_total) if value_total > 0 else 0.0) for s in SOURCES}
    amount, audited = float(row["amount"]), float(row["audited_value"])
    tops = zip(row["top_ids"] or [], row["top_amounts"] or [], strict=True)
    figures = Figures(
        games=int(row["games_to_cashout"]), winrate=_num(row["winrate"]),
        take_per_game=_num(row["take_per_game"]), invited_share=float(row["invited_share"]),
        admin_share=(totals["admin_add_balance"] / value_total if value_total > 0 else 0.0),
        discrepancy_share=_num(row["discrepancy_share"]), amount=amount, audited_value=audited,
        other_accounts=tuple(sorted(row["other_accounts"] or [])),
        shared_devices=tuple(sorted(row["shared_devices"] or [])), unit=row["unit"],
    )
    verdict, reasons = decide(figures, t, hist)
    for reason in reasons:
        if isinstance(reason["value"], float):
            reason["value"] = round(reason["value"], DIGITS)
    return {
        "audit_id": audit_id(row["source_file"], cashout_id),
        "cashout_id": cashout_id, "user_id": row["user_id"], "username": row["username"],
        "cashout_time": iso_utc(row["cashout_time"]), "amount": amount, "unit": row["unit"],
        "window_start": iso_utc(row["window_start"]),
        "verdict": verdict,
        "reasons": reasons,
        "value_sources": shares,
        "value_totals": totals,
        "key_numbers": {
            "take_per_game": _ratio(row["take_per_game"]), "games_to_cashout": figures.games,
            "invites": int(row["invites"]), "winrate": _ratio(row["winrate"]),
            "live_games": int(row["live_games"]), "live_take_per_game": _ratio(row["live_take_per_game"]),
            "live_winrate": _ratio(row["live_winrate"]),
            "matchups": int(row["matchups"]),
            "matchup_take_per_game": _ratio(row["matchup_take_per_game"]),
            "matchup_winrate": _ratio(row["matchup_winrate"]),
        },
        "reconciliation": {"audited_value": audited, "discrepancy_share": _ratio(row["discrepancy_share"])},
        "collusion": {
            "invited_share": _ratio(row["invited_share"]),
            "related_players": sorted(row["related_players"] or []),
            "top_opponents": [{"id": i, "amount": float(a)} for i, a in tops],
        },
        "device_sharing": {
            "devices": sorted(row["devices"] or []), "other_accounts": list(figures.other_accounts),
            "shared_devices": list(figures.shared_devices),
        },
        "warnings": _warnings(row, made),
        "source_file": file_name,
        "auditor": auditor,
        "audited_at": iso_utc(audited_at),
    }


def stored(con: duckdb.DuckDBPyConnection, ids: list[str]) -> dict[str, dict]:
    """Audits already stored, by audit id."""
    if not ids:
        return {}
    rows = query_rows(con, "cashout/stored_audits", {"ids": ids})
    return {r["audit_id"]: json.loads(r["result"]) for r in rows}


def _times(values: list[str]) -> pd.DatetimeIndex:
    """ISO 8601 UTC texts as naive UTC timestamps (as the store keeps them)."""
    return pd.to_datetime(values, format="ISO8601", utc=True).tz_convert(None)


def insert(con: duckdb.DuckDBPyConnection, audits: list[dict], sources: dict[str, str]) -> None:
    """Store new audits (an audit id already there is left as it is)."""
    if not audits:
        return
    frame = pd.DataFrame({
        "audit_id": [a["audit_id"] for a in audits],
        "cashout_id": [a["cashout_id"] for a in audits],
        "source_file": [sources[a["audit_id"]] for a in audits],
        "file_name": [a["source_file"] for a in audits],
        "user_id": [a["user_id"] for a in audits],
        "username": [a["username"] for a in audits],
        "cashout_time": _times([a["cashout_time"] for a in audits]),
        "amount": [a["amount"] for a in audits],
        "unit": [a["unit"] for a in audits],
        "verdict": [a["verdict"] for a in audits],
        "reasons": [",".join(sorted(r["code"] for r in a["reasons"])) for a in audits],
        "take_per_game": [a["key_numbers"]["take_per_game"] for a in audits],
        "result": [json.dumps(a, ensure_ascii=False) for a in audits],  # built of JSON types only
        "auditor": [a["auditor"] for a in audits],
        "audited_at": _times([a["audited_at"] for a in audits]),
    })
    con.register("new_cashout_audits", frame)
    try:
        con.execute(
            "INSERT INTO cashout_audits BY NAME SELECT * FROM new_cashout_audits ON CONFLICT DO NOTHING"
        )
    finally:
        con.unregister("new_cashout_audits")


def file_info(con: duckdb.DuckDBPyConnection, files: list[str] | None) -> dict[str, dict]:
    """Name and rejected rows of loaded files, by file id."""
    return {r["file_id"]: r for r in query_rows(con, "cashout/file_info", {"files": files})}


def _reject_note(info: dict | None) -> str | None:
    if not info or not info["rows_rejected"]:
        return None
    lines = ", ".join(str(x) for x in sorted(info["lines"] or [])[:10])
    more = ", ..." if info["rows_rejected"] > 10 else ""
    return (f"{info['file_name']}: {info['rows_rejected']} rows could not be read (lines {lines}{more}) "
            "and are not in this audit")


def audit_in(
    con: duckdb.DuckDBPyConnection, files: list[str] | None, actor: Actor, t: Thresholds,
    now: dt.datetime | None = None,
) -> list[dict]:
    """Audit every cashout of `files` (None: all) inside one store transaction; new audits stored."""
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rows = metrics(con, files, t.top_opponents)
    hist = history(con, t.outlier_percentile)
    infos = file_info(con, sorted({r["source_file"] for r in rows}) if files is None else files)
    audits: dict[str, dict] = {}
    fresh: list[dict] = []
    sources: dict[str, str] = {}
    for row in rows:
        info = infos.get(row["source_file"])
        audit = build(row, t, hist.get(row["unit"]), actor.name, now, info["file_name"] if info else None)
        first = audits.get(audit["audit_id"])
        if first is not None:  # the same cashout id on another row of the same file: audited once
            first["warnings"].append(f"cashout id {audit['cashout_id']} is also on a row at "
                                     f"{audit['cashout_time']}: only the first one is audited")
            continue
        note = _reject_note(info)
        if note:
            audit["warnings"].append(note)
        sources[audit["audit_id"]] = row["source_file"]
        audits[audit["audit_id"]] = audit
    before = stored(con, list(audits))
    out = []
    for audit in audits.values():
        if audit["audit_id"] in before:
            out.append(before[audit["audit_id"]])
        else:
            fresh.append(audit)
            out.append(audit)
    insert(con, fresh, sources)
    return out
