"""Test thresholds before they go live: who would enter or leave the cohorts versus the last run.

The candidate thresholds run every enabled pattern over the same events as the last run (same
cut-off time, same manual players) without saving anything. The potential cohort is every
flagged player; the final cohort is who the run marks as fraudster (the platform/date rules, or
the manual list). Nobody ever leaves the fraudsters table: a player leaving the final cohort
stays in it from earlier runs, and the diff says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analytics import sql
from analytics.fraud import detect, rules, thresholds
from analytics.fraud.patterns import FLAGS, MANUAL_FLAG, PATTERNS
from analytics.identity import Actor, require
from analytics.store import Store


@dataclass
class WhatIf:
    """The effect of candidate thresholds, compared with the last run."""

    live_version: int
    last_run_id: str | None
    changes: list[dict[str, Any]]
    potential_enter: list[str] = field(default_factory=list)
    potential_leave: list[str] = field(default_factory=list)
    final_enter: list[str] = field(default_factory=list)
    final_leave: list[str] = field(default_factory=list)
    stay_in_table: list[str] = field(default_factory=list)  # leavers already in the fraudsters table
    counts: pd.DataFrame = field(default_factory=pd.DataFrame)  # per pattern: last run vs candidate
    potential: int = 0
    final: int = 0
    events_since: int = 0  # events loaded after the last run (they also move the diff)

    def to_dict(self) -> dict:
        """JSON-ready."""
        return {
            k: (v.to_dict(orient="records") if isinstance(v, pd.DataFrame) else v)
            for k, v in self.__dict__.items()
        }


def _last_run(con) -> tuple | None:
    return con.execute(
        "SELECT run_id, until_time, started_at FROM fraud_runs WHERE ended_at IS NOT NULL "
        "ORDER BY started_at DESC LIMIT 1"
    ).fetchone()


def preview(store: Store, actor: Actor, candidate: dict[str, Any]) -> WhatIf:
    """Run the candidate thresholds over the last run's events and compare (nothing is saved)."""
    require(actor, "view")
    live, version = thresholds.current(store, actor)
    cand = thresholds.candidate(live, candidate)
    with store.connect() as con:
        last = _last_run(con)
        run_id, until = (last[0], last[1]) if last else (None, detect.FAR_FUTURE)
        before = (
            con.execute("SELECT * FROM fraud_run_players WHERE run_id = ?", [run_id]).df()
            if run_id
            else pd.DataFrame(columns=["distinct_id", "potential", "fraudster", MANUAL_FLAG, *FLAGS])
        )
        events_since = 0
        if last:
            events_since = con.execute(
                "SELECT coalesce(sum(rows_loaded), 0) FROM loaded_files WHERE contract = 'game_events' "
                "AND loaded_at > ?",
                [last[2]],
            ).fetchone()[0]
        detect.detect(con, cand, until)
        flags = con.execute(
            f"SELECT f.*, p.platform, p.install_time, p.last_purchase_time FROM ({detect.flags_sql()}) AS f "
            f"LEFT JOIN ({sql.load('fraud/player_facts').text}\n) AS p ON p.distinct_id = f.distinct_id",
            {"until": until},
        ).df()
        detect.drop(con)
        in_table = {r[0] for r in con.execute("SELECT distinct_id FROM fraudsters").fetchall()}
    manual = set(before.loc[before[MANUAL_FLAG] == 1, "distinct_id"]) if len(before) else set()
    new_potential = set(flags["distinct_id"])
    new_final = (
        set(flags.loc[rules.by_rules(flags, cand.rules).to_numpy(dtype=bool), "distinct_id"]) | manual
        if len(flags)
        else set(manual)
    )
    old_potential = set(before.loc[before["potential"].astype(bool), "distinct_id"]) if len(before) else set()
    old_final = (
        set(before.loc[before["fraudster"].fillna(False).astype(bool), "distinct_id"])
        if len(before)
        else set()
    )
    counts = pd.DataFrame(
        {
            "pattern": [p.number for p in PATTERNS],
            "flag": [p.flag for p in PATTERNS],
            "last_run": [
                int(before.loc[before["potential"].astype(bool), p.flag].sum()) if len(before) else 0
                for p in PATTERNS
            ],
            "what_if": [int(flags[p.flag].sum()) if len(flags) else 0 for p in PATTERNS],
        }
    )
    counts["change"] = counts["what_if"] - counts["last_run"]
    leave = sorted(old_final - new_final)
    return WhatIf(
        live_version=version,
        last_run_id=run_id,
        changes=thresholds.diff(live.thresholds(), cand.thresholds()),
        potential_enter=sorted(new_potential - old_potential),
        potential_leave=sorted(old_potential - new_potential),
        final_enter=sorted(new_final - old_final),
        final_leave=leave,
        stay_in_table=[p for p in leave if p in in_table],
        counts=counts,
        potential=len(new_potential),
        final=len(new_final),
        events_since=int(events_since),
    )


def until_label(until: dt.datetime) -> str:
    """How a cut-off time reads on screen."""
    return "all events" if until == detect.FAR_FUTURE else f"events before {until:%Y-%m-%d %H:%M} UTC"
