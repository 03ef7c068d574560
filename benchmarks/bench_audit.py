"""Cashout audits: the set-based audit of 10,000 cashouts (~5 M events) from the store, against a
straightforward pandas audit of the same exports one file at a time; and a batch of 1,000 exports.

Run: /work/main/.venv/bin/python benchmarks/bench_audit.py [--players 5000] [--events 1000]
     [--batch-files 1000] [--skip-pandas]
Both audits must give the same numbers: the script compares every figure of every cashout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics.cashout import batch, engine, runs
from analytics.cashout.thresholds import Thresholds
from analytics.cashout.verdict import Figures, decide
from analytics.identity import Actor
from analytics.store import Store

ACTOR = Actor("bench", "admin")
GAMES = ("game_end", "matchup_end")
SOURCES = engine.SOURCES
KNOWN = {*SOURCES, "tournament_entry", "cashout", "invite_accepted"}
COLUMNS = ["event_time", "user_id", "username", "event_type", "amount", "won", "counterparty_id",
           "device_id", "cashout_id"]


# -- data -------------------------------------------------------------------------------------
def generate(con: duckdb.DuckDBPyConnection, players: int, events: int, cashouts: int) -> None:
    """Table `ev`: `events` rows per player, the last of every events/cashouts rows a cashout.

    Live games, matchups (1 in 37 players mostly against their own invitees), tournaments,
    goals, mega spins, admin additions, a type the contract does not name, invites; one device
    per player and, for 1 in 50 players, a device shared with two other players. Cashout
    amounts follow the window's value within -5 %..+15 %, so some are value mismatches.
    """
    step = events // cashouts
    con.execute(f"""
        CREATE OR REPLACE TABLE raw_ev AS
        SELECT u, i, hash(u, i) % 1000 AS r, hash(i, u, 7) % 100 AS r2, hash(u * 31 + i) AS r3,
               i % {step} = {step - 1} AS is_cashout
        FROM range({players}) a(u), range({events}) b(i)
    """)
    con.execute(f"""
        CREATE OR REPLACE TABLE ev AS
        SELECT TIMESTAMP '2023-06-01' + to_seconds(u * 13 + i * 900 + r2) AS event_time,
               'u' || u AS user_id, 'player' || u AS username,
               CASE WHEN is_cashout THEN 'cashout'
                    WHEN r < 620 THEN 'game_end' WHEN r < 820 THEN 'matchup_end'
                    WHEN r < 860 THEN 'tournament_entry' WHEN r < 880 THEN 'tournament_end'
                    WHEN r < 930 THEN 'goal_claim' WHEN r < 960 THEN 'mega_spin'
                    WHEN r < 965 THEN 'admin_add_balance' WHEN r < 970 THEN 'bonus'
                    WHEN r < 975 THEN 'invite_accepted' ELSE 'game_end' END AS event_type,
               CASE WHEN is_cashout THEN 0
                    WHEN r < 820 OR r >= 975 THEN CASE WHEN r2 < 53 THEN 0.8 ELSE -1.0 END
                                                  * (1 + r3 % 3) / 2.0
                    WHEN r < 860 THEN -1.0 WHEN r < 880 THEN 5.0 WHEN r < 930 THEN 0.5
                    WHEN r < 960 THEN 1.0 WHEN r < 965 THEN 2.0 WHEN r < 970 THEN 0.1 ELSE 0 END
                   ::DECIMAL(18, 4) AS amount,
               CASE WHEN (r < 820 OR r >= 975) AND NOT is_cashout AND r3 % 97 <> 0 THEN r2 < 53 END AS won,
               CASE WHEN is_cashout THEN NULL
                    WHEN r >= 970 AND r < 975 AND u % 37 = 0 THEN 'u' || ((u + 1 + r3 % 5) % {players})
                    WHEN r >= 970 AND r < 975 THEN 'u' || (r3 % {players})
                    WHEN r >= 620 AND r < 820 AND u % 37 = 0 AND r2 < 70
                        THEN 'u' || ((u + 1 + r3 % 5) % {players})
                    WHEN r >= 620 AND r < 820 THEN 'u' || (r3 % {players}) END AS counterparty_id,
               CASE WHEN u % 50 = 0 AND i % 9 = 0 THEN 'd-shared-' || (u // 150) ELSE 'd-' || u END
                   AS device_id,
               CASE WHEN is_cashout THEN 'c-' || u || '-' || (i // {step}) END AS cashout_id,
               u, i // {step} AS win
        FROM raw_ev
    """)
    con.execute("""
        CREATE OR REPLACE TABLE win_value AS
        SELECT u, win, sum(amount) AS value FROM ev WHERE event_type <> 'cashout' GROUP BY u, win
    """)
    con.execute("""
        UPDATE ev SET amount = round(greatest(w.value, 1) * (0.95 + (hash(ev.u, ev.win) % 21) / 100.0), 2)
        FROM win_value AS w WHERE ev.u = w.u AND ev.win = w.win AND ev.event_type = 'cashout'
    """)


def write_exports(con: duckdb.DuckDBPyConnection, folder: Path) -> list[Path]:
    """One liveops export per player (as the old scripts read them)."""
    con.execute(f"""
        COPY (SELECT strftime(event_time, '%Y-%m-%dT%H:%M:%SZ') AS event_time, user_id, username,
                     event_type, amount::DOUBLE AS amount, won, counterparty_id, device_id, cashout_id
              FROM ev ORDER BY u, event_time)
        TO '{folder}' (FORMAT csv, PARTITION_BY (user_id), WRITE_PARTITION_COLUMNS true,
                       OVERWRITE_OR_IGNORE true)
    """)
    return sorted(folder.rglob("*.csv"))


def load_store(con: duckdb.DuckDBPyConnection, store: Store, work: Path) -> None:
    """The events into the store, one source file id per player (loading is not the audit's time)."""
    staged = work / "events.parquet"
    con.execute(f"COPY (SELECT * EXCLUDE (u, win), 'bench-' || user_id AS source_file FROM ev) "
                f"TO '{staged}' (FORMAT parquet)")
    with store.connect() as db:
        db.execute(f"INSERT INTO cashout_events BY NAME SELECT * FROM read_parquet('{staged}')")


# -- the old way: pandas, one file at a time -----------------------------------------------------
def pandas_indexes(files: list[Path]) -> tuple[dict, dict]:
    """Who uses each device, and who invited whom (when), across every export."""
    devices: dict[str, set[str]] = {}
    inviters: dict[str, list[tuple[pd.Timestamp, str]]] = {}
    for path in files:
        df = pd.read_csv(path, dtype=str, keep_default_na=False,
                         usecols=["event_time", "user_id", "event_type", "counterparty_id", "device_id"])
        for device, user in df[["device_id", "user_id"]].drop_duplicates().itertuples(index=False):
            if device:
                devices.setdefault(device, set()).add(user)
        inv = df[df["event_type"].str.lower() == "invite_accepted"]
        pairs = inv[["event_time", "user_id", "counterparty_id"]].itertuples(index=False)
        for when, inviter, invitee in pairs:
            inviters.setdefault(invitee, []).append((pd.Timestamp(when), inviter))
    return devices, inviters


def _share(part: float, whole: float) -> float:
    return part / whole if whole > 0 else 0.0


def pandas_audit_file(path: Path, devices: dict, inviters: dict, t: Thresholds) -> list[dict]:
    """Audit every cashout of one export the way the old scripts did."""
    df = pd.read_csv(path, dtype={c: str for c in COLUMNS if c != "amount"}, keep_default_na=False)
    df["t"] = pd.to_datetime(df["event_time"], utc=True, format="ISO8601")
    df["event_type"] = df["event_type"].str.lower()
    df["won_b"] = df["won"].str.lower().map({"true": True, "false": False, "1": True, "0": False})
    df = df.sort_values("t", kind="stable")
    out = []
    for user, g in df.groupby("user_id", sort=False):
        prev = None
        for _, c in g[g["event_type"] == "cashout"].iterrows():
            w = g[(g["t"] <= c["t"]) & ((g["t"] > prev) if prev is not None else True)]
            up_to = g[g["t"] <= c["t"]]
            rest = w[w["event_type"] != "cashout"]
            games = w[w["event_type"].isin(GAMES)]
            live = games[games["event_type"] == "game_end"]
            duels = games[games["event_type"] == "matchup_end"]

            def rate(x: pd.DataFrame) -> float | None:
                known = x["won_b"].dropna()
                return float(known.astype(bool).mean()) if len(known) else None

            def take(x: pd.DataFrame) -> float | None:
                return float(x["amount"].sum()) / len(x) if len(x) else None

            positive = w[w["amount"] > 0]
            totals = {s: float(positive.loc[positive["event_type"] == s, "amount"].sum()) for s in SOURCES}
            total = sum(totals.values())
            invites = up_to[up_to["event_type"] == "invite_accepted"]
            related = {x for x in invites["counterparty_id"] if x}
            related |= {who for when, who in inviters.get(user, []) if when <= c["t"]}
            from_related = positive[(positive["event_type"] == "matchup_end")
                                    & positive["counterparty_id"].isin(related)]["amount"].sum()
            nets = duels[duels["counterparty_id"] != ""].groupby("counterparty_id")["amount"].sum().round(9)
            nets = nets[nets > 0].reset_index().sort_values(["amount", "counterparty_id"],
                                                              ascending=[False, True]).head(t.top_opponents)
            mine = {d for d in up_to["device_id"] if d}
            others = sorted(set().union(*(devices.get(d, set()) for d in mine)) - {user})
            audited = float(rest["amount"].sum())
            amount = float(c["amount"])
            disc = 0.0 if amount == 0 and audited == 0 else (abs(amount - audited) / amount if amount > 0
                                                               else None)
            figures = Figures(games=len(games), winrate=rate(games), take_per_game=take(games),
                              invited_share=_share(float(from_related), total),
                              admin_share=_share(totals["admin_add_balance"], total), discrepancy_share=disc,
                              amount=amount, audited_value=audited, other_accounts=tuple(others),
                              shared_devices=tuple(sorted(d for d in mine if devices.get(d, set()) - {user})))
            verdict, reasons = decide(figures, t)
            out.append({
                "cashout_id": c["cashout_id"], "games": len(games), "winrate": figures.winrate,
                "take": figures.take_per_game, "live": (len(live), rate(live), take(live)),
                "duels": (len(duels), rate(duels), take(duels)), "audited": audited, "discrepancy": disc,
                "totals": totals, "shares": {s: _share(v, total) for s, v in totals.items()},
                "invites": len(invites), "invited_share": figures.invited_share, "related": sorted(related),
                "top": list(zip(nets["counterparty_id"], nets["amount"], strict=True)),
                "devices": sorted(mine), "others": others, "verdict": verdict,
                "reasons": [r["code"] for r in reasons],
            })
            prev = c["t"]
    return out


# -- comparing ----------------------------------------------------------------------------------
def _close(a: float | None, b: float | None, tol: float = 2e-6) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= tol * max(1.0, abs(a))


def differences(sql_audit: dict, old: dict) -> list[str]:
    """Figures where the set-based audit and the pandas audit disagree (empty: the same numbers)."""
    k = sql_audit["key_numbers"]
    pairs = [
        ("games", k["games_to_cashout"], old["games"]), ("winrate", k["winrate"], old["winrate"]),
        ("take", k["take_per_game"], old["take"]),
        ("live", (k["live_games"], k["live_winrate"], k["live_take_per_game"]), old["live"]),
        ("duels", (k["matchups"], k["matchup_winrate"], k["matchup_take_per_game"]), old["duels"]),
        ("audited", sql_audit["reconciliation"]["audited_value"], old["audited"]),
        ("discrepancy", sql_audit["reconciliation"]["discrepancy_share"], old["discrepancy"]),
        ("invites", k["invites"], old["invites"]),
        ("invited_share", sql_audit["collusion"]["invited_share"], old["invited_share"]),
    ]
    bad = []
    for name, a, b in pairs:
        same = all(_close(x, y) for x, y in zip(a, b, strict=True)) if isinstance(a, tuple) else _close(a, b)
        if not same:
            bad.append(f"{name}: {a} vs {b}")
    for s in SOURCES:
        if not (_close(sql_audit["value_totals"][s], old["totals"][s])
                and _close(sql_audit["value_sources"][s], old["shares"][s])):
            bad.append(f"source {s}")
    tops = [(o["id"], o["amount"]) for o in sql_audit["collusion"]["top_opponents"]]
    if [i for i, _ in tops] != [i for i, _ in old["top"]] or not all(
            _close(a, b) for (_, a), (_, b) in zip(tops, old["top"], strict=True)):
        bad.append(f"top opponents: {tops} vs {old['top']}")
    lists = [("related", sql_audit["collusion"]["related_players"], old["related"]),
             ("devices", sql_audit["device_sharing"]["devices"], old["devices"]),
             ("others", sql_audit["device_sharing"]["other_accounts"], old["others"]),
             ("verdict", sql_audit["verdict"], old["verdict"]),
             ("reasons", [r["code"] for r in sql_audit["reasons"]], old["reasons"])]
    bad += [f"{name}: {a} vs {b}" for name, a, b in lists if a != b]
    return bad


# -- main -------------------------------------------------------------------------------------
def bench_database(args: argparse.Namespace, work: Path) -> None:
    con = duckdb.connect()
    started = time.perf_counter()
    generate(con, args.players, args.events, args.cashouts)
    rows, cashouts = con.execute("SELECT count(*), count(cashout_id) FROM ev").fetchone()
    files = write_exports(con, work / "exports")
    store = Store(work / "bench.duckdb", lock_timeout=600)
    store.ensure_created()
    load_store(con, store, work)
    print(f"data: {rows:,} events, {cashouts:,} cashouts, {len(files):,} export files "
          f"(generated, written and loaded in {time.perf_counter() - started:.1f} s)")

    with store.connect() as db:
        started = time.perf_counter()
        metrics = engine.metrics(db, None, 3)
        query_s = time.perf_counter() - started
    started = time.perf_counter()
    audits = runs.audit_all(store, ACTOR)
    sql_s = time.perf_counter() - started
    print(f"set-based audit SQL alone: {len(metrics):,} cashouts in {query_s:.2f} s")
    print(f"set-based audit of every cashout from the store (SQL, verdicts, JSON, stored): "
          f"{len(audits):,} audits in {sql_s:.2f} s  (target <= 10 s)")
    verdicts = pd.Series([a["verdict"] for a in audits]).value_counts().to_dict()
    print(f"  verdicts: {verdicts}")
    if args.skip_pandas:
        return
    started = time.perf_counter()
    devices, inviters = pandas_indexes(files)
    old = {}
    t = Thresholds()
    for i, path in enumerate(files, start=1):
        for row in pandas_audit_file(path, devices, inviters, t):
            old[row["cashout_id"]] = row
        if i % 1000 == 0:
            print(f"  pandas: {i:,} files in {time.perf_counter() - started:.0f} s", flush=True)
    pandas_s = time.perf_counter() - started
    print(f"pandas, one export at a time: {len(old):,} audits in {pandas_s:.1f} s")
    by_id = {a["cashout_id"]: a for a in audits}
    mismatched = {cid: differences(by_id[cid], row) for cid, row in old.items() if cid in by_id}
    mismatched = {cid: d for cid, d in mismatched.items() if d}
    missing = sorted(set(old) ^ set(by_id))
    print(f"same numbers: {len(old) - len(mismatched):,} of {len(old):,} cashouts agree on every figure; "
          f"{len(missing)} cashouts in one audit only")
    for cid, diff in list(mismatched.items())[:5]:
        print(f"  DIFFERENT {cid}: {diff[:3]}")
    print(f"speed-up: {pandas_s / sql_s:.1f}x  (target >= 10x)")
    if mismatched or missing:
        raise SystemExit("the two audits disagree")


def bench_batch(args: argparse.Namespace, work: Path) -> None:
    con = duckdb.connect()
    generate(con, args.batch_files, 200, 1)
    inbox = work / "inbox"
    files = write_exports(con, work / "batch_exports")
    inbox.mkdir()
    for i, path in enumerate(files):
        path.rename(inbox / f"{path.parent.name.split('=')[1]}_{i}.csv")
    rows = con.execute("SELECT count(*) FROM ev").fetchone()[0]
    store = Store(work / "batch.duckdb", lock_timeout=600)
    store.ensure_created()
    started = time.perf_counter()
    summary = batch.audit_batch(store, inbox, work / "results", "bench", ACTOR, dt.date(2023, 10, 2))
    took = time.perf_counter() - started
    archived = len(list((inbox / "10-02-2023").iterdir()))
    print(f"audit-batch of {len(files):,} export files ({rows:,} events): {len(summary['audits']):,} audits, "
          f"{archived:,} files archived, {len(summary['failed'])} failed, in {took:.1f} s "
          f"({len(files) / took:.0f} files/s)")
    started = time.perf_counter()
    again = batch.audit_batch(store, inbox, work / "results", "bench", ACTOR, dt.date(2023, 10, 2))
    print(f"  second run the same day (inbox empty): {len(again['audits'])} audits in "
          f"{time.perf_counter() - started:.2f} s; day's results hold {again['day_audits']:,} audits")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, default=5000)
    parser.add_argument("--events", type=int, default=1000, help="events per player")
    parser.add_argument("--cashouts", type=int, default=2, help="cashouts per player")
    parser.add_argument("--batch-files", type=int, default=1000)
    parser.add_argument("--skip-pandas", action="store_true")
    args = parser.parse_args()
    print(f"{dt.date.today()} {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, DuckDB {duckdb.__version__}, pandas {pd.__version__}; "
          f"load average {os.getloadavg()}")
    with tempfile.TemporaryDirectory(prefix="bench-audit-") as tmp:
        bench_database(args, Path(tmp))
        if args.batch_files:
            bench_batch(args, Path(tmp))
    print(f"load average at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
