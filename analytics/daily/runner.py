"""The daily run: its parts in order, each logged with the run id; a failing part is alerted and the
others go on. One daily run at a time per database (an flock beside it)."""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from analytics.daily import admin_push, cashout_pull
from analytics.daily.settings import DailySettings
from analytics.daily.settings import load as load_settings
from analytics.errors import RiskdeskError
from analytics.fraud import pipeline, send
from analytics.identity import Actor, require
from analytics.jsonutil import dumps
from analytics.notify import Alert, Notifier, send_once
from analytics.overdraft import alerts as overdraft_alerts
from analytics.overdraft import figures
from analytics.overdraft import settings as overdraft_settings
from analytics.sql import Runner
from analytics.store import Store

log = logging.getLogger("riskdesk.daily")


class PartFailed(RiskdeskError):
    """A part that ran but did not succeed; its result is still recorded."""

    def __init__(self, message: str, result: dict) -> None:
        super().__init__(message)
        self.result = result


def now() -> dt.datetime:
    """UTC now, naive (as the store keeps times)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def yesterday() -> dt.date:
    """The default day: yesterday in UTC."""
    return dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)


@dataclass
class Context:
    """What the parts of one run share."""

    store: Store
    actor: Actor
    day: dt.date
    run_id: str
    cfg: DailySettings
    notifier: Notifier | None = None
    athena: Runner | None = None
    sleep: Callable[[float], None] = time.sleep
    alerts: dict[str, list] = field(default_factory=lambda: {"sent": [], "skipped": [], "failed": []})


def part_fraud(ctx: Context) -> dict:
    """The fraud pipeline as of the end of the day (and the cohort send when configured)."""
    outcome = pipeline.run(ctx.store, ctx.actor, as_of=ctx.day, notifier=ctx.notifier)
    result = outcome.to_dict()
    ok = outcome.success
    if ctx.cfg.fraud.send_cohort:
        result["send"] = send.send(ctx.store, ctx.actor, outcome.run_id, notifier=ctx.notifier)
        ok = ok and result["send"]["success"]
    if not ok:
        failed = [f"{s.step} ({s.name}): {s.error}" for s in outcome.steps if not s.success]
        raise PartFailed("; ".join(failed) or f"cohort send failed: {result['send']['error']}", result)
    return result


def part_cashout(ctx: Context) -> dict:
    """The cashout pull for the day, then the push of every note not pushed yet."""
    result = cashout_pull.pull(ctx.store, ctx.day, ctx.run_id, ctx.actor, ctx.cfg.cashout, ctx.athena)
    result["push"] = admin_push.push_day(ctx.store, ctx.day, ctx.run_id, ctx.actor, ctx.cfg.admin_push,
                                         ctx.sleep)
    problems = [f"{f.get('player') or f.get('file')}: {f['error']}" for f in result["failed"]]
    problems += [f"cashout {c} was found but not audited" for c in result["missing"]]
    problems += [f"note of {f['cashout_id']} not pushed: {f['error']}" for f in result["push"]["failed"]]
    if problems:
        raise PartFailed("; ".join(problems), result)
    return result


def part_overdraft(ctx: Context) -> dict:
    """The overdraft check: who is at risk now, and the alerts not sent before."""
    require(ctx.actor, "logs.import")
    cfg = overdraft_settings.load()
    result: dict[str, Any] = {"at_risk": len(figures.at_risk(ctx.store, cfg))}
    if ctx.cfg.overdraft.alert:
        result["alerts"] = overdraft_alerts.send_alerts(ctx.store, cfg, ctx.actor, ctx.notifier)
        if result["alerts"]["failed"]:
            raise PartFailed(f"{len(result['alerts']['failed'])} overdraft alerts not delivered", result)
    return result


PARTS: dict[str, Callable[[Context], dict]] = {
    "fraud": part_fraud, "cashout": part_cashout, "overdraft": part_overdraft,
}


def _run_part(ctx: Context, name: str) -> dict:
    started = now()
    with ctx.store.connect() as con:
        con.execute("INSERT INTO daily_run_parts (run_id, part, started_at) VALUES (?, ?, ?)",
                    [ctx.run_id, name, started])
    log.info("daily %s %s: %s started", ctx.run_id, ctx.day, name)
    error, result = None, {}
    try:
        result = PARTS[name](ctx)
    except PartFailed as exc:
        error, result = str(exc), exc.result
    except RiskdeskError as exc:
        error = " ".join(str(exc).split()) or type(exc).__name__
    except Exception as exc:  # an unexpected failure: logged and alerted too; the others go on
        error = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
        log.debug("daily %s %s: %s", ctx.run_id, ctx.day, name, exc_info=True)
    ended = now()
    with ctx.store.connect() as con:
        con.execute("UPDATE daily_run_parts SET ended_at = ?, success = ?, error = ?, result = ? "
                    "WHERE run_id = ? AND part = ?",
                    [ended, error is None, error, dumps(result), ctx.run_id, name])
    if error:
        log.error("daily %s %s: %s FAILED: %s", ctx.run_id, ctx.day, name, error)
        alert = Alert(key=f"daily:part_failed:{ctx.run_id}:{name}", kind="daily_part_failed",
                      title=f"Daily job {name} failed for {ctx.day}", text=error,
                      details={"run_id": ctx.run_id, "day": ctx.day, "part": name, "run_by": ctx.actor.name})
        try:
            sent = send_once(ctx.store, [alert], ctx.actor, ctx.notifier)
        except RiskdeskError as exc:
            sent = {"sent": [], "skipped": [], "failed": [{"key": alert.key, "error": str(exc)}]}
        for key in ctx.alerts:
            ctx.alerts[key] += sent[key]
    else:
        log.info("daily %s %s: %s done", ctx.run_id, ctx.day, name)
    out = {"part": name, "success": error is None, "started_at": started, "ended_at": ended, "result": result}
    if error:
        out["error"] = error
    return out


@contextmanager
def one_at_a_time(store: Store) -> Iterator[None]:
    """Hold `<database>.daily` so two daily runs on one database never overlap (the second is refused)."""
    path = store.path.with_name(store.path.name + ".daily")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RiskdeskError(f"another daily run is working on {store.path}; try again when it is done"
                                ) from None
        yield
    finally:
        os.close(fd)


def run(store: Store, actor: Actor, day: dt.date | None = None, cfg: DailySettings | None = None,
        notifier: Notifier | None = None, athena: Runner | None = None,
        sleep: Callable[[float], None] = time.sleep) -> dict:
    """Run the configured parts for `day` (default yesterday, UTC); the run's JSON."""
    cfg = cfg or load_settings()
    ctx = Context(store, actor, day or yesterday(), str(uuid.uuid4()), cfg, notifier, athena, sleep)
    with one_at_a_time(store):
        started = now()
        with store.connect() as con:
            con.execute("INSERT INTO daily_runs (run_id, day, started_at, run_by) VALUES (?, ?, ?, ?)",
                        [ctx.run_id, ctx.day, started, actor.name])
        log.info("daily %s %s: started by %s (%s)", ctx.run_id, ctx.day, actor.name, ", ".join(cfg.parts))
        parts = [_run_part(ctx, name) for name in cfg.parts]
        success = all(p["success"] for p in parts)
        ended = now()
        with store.connect() as con:
            con.execute("UPDATE daily_runs SET ended_at = ?, success = ? WHERE run_id = ?",
                        [ended, success, ctx.run_id])
    return {"run_id": ctx.run_id, "date": ctx.day, "success": success, "start_time": started,
            "end_time": ended, "parts": parts, "alerts": ctx.alerts}
