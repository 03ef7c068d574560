"""The daily fraud pipeline: four steps, each logged in process_audit_log, a failing step alerted.

1. potential_fraudsters: every player with at least one flag (evidence kept per flag).
2. offer_wall_progression_cheaters: potential fraudsters with an offerwall_reward event.
3. fraudsters: upsert by the platform/date rules and the manual list (never rebuilt).
4. cohort_export: the fraudsters as the analytics tool's profile-update payload, to a file.
A failing step is logged and alerted and the later steps still run on what they have.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analytics import sql
from analytics.fraud import cohort, detect, rules, thresholds
from analytics.fraud.outputs import write_csv, write_json
from analytics.fraud.patterns import EVIDENCE_COLUMNS, FLAGS, MANUAL_FLAG
from analytics.fraud.settings import FraudSettings
from analytics.identity import Actor, require
from analytics.jsonutil import dumps
from analytics.notify import Alert, Notifier, send_once
from analytics.store import Store

STEPS = (
    ("Step 1", "potential_fraudsters"),
    ("Step 2", "offer_wall_progression_cheaters"),
    ("Step 3", "fraudsters"),
    ("Step 4", "cohort_export"),
)
FILES = {
    "potential_fraudsters": "potential_fraudsters.csv",
    "offer_wall_progression_cheaters": "offer_wall_progression_cheaters.csv",
    "fraudsters": "fraudsters.csv",
    "cohort_export": "cohort.json",
}
PLAYER_COLUMNS = ["distinct_id", "platform", "install_time", "last_purchase_time", *FLAGS]
FRAUDSTER_COLUMNS = [*PLAYER_COLUMNS, MANUAL_FLAG, "first_flagged_at", "last_flagged_at", "last_run_id"]
Progress = Callable[[dict], None]


class StepSkipped(Exception):
    """A step that cannot work because an earlier one failed."""


def now() -> dt.datetime:
    """The current UTC time, naive (the store keeps naive UTC)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass
class StepOutcome:
    """One step as the CLI reports it."""

    step: str
    name: str
    success: bool
    result: dict[str, Any]
    started_at: dt.datetime
    ended_at: dt.datetime
    error: str | None = None

    def to_dict(self) -> dict:
        """The contract's step object (error added when the step failed)."""
        out = {
            "step": self.step,
            "name": self.name,
            "success": self.success,
            "result": self.result,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
        }
        if self.error:
            out["error"] = self.error
        return out


@dataclass
class RunOutcome:
    """A whole run."""

    run_id: str
    threshold_version: int
    until: dt.datetime
    out_dir: Path
    start_time: dt.datetime
    end_time: dt.datetime | None = None
    steps: list[StepOutcome] = field(default_factory=list)
    alerts: dict[str, list] = field(default_factory=lambda: {"sent": [], "skipped": [], "failed": []})

    @property
    def success(self) -> bool:
        """True when every step succeeded."""
        return all(s.success for s in self.steps)

    def to_dict(self) -> dict:
        """The contract's JSON (plus the thresholds version, the cut-off time and the files)."""
        return {
            "success": self.success,
            "run_id": self.run_id,
            "steps": [s.to_dict() for s in self.steps],
            "start_time": self.start_time,
            "end_time": self.end_time,
            "threshold_version": self.threshold_version,
            "until": None if self.until == detect.FAR_FUTURE else self.until,
            "out": str(self.out_dir),
            "outputs": {
                name: str(self.out_dir / f) for name, f in FILES.items() if (self.out_dir / f).exists()
            },
        }


@dataclass
class _Run:
    store: Store
    actor: Actor
    cfg: FraudSettings
    run_id: str
    until: dt.datetime
    out_dir: Path
    manual_ids: list[str]
    started: dt.datetime
    progress: Progress | None
    potential_ok: bool = False

    def tell(self, **event: Any) -> None:
        if self.progress:
            self.progress(event)


# -- steps ---------------------------------------------------------------------------------
def _facts_sql() -> str:
    return sql.load("fraud/player_facts").text


