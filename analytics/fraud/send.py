"""Sending a run's cohort payload to the analytics tool: an explicit action, logged and alerted."""

from __future__ import annotations

from pathlib import Path

from analytics.errors import InputError
from analytics.fraud import cohort, settings
from analytics.fraud.pipeline import FILES, now
from analytics.fraud.settings import FraudSettings
from analytics.identity import Actor, require
from analytics.jsonutil import dumps
from analytics.notify import Alert, Notifier, send_once
from analytics.store import Store


def check_endpoint(cfg: FraudSettings) -> str:
    """The configured endpoint; ConfigError when there is none or it is not http(s)."""
    from analytics.errors import ConfigError

    url = cfg.cohort.endpoint
    if not url:
        raise ConfigError("fraud.yaml: cohort.endpoint is required to send the cohort")
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"fraud.yaml: cohort.endpoint {url!r} is not an http(s) URL")
    return url


def latest_run(store: Store) -> str:
    """The id of the latest run that exported a cohort."""
    with store.connect() as con:
        row = con.execute(
            "SELECT r.run_id FROM fraud_runs AS r JOIN process_audit_log AS a ON a.run_id = r.run_id "
            "WHERE a.name = 'cohort_export' AND a.success ORDER BY r.started_at DESC LIMIT 1"
        ).fetchone()
    if row is None:
        raise InputError("no run has exported a cohort yet: run the pipeline first")
    return row[0]


def send(
    store: Store,
    actor: Actor,
    run_id: str | None = None,
    cfg: FraudSettings | None = None,
    notifier: Notifier | None = None,
) -> dict:
    """POST run `run_id`'s cohort.json (default: the latest run's) to cohort.endpoint; record it."""
    require(actor, "cohort.send")
    cfg = cfg or settings.load()
    endpoint = check_endpoint(cfg)
    run_id = run_id or latest_run(store)
    with store.connect() as con:
        row = con.execute("SELECT out_dir FROM fraud_runs WHERE run_id = ?", [run_id]).fetchone()
    if row is None:
        raise InputError(f"no fraud run {run_id!r}")
    updates = cohort.read_payload(Path(row[0]) / FILES["cohort_export"])
    started = now()
    result = cohort.post(updates, cfg.cohort)
    ended = now()
    with store.connect() as con:
        con.execute(
            "INSERT INTO process_audit_log VALUES (?, 'Send', 'cohort_send', ?, ?, ?, ?, ?, ?)",
            [run_id, started, ended, result.success, result.error, dumps(result.to_dict()), actor.name],
        )
        con.execute(
            "INSERT INTO fraud_cohort_sends VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run_id,
                endpoint,
                result.profiles,
                result.batches,
                result.success,
                result.error,
                ended,
                actor.name,
            ],
        )
    out = {**result.to_dict(), "run_id": run_id, "total_profiles": len(updates)}
    if not result.success:
        alert = Alert(
            key=f"fraud:cohort_send_failed:{run_id}:{started.isoformat()}",
            kind="fraud_cohort_send_failed",
            title="Fraud cohort send failed",
            text=result.error or "",
            details=out,
        )
        out["alerts"] = send_once(store, [alert], actor, notifier)
    return out
