"""The daily cashout pull for one day: which cashouts finished, each player's audit export, the audits.

Athena (when configured): `queries/daily/athena_cashouts.sql` lists the day's successful
CashOutFinish rows; each player not fully audited yet gets its raw export through
`queries/cashout/raw_export.sql`, written as a CSV and audited like an upload. The store (else):
the files holding a cashout on that day are audited (stored audits come back as stored). Every
cashout of the day that got an audit is recorded once in `daily_cashouts`; a second run for the
same day fetches and audits nothing of those again.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd

from analytics.cashout import engine, runs
from analytics.cashout.thresholds import load as load_thresholds
from analytics.daily.settings import CashoutPart
from analytics.identity import Actor, require
from analytics.loaders import safe_file_name
from analytics.sql import AthenaRunner, DuckDBRunner, Runner
from analytics.store import Store


def day_bounds(day: dt.date) -> dict[str, dt.datetime]:
    """The day as [day_start, day_end) in naive UTC."""
    start = dt.datetime.combine(day, dt.time())
    return {"day_start": start, "day_end": start + dt.timedelta(days=1)}


def source_of(cfg: CashoutPart) -> str:
    """athena or store: `auto` means Athena when RISKDESK_ATHENA_S3_STAGING_DIR is set."""
    if cfg.source != "auto":
        return cfg.source
    return "athena" if os.environ.get("RISKDESK_ATHENA_S3_STAGING_DIR") else "store"


def cell(value: Any) -> str:
    """One Athena value as the raw export's CSV holds it (whole numbers without '.0')."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)


def cashout_id(userid: Any, username: Any, count: Any) -> str:
    """The id the raw export reader gives a CashOutFinish row: `<userid or username>#<count>`."""
    return f"{cell(userid) or cell(username)}#{cell(count)}"


def recorded(store: Store, ids: list[str]) -> set[str]:
    """The cashout ids a daily pull has audited before."""
    if not ids:
        return set()
    with store.connect() as con:
        rows = con.execute("SELECT cashout_id FROM daily_cashouts WHERE list_contains($ids, cashout_id)",
                           {"ids": ids}).fetchall()
    return {r[0] for r in rows}


def record(store: Store, day: dt.date, audits: list[dict], source: str, run_id: str) -> list[str]:
    """Record each audit's cashout for the day (the first audit of a cashout wins); the ids added."""
    if not audits:
        return []
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rows = [(a["cashout_id"], day, a["user_id"], a["audit_id"], source, run_id, now) for a in audits]
    with store.connect() as con:
        before = {r[0] for r in con.execute("SELECT cashout_id FROM daily_cashouts").fetchall()}
        con.executemany("INSERT INTO daily_cashouts VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                        rows)
    return sorted({a["cashout_id"] for a in audits} - before)


def write_export(frame: pd.DataFrame, path: Path) -> Path:
    """An Athena export as the raw audit-query CSV."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(list(frame.columns))
        for row in frame.itertuples(index=False):
            writer.writerow([cell(v) for v in row])
    return path


def from_athena(store: Store, day: dt.date, run_id: str, actor: Actor, cfg: CashoutPart,
                athena: Runner | None = None) -> dict[str, Any]:
    """Ask Athena for the day's cashouts, fetch and audit the exports of players not audited yet."""
    athena = athena or AthenaRunner()
    found = athena.run("daily/athena_cashouts", day_bounds(day))
    players = {cashout_id(r.get("userid"), r.get("username"), r.get("count")):
               cell(r.get("userid")) or cell(r.get("username")) for _, r in found.iterrows()}
    done = recorded(store, sorted(players))
    todo = sorted({p for cid, p in players.items() if cid not in done})
    folder = Path(tempfile.mkdtemp(prefix="riskdesk-daily-"))
    failed: list[dict] = []
    try:
        def fetch(player: str) -> tuple[Path, str] | None:
            try:
                export = athena.run("cashout/raw_export", {"player": player})
            except Exception as exc:  # one player's export failing does not stop the others
                failed.append({"player": player, "error": f"raw export: {' '.join(str(exc).split())}"})
                return None
            name = f"raw_{player}_{day:%m%d%Y}.csv"
            return write_export(export, folder / safe_file_name(name)), name

        with ThreadPoolExecutor(max_workers=cfg.fetch_workers) as pool:
            files = [f for f in pool.map(fetch, todo) if f is not None]
        run = runs.audit_files(store, files, actor) if files else None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if run is not None:
        failed += [{"file": f.file_name, "error": f.error} for f in run.failed]
    audits = [a for a in (run.audits if run else [])
              if a["cashout_id"] in players and a["cashout_id"] not in done]
    added = record(store, day, audits, "athena", run_id)
    audited = done | {a["cashout_id"] for a in audits}
    return {"source": "athena", "cashouts": len(players), "recorded": added, "already": sorted(done),
            "players_fetched": todo, "failed": failed, "missing": sorted(set(players) - audited)}


def on_day(audit: dict, day: dt.date) -> bool:
    """True when the audited cashout happened on `day` (UTC)."""
    bounds = day_bounds(day)
    moment = dt.datetime.fromisoformat(audit["cashout_time"].replace("Z", "+00:00"))
    moment = moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment
    return bounds["day_start"] <= moment < bounds["day_end"]


def from_store(store: Store, day: dt.date, run_id: str, actor: Actor) -> dict[str, Any]:
    """Audit the day's cashouts not recorded yet, from the files in the store that hold them."""
    require(actor, "audit.run")
    files = DuckDBRunner(store).run("daily/store_cashout_files", day_bounds(day))["source_file"].tolist()
    audits: list[dict] = []
    if files:
        with store.connect() as con:
            audits = engine.audit_in(con, files, actor, load_thresholds())
    ours = [a for a in audits if on_day(a, day)]
    ids = sorted({a["cashout_id"] for a in ours})
    done = recorded(store, ids)
    added = record(store, day, [a for a in ours if a["cashout_id"] not in done], "store", run_id)
    return {"source": "store", "cashouts": len(ids), "recorded": added, "already": sorted(done),
            "files": len(files), "failed": [], "missing": []}


def pull(store: Store, day: dt.date, run_id: str, actor: Actor, cfg: CashoutPart,
         athena: Runner | None = None) -> dict[str, Any]:
    """The day's cashouts audited (from Athena or the store) and recorded."""
    require(actor, "audit.run")
    if source_of(cfg) == "athena":
        return from_athena(store, day, run_id, actor, cfg, athena)
    return from_store(store, day, run_id, actor)