def step_potential(run: _Run) -> dict:
    """Step 1: run the enabled patterns; keep their evidence and one row per flagged player."""
    cols = ", ".join(EVIDENCE_COLUMNS)
    flag_cols = ", ".join(f"f.{f}" for f in FLAGS)
    with run.store.connect() as con:
        counts = detect.detect(
            con,
            run.cfg,
            run.until,
            lambda p: run.tell(step="Step 1", status="running", detail=f"pattern {p.number}: {p.title}"),
        )
        con.execute(
            f"INSERT INTO fraud_evidence SELECT $run_id, pattern, {cols}, of_total FROM ("
            f"  SELECT *, count(*) OVER (PARTITION BY pattern, distinct_id) AS of_total,"
            f"         row_number() OVER (PARTITION BY pattern, distinct_id"
            f"                            ORDER BY event_time, event_name) AS rn"
            f"  FROM {detect.HITS}) WHERE rn <= $cap",
            {"run_id": run.run_id, "cap": run.cfg.evidence_per_flag},
        )
        con.execute(
            f"INSERT INTO fraud_run_players BY NAME SELECT $run_id AS run_id, f.distinct_id, p.platform, "
            f"p.install_time, p.last_purchase_time, {flag_cols}, true AS potential "
            f"FROM ({detect.flags_sql()}) AS f "
            f"LEFT JOIN (SELECT * FROM ({_facts_sql()}\n) "
            f"WHERE distinct_id IN (SELECT distinct_id FROM {detect.HITS})) "
            "AS p ON p.distinct_id = f.distinct_id",
            {"run_id": run.run_id, "until": run.until},
        )
        detect.drop(con)
        frame = _run_players(con, run.run_id, "potential")
    write_csv(frame[PLAYER_COLUMNS], run.out_dir / FILES["potential_fraudsters"])
    run.potential_ok = True
    per_pattern = {f: int(frame[f].sum()) for f in FLAGS}
    return {"rows": len(frame), "flags": per_pattern, "evidence_rows": int(sum(counts.values()))}


def _run_players(con, run_id: str, where: str = "true") -> pd.DataFrame:
    return con.execute(
        f"SELECT * FROM fraud_run_players WHERE run_id = $run_id AND {where} ORDER BY distinct_id",
        {"run_id": run_id},
    ).df()


def step_offerwall(run: _Run) -> dict:
    """Step 2: potential fraudsters with at least one offerwall_reward event."""
    if not run.potential_ok:
        raise StepSkipped("step 1 (potential_fraudsters) failed: no potential fraudsters to check")
    with run.store.connect() as con:
        con.execute(
            "UPDATE fraud_run_players AS r SET offerwall_rewards = o.offerwall_rewards "
            f"FROM ({sql.load('fraud/offerwall_rewards').text}\n) AS o "
            "WHERE r.run_id = $run_id AND r.potential AND r.distinct_id = o.distinct_id",
            {"run_id": run.run_id, "until": run.until},
        )
        frame = _run_players(con, run.run_id, "potential AND offerwall_rewards > 0")
    write_csv(
        frame[[*PLAYER_COLUMNS, "offerwall_rewards"]], run.out_dir / FILES["offer_wall_progression_cheaters"]
    )
    return {"rows": len(frame)}


