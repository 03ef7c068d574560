"""What the Fraud cohort page shows: runs, the cohorts, one player's events and why each flag fired."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel

from analytics import sql
from analytics.fraud import settings, thresholds
from analytics.fraud.patterns import BY_NUMBER, PATTERNS, sentence
from analytics.fraud.pipeline import FILES
from analytics.store import Store

EVENT_LIMIT = 5_000  # events drawn on one player's timeline (the latest ones)


def last_run(store: Store) -> dict | None:
    """The latest finished run as a dict, or None."""
    frame = runs(store, 1)
    return None if frame.empty else frame.iloc[0].to_dict()


def runs(store: Store, limit: int = 50) -> pd.DataFrame:
    """Runs, newest first, with their counts and whether every step succeeded."""
    return sql.DuckDBRunner(store).run("fraud/runs", {"limit": limit})


def audit_log(store: Store, run_id: str) -> pd.DataFrame:
    """A run's rows of process_audit_log, in step order."""
    with store.connect() as con:
        return con.execute(
            "SELECT step, name, started_at, ended_at, success, error, result FROM process_audit_log "
            "WHERE run_id = ? ORDER BY started_at",
            [run_id],
        ).df()


def run_players(store: Store, run_id: str) -> pd.DataFrame:
    """Every player a run flagged or was told about, with its flags and cohorts."""
    with store.connect() as con:
        return con.execute(
            "SELECT * FROM fraud_run_players WHERE run_id = ? ORDER BY distinct_id", [run_id]
        ).df()


def fraudsters(store: Store) -> pd.DataFrame:
    """The fraudsters table."""
    with store.connect() as con:
        return con.execute("SELECT * FROM fraudsters ORDER BY distinct_id").df()


def flag_counts(players: pd.DataFrame) -> pd.DataFrame:
    """Players per pattern among the potential fraudsters: pattern, title, flag, players."""
    potential = players[players["potential"].astype(bool)] if len(players) else players
    return pd.DataFrame(
        {
            "pattern": [p.number for p in PATTERNS],
            "title": [p.title for p in PATTERNS],
            "flag": [p.flag for p in PATTERNS],
            "players": [int(potential[p.flag].sum()) if len(potential) else 0 for p in PATTERNS],
        }
    )


def filter_players(
    frame: pd.DataFrame,
    flags: list[str] | None = None,
    platforms: list[str] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> pd.DataFrame:
    """Rows with any of `flags` set, on one of `platforms`, installed between start and end (inclusive)."""
    keep = pd.Series(True, index=frame.index)
    if flags:
        keep &= frame[flags].fillna(0).astype(int).sum(axis=1) > 0
    if platforms:
        keep &= frame["platform"].isin(platforms)
    install = pd.to_datetime(frame["install_time"])
    if start:
        keep &= (install >= pd.Timestamp(start)).fillna(False)
    if end:
        keep &= (install < pd.Timestamp(end) + pd.Timedelta(days=1)).fillna(False)
    return frame[keep]


def player_events(store: Store, distinct_id: str, until: dt.datetime) -> pd.DataFrame:
    """One player's latest events before `until` (at most EVENT_LIMIT), in time order."""
    with store.connect() as con:
        frame = con.execute(
            "SELECT * EXCLUDE (source_file) FROM game_events WHERE distinct_id = ? AND event_time < ? "
            "ORDER BY event_time DESC LIMIT ?",
            [distinct_id, until, EVENT_LIMIT],
        ).df()
    return frame.iloc[::-1].reset_index(drop=True)


@dataclass
class FlagReason:
    """One flag of a player: the pattern, a sentence, the evidence rows kept."""

    number: int
    title: str
    flag: str
    sentence: str
    evidence: pd.DataFrame
    of_total: int


def player_flags(store: Store, distinct_id: str) -> tuple[str | None, list[FlagReason]]:
    """(run id, reasons) from the latest run that flagged the player, with that run's thresholds."""
    with store.connect() as con:
        row = con.execute(
            "SELECT e.run_id, r.threshold_version FROM fraud_evidence AS e JOIN fraud_runs AS r "
            "ON r.run_id = e.run_id WHERE e.distinct_id = ? ORDER BY r.started_at DESC LIMIT 1",
            [distinct_id],
        ).fetchone()
        if row is None:
            return None, []
        rows = con.execute(
            "SELECT * EXCLUDE (run_id) FROM fraud_evidence WHERE run_id = ? AND distinct_id = ? "
            "ORDER BY pattern, event_time",
            [row[0], distinct_id],
        ).df()
    cfg = settings.load().with_thresholds(thresholds.thresholds_of(store, int(row[1])))
    out = []
    for number, group in rows.groupby("pattern", sort=True):
        pattern = BY_NUMBER[int(number)]
        evidence = group.drop(columns=["pattern", "distinct_id"]).reset_index(drop=True)
        out.append(
            FlagReason(
                pattern.number,
                pattern.title,
                pattern.flag,
                sentence(pattern, cfg, group),
                evidence,
                int(group["of_total"].iloc[0]),
            )
        )
    return row[0], out


def md_text(text: str) -> str:
    """`text` (it may hold ids or file names from users' files) escaped to show as plain markdown text."""
    return "".join("\\" + ch if ch in MD_SPECIAL else ch for ch in text)


MD_SPECIAL = set("\\`*_{}[]()<>#+-.!|~:$")


def download(run: dict | None, name: str) -> bytes | None:
    """The bytes of one of a run's files (potential_fraudsters, ..., cohort_export), if still there."""
    if not run or not run.get("out_dir"):
        return None
    path = Path(run["out_dir"]) / FILES[name]
    return path.read_bytes() if path.is_file() else None


@dataclass
class Field:
    """One setting as the page edits it."""

    name: str
    kind: str  # bool | int | float | str | date | list
    value: Any
    help: str | None


def setting_fields(model: BaseModel) -> list[Field]:
    """The settings of one pattern (or the rules) with their kind, value and description."""
    out = []
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        kind = (
            "bool"
            if isinstance(value, bool)
            else "int"
            if isinstance(value, int)
            else "float"
            if isinstance(value, float)
            else "date"
            if isinstance(value, dt.date)
            else "list"
            if isinstance(value, list)
            else "str"
        )
        out.append(Field(name, kind, value, info.description))
    return out


def parse_list(text: str, kind: type = str) -> list:
    """A comma-separated list typed by the page (empty items dropped)."""
    return [kind(x.strip()) for x in text.split(",") if x.strip()]


def whatif_moves(result: Any, limit: int = 100) -> pd.DataFrame:
    """Players entering or leaving each cohort in a what-if (first `limit` rows), for a table."""
    rows = []
    for cohort, enter, leave in (
        ("potential", result.potential_enter, result.potential_leave),
        ("final", result.final_enter, result.final_leave),
    ):
        rows += [{"player": p, "cohort": cohort, "move": "enters", "note": ""} for p in enter]
        rows += [
            {
                "player": p,
                "cohort": cohort,
                "move": "leaves",
                "note": "stays in the fraudsters table"
                if cohort == "final" and p in result.stay_in_table
                else "",
            }
            for p in leave
        ]
    return pd.DataFrame(rows[:limit], columns=["player", "cohort", "move", "note"])