def step_fraudsters(run: _Run) -> dict:
    """Step 3: upsert the fraudsters table; nobody leaves it, first_flagged_at and manual flags kept."""
    stamp = now()
    with run.store.connect() as con:
        kept_manual = [
            r[0]
            for r in con.execute(f"SELECT distinct_id FROM fraudsters WHERE {MANUAL_FLAG} = 1").fetchall()
        ]
        manual = sorted(set(run.manual_ids) | set(kept_manual))
        players = _run_players(con, run.run_id, "potential") if run.potential_ok else None
        known = set() if players is None else set(players["distinct_id"])
        missing = sorted(set(manual) - known)
        if missing:
            facts = con.execute(
                f"SELECT * FROM ({_facts_sql()}\n) WHERE distinct_id IN (SELECT unnest($ids))",
                {"until": run.until, "ids": missing},
            ).df()
            extra = pd.DataFrame({"distinct_id": missing}).merge(facts, on="distinct_id", how="left")
            extra = extra.assign(run_id=run.run_id, potential=False, **{f: 0 for f in FLAGS})
            extra = extra[["run_id", *PLAYER_COLUMNS, "potential"]]
            players = (
                extra if players is None or players.empty else pd.concat([players, extra], ignore_index=True)
            )
        if players is None:
            players = pd.DataFrame(columns=["run_id", *PLAYER_COLUMNS, "potential"])
        players[MANUAL_FLAG] = players["distinct_id"].isin(manual).astype(int)
        players["by_rules"] = (
            rules.by_rules(players, run.cfg.rules) & players["potential"].astype(bool)
            if len(players)
            else pd.Series(dtype=bool)
        )
        players["fraudster"] = players["by_rules"].astype(bool) | (players[MANUAL_FLAG] == 1)
        players["run_id"] = run.run_id
        con.execute("DELETE FROM fraud_run_players WHERE run_id = $run_id", {"run_id": run.run_id})
        con.register("run_players_frame", players)
        con.execute("INSERT INTO fraud_run_players BY NAME SELECT * FROM run_players_frame")
        con.unregister("run_players_frame")
        before = con.execute("SELECT count(*) FROM fraudsters").fetchone()[0]
        _upsert(con, run, stamp)
        total = con.execute("SELECT count(*) FROM fraudsters").fetchone()[0]
        table = con.execute(
            f"SELECT {', '.join(FRAUDSTER_COLUMNS)} FROM fraudsters ORDER BY distinct_id"
        ).df()
    write_csv(table, run.out_dir / FILES["fraudsters"])
    marked = int(players["fraudster"].sum()) if len(players) else 0
    return {
        "rows": int(total),
        "marked_this_run": marked,
        "new": int(total - before),
        "by_rules": int(players["by_rules"].sum()) if len(players) else 0,
        "manual": len(manual),
        "flags_updated": run.potential_ok,
    }


def _upsert(con, run: _Run, stamp: dt.datetime) -> None:
    """Update every row (flags to this run's, 0 when no longer flagged), then add new fraudsters."""
    params = {"run_id": run.run_id, "stamp": stamp}
    if run.potential_ok:  # flags are only rewritten when step 1 produced them
        zero = ", ".join(f"{f} = 0" for f in FLAGS)
        con.execute(f"UPDATE fraudsters SET {zero}, last_run_id = $run_id", {"run_id": run.run_id})
    flag_set = ", ".join(f"{f} = CASE WHEN $flags THEN r.{f} ELSE f.{f} END" for f in FLAGS)
    con.execute(
        f"UPDATE fraudsters AS f SET {flag_set}, "
        "platform = coalesce(r.platform, f.platform), "
        "install_time = coalesce(r.install_time, f.install_time), "
        "last_purchase_time = coalesce(r.last_purchase_time, f.last_purchase_time), "
        f"{MANUAL_FLAG} = greatest(f.{MANUAL_FLAG}, r.{MANUAL_FLAG}), "
        "last_flagged_at = CASE WHEN r.fraudster THEN $stamp ELSE f.last_flagged_at END, "
        "last_run_id = $run_id "
        "FROM fraud_run_players AS r WHERE r.run_id = $run_id AND r.distinct_id = f.distinct_id",
        {**params, "flags": run.potential_ok},
    )
    names = [*PLAYER_COLUMNS, MANUAL_FLAG]
    cols = ", ".join(names)
    con.execute(
        f"INSERT INTO fraudsters ({cols}, first_flagged_at, last_flagged_at, last_run_id) "
        f"SELECT {', '.join('r.' + c for c in names)}, $stamp, $stamp, $run_id "
        "FROM fraud_run_players AS r WHERE r.run_id = $run_id AND r.fraudster "
        "AND r.distinct_id NOT IN (SELECT distinct_id FROM fraudsters)",
        params,
    )


def step_cohort(run: _Run) -> dict:
    """Step 4: every fraudster as a profile update setting the cohort marker, written to cohort.json."""
    with run.store.connect() as con:
        ids = [
            r[0] for r in con.execute("SELECT distinct_id FROM fraudsters ORDER BY distinct_id").fetchall()
        ]
    path = write_json(cohort.payload(ids, run.cfg.cohort), run.out_dir / FILES["cohort_export"])
    return {"rows": len(ids), "marker": run.cfg.cohort.marker, "file": str(path)}


STEP_FUNCTIONS: dict[str, Callable[[_Run], dict]] = {
    "potential_fraudsters": step_potential,
    "offer_wall_progression_cheaters": step_offerwall,
    "fraudsters": step_fraudsters,
    "cohort_export": step_cohort,
}


# -- the run -------------------------------------------------------------------------------
def runs_dir(store: Store) -> Path:
    """Where runs started from the app keep their files: fraud_runs/ beside the database."""
    return store.path.parent / "fraud_runs"


def run(
    store: Store,
    actor: Actor,
    out_dir: Path | None = None,
    manual_ids: list[str] | None = None,
    as_of: dt.date | None = None,
    progress: Progress | None = None,
    notifier: Notifier | None = None,
) -> RunOutcome:
    """Run the four steps over the stored events; each step logged, a failed one alerted."""
    require(actor, "fraud.run")
    cfg, version = thresholds.current(store, actor)
    run_id = str(uuid.uuid4())
    out_dir = Path(out_dir) if out_dir else runs_dir(store) / run_id
    out_dir.mkdir(parents=True, exist_ok=True)
    until = detect.until_of(as_of)
    ctx = _Run(store, actor, cfg, run_id, until, out_dir, list(manual_ids or []), now(), progress)
    outcome = RunOutcome(run_id, version, until, out_dir, ctx.started)
    with store.connect() as con:
        con.execute(
            "INSERT INTO fraud_runs (run_id, started_at, until_time, as_of_date, threshold_version, "
            "manual_players, out_dir, run_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [run_id, ctx.started, until, as_of, version, len(ctx.manual_ids), str(out_dir), actor.name],
        )
    for step, name in STEPS:
        outcome.steps.append(_run_step(ctx, step, name, notifier, outcome))
    outcome.end_time = now()
    _finish(ctx, outcome)
    return outcome


def _run_step(ctx: _Run, step: str, name: str, notifier: Notifier | None, outcome: RunOutcome) -> StepOutcome:
    started = now()
    with ctx.store.connect() as con:
        con.execute(
            "INSERT INTO process_audit_log (run_id, step, name, started_at, run_by) VALUES (?, ?, ?, ?, ?)",
            [ctx.run_id, step, name, started, ctx.actor.name],
        )
    ctx.tell(step=step, name=name, status="running")
    error, result = None, {}
    try:
        result = STEP_FUNCTIONS[name](ctx)
    except Exception as exc:  # a failing step is logged and alerted; the later steps still run
        error = " ".join(str(exc).split()) or type(exc).__name__
        (ctx.out_dir / FILES[name]).unlink(missing_ok=True)  # no stale file from an earlier run
    ended = now()
    with ctx.store.connect() as con:
        con.execute(
            "UPDATE process_audit_log SET ended_at = ?, success = ?, error = ?, result = ? "
            "WHERE run_id = ? AND step = ?",
            [ended, error is None, error, dumps(result), ctx.run_id, step],
        )
    ctx.tell(step=step, name=name, status="failed" if error else "done", result=result, error=error)
    if error:
        alert = Alert(
            key=f"fraud:step_failed:{ctx.run_id}:{step}",
            kind="fraud_step_failed",
            title=f"Fraud pipeline {step} ({name}) failed",
            text=error,
            details={"run_id": ctx.run_id, "step": step, "name": name, "run_by": ctx.actor.name},
        )
        sent = send_once(ctx.store, [alert], ctx.actor, notifier)
        for key in outcome.alerts:
            outcome.alerts[key] += sent[key]
    return StepOutcome(step, name, error is None, result, started, ended, error)


def _finish(ctx: _Run, outcome: RunOutcome) -> None:
    by_name = {s.name: s.result for s in outcome.steps}
    with ctx.store.connect() as con:
        events = con.execute("SELECT count(*) FROM game_events WHERE event_time < ?", [ctx.until]).fetchone()[
            0
        ]
        con.execute(
            "UPDATE fraud_runs SET ended_at = ?, success = ?, potential = ?, offerwall = ?, fraudsters = ?, "
            "new_fraudsters = ?, events = ? WHERE run_id = ?",
            [
                outcome.end_time,
                outcome.success,
                by_name["potential_fraudsters"].get("rows"),
                by_name["offer_wall_progression_cheaters"].get("rows"),
                by_name["fraudsters"].get("rows"),
                by_name["fraudsters"].get("new"),
                events,
                ctx.run_id,
            ],
        )
