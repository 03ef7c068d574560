"""Fraud cohort benchmark: the whole pipeline over ~10 M generated events (loading included), patterns
2, 4 and 8 in SQL against a vectorised pandas version on the same data, and one run over 50 M events.

Each measured part runs in a child process of its own, so its peak memory (VmHWM) is its own.
Usage: .venv/bin/python benchmarks/bench_fraud.py [--events 10000000] [--big 50000000] [--skip-big]
Generated Parquet files are kept in --workdir (default /tmp/riskdesk-bench-fraud) and reused.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NAMES = np.array(
    [
        "session_start",
        "harvest",
        "reward_claim",
        "daily_bonus",
        "chapter_complete",
        "shop_view",
        "purchase_click",
        "purchase_success",
        "purchase_refund",
        "offerwall_reward",
        "ad_impression",
        "building_upgrade",
        "privacy_impression",
        "privacy_agree_click",
        "session_end",
    ]
)
WEIGHTS = np.array([8, 30, 8, 4, 4, 5, 2, 1.2, 0.1, 1.5, 12, 8, 1, 0, 8], dtype=float)
BALANCELESS = {"purchase_click", "shop_view", "privacy_impression", "privacy_agree_click"}
PLATFORMS = np.array(["ios", "android", "web"])
PAY = np.array(["apple", "googleplay", "stash"])
PRICES = np.array([0.99, 1.99, 2.99, 4.99, 9.99, 19.99, 49.99, 0.01])
PRICE_P = np.array([30, 20, 15, 15, 10, 5, 4, 0.05], dtype=float)
EPOCH_2025 = 1_735_689_600  # 2025-01-01T00:00:00Z
EVENTS_PER_PLAYER = 50


def generate_chunk(rng: np.random.Generator, first_player: int, players: int) -> pa.Table:
    """Events of `players` players, sorted by player then time, with injected cheaters for 2, 4 and 8."""
    counts = rng.poisson(EVENTS_PER_PLAYER - 1, players) + 1
    n = int(counts.sum())
    pid = np.repeat(np.arange(players), counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    platform = rng.integers(0, 3, players)
    install = EPOCH_2025 + rng.integers(0, 329 * 86_400, players)
    gaps = rng.integers(60, 14_400, n)  # 1 min to 4 h: strictly increasing times, no ties
    gaps[starts == np.arange(n)] = rng.integers(0, 600, players)
    t = np.cumsum(gaps)
    t = t - np.repeat(t[np.cumsum(counts) - counts] - gaps[np.cumsum(counts) - counts], counts)
    event_time = np.repeat(install, counts) + t
    pay_idx = np.repeat(platform, counts)
    name_idx = np.searchsorted(np.cumsum(WEIGHTS) / WEIGHTS.sum(), rng.random(n))
    names = NAMES[name_idx]
    ends = np.repeat(np.cumsum(counts), counts)
    first = np.arange(n) == starts
    # most players agree to the privacy prompt right away; most purchases follow a click
    shown = np.flatnonzero(
        (names == "privacy_impression") & (np.arange(n) + 1 < ends) & (rng.random(n) < 0.97)
    )
    names[shown + 1] = "privacy_agree_click"
    bought = np.flatnonzero((names == "purchase_success") & ~first & (rng.random(n) < 0.97))
    names[bought - 1] = "purchase_click"
    # 1 % of ios players follow each purchase_success with another one 1-9 s later (pattern 4)
    rapid = np.repeat((rng.random(players) < 0.01) & (platform == 0), counts) & (names == "purchase_success")
    idx = np.flatnonzero(rapid)
    idx = idx[idx + 1 < ends[idx]]
    names[idx + 1] = "purchase_success"
    event_time[idx + 1] = event_time[idx] + rng.integers(1, 10, len(idx))
    is_harvest = names == "harvest"
    # harvest quantities: mostly 1-3, some blank (= 1) and reversals; 0.5 % of players harvest in bulk
    quantity = rng.choice(np.array([1, 1, 2, 2, 3, 0, -1]), n).astype(float)
    bulk = rng.random(players) < 0.005
    quantity[np.repeat(bulk, counts) & is_harvest] = 9
    quantity[quantity == 0] = np.nan
    quantity[~is_harvest] = np.nan
    # balances: a random walk per player; 0.02 % of events jump by 45,000 credits, 0.01 % by 120,000 mp
    dc = rng.integers(-60, 200, n)
    dm = rng.integers(0, 50, n)
    jump = rng.random(n) < 0.0002
    dc[jump] += 45_000
    jump_m = rng.random(n) < 0.0001
    dm[jump_m] += 120_000
    credits = 500 + np.cumsum(dc)
    credits = credits - np.repeat(
        credits[np.cumsum(counts) - counts] - 500 - dc[np.cumsum(counts) - counts], counts
    )
    meta = np.cumsum(dm)
    meta = meta - np.repeat(meta[np.cumsum(counts) - counts] - dm[np.cumsum(counts) - counts], counts)
    no_balance = np.isin(names, list(BALANCELESS))
    chapter = 1 + (np.arange(n) - starts) // 6
    price = PRICES[np.searchsorted(np.cumsum(PRICE_P) / PRICE_P.sum(), rng.random(n))]
    ids = np.char.add("t", (np.arange(n) + first_player * 1000).astype(str))
    is_purchase = np.isin(names, ["purchase_click", "purchase_success", "purchase_refund"])
    pay = np.where(is_purchase, PAY[pay_idx], None)
    return pa.table(
        {
            "distinct_id": pa.array(np.char.add("u", (pid + first_player).astype(str))),
            "event_time": pa.array(event_time * 1_000_000, pa.timestamp("us")),
            "event_name": pa.array(names),
            "platform": pa.array(PLATFORMS[pay_idx]),
            "install_time": pa.array(np.repeat(install, counts) * 1_000_000, pa.timestamp("us")),
            "chapter": pa.array(chapter, pa.int64()),
            "credits_balance": pa.array(credits, pa.int64(), mask=no_balance),
            "metapoints_balance": pa.array(meta, pa.int64(), mask=no_balance),
            "quantity": pa.array(
                np.nan_to_num(quantity).astype(np.int64), pa.int64(), mask=np.isnan(quantity)
            ),
            "price_usd": pa.array(price, pa.float64(), mask=~is_purchase),
            "payment_platform": pa.array(pay),
            "transaction_id": pa.array(np.where(is_purchase & (pay_idx == 0), ids, None)),
            "google_order_number": pa.array(np.where(is_purchase & (pay_idx == 1), ids, None)),
            "checkout_id": pa.array(np.where(is_purchase & (pay_idx == 2), ids, None)),
        }
    )


def generate(path: Path, events: int, seed: int = 7) -> dict:
    """Write about `events` events to a Parquet file in chunks of 2 M; reuse the file when it exists."""
    if path.exists():
        return {"rows": pq.ParquetFile(path).metadata.num_rows, "seconds": 0.0, "reused": True}
    start = time.perf_counter()
    rng = np.random.default_rng(seed)
    players_total = events // EVENTS_PER_PLAYER
    chunk = 40_000
    tmp = path.with_suffix(".tmp")
    writer = None
    rows = 0
    for first in range(0, players_total, chunk):
        table = generate_chunk(rng, first, min(chunk, players_total - first))
        if writer is None:
            writer = pq.ParquetWriter(tmp, table.schema, compression="zstd")
        writer.write_table(table, row_group_size=1_000_000)
        rows += table.num_rows
    assert writer is not None
    writer.close()
    os.replace(tmp, path)
    return {"rows": rows, "seconds": round(time.perf_counter() - start, 1), "reused": False}


# -- children (each in its own process) ------------------------------------------------------
def peak_mb() -> float:
    """Peak resident memory of this program, MB: VmHWM, the high-water mark of its own address
    space. (ru_maxrss is not used: Linux carries it over fork and exec, so a child started while
    this script held the generated data reported the parent's 1.4-1.5 GB as its own.)"""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    """CPU seconds (user + system) this process used: on a busy machine, a steadier figure than wall time."""
    use = resource.getrusage(resource.RUSAGE_SELF)
    return round(use.ru_utime + use.ru_stime, 1)


def child_pipeline(parquet: str, db: str) -> dict:
    """Load the Parquet file into a fresh store and run the four steps; time and peak memory."""
    from analytics import ingest
    from analytics.fraud import pipeline
    from analytics.identity import Actor
    from analytics.store import Store

    store, actor = Store(db), Actor("bench")
    t0 = time.perf_counter()
    outcome = ingest.load_one(store, Path(parquet), actor, contract="game_events")
    t1 = time.perf_counter()
    load_cpu = cpu_s()
    run = pipeline.run(store, actor, Path(db).parent / "out")
    t2 = time.perf_counter()
    return {
        "rows_loaded": outcome.rows_loaded,
        "rejected": outcome.rows_rejected,
        "error": outcome.error,
        "load_s": round(t1 - t0, 2),
        "pipeline_s": round(t2 - t1, 2),
        "total_s": round(t2 - t0, 2),
        "success": run.success,
        "errors": [s.error for s in run.steps if s.error],
        "steps_s": {s.name: round((s.ended_at - s.started_at).total_seconds(), 2) for s in run.steps},
        "rows": {s.name: s.result.get("rows") for s in run.steps},
        "peak_mb": round(peak_mb()),
        "cpu_s": cpu_s(),
        "load_cpu_s": load_cpu,
    }


def child_sql(db: str) -> dict:
    """Patterns 2, 4 and 8 from their SQL files on the loaded store: flagged players, time, memory."""
    from analytics import sql
    from analytics.fraud import detect
    from analytics.fraud.patterns import BY_NUMBER
    from analytics.fraud.settings import FraudSettings
    from analytics.store import Store

    cfg, store = FraudSettings(), Store(db)
    t0 = time.perf_counter()
    flagged = {}
    with store.connect() as con, detect.engine(con, cfg):
        for n in (2, 4, 8):
            q = sql.load(BY_NUMBER[n].query)
            rows = con.execute(
                f"SELECT DISTINCT distinct_id FROM ({q.text}\n)", BY_NUMBER[n].params(cfg, detect.FAR_FUTURE)
            ).fetchall()
            flagged[n] = sorted(r[0] for r in rows)
    return {
        "seconds": round(time.perf_counter() - t0, 2),
        "peak_mb": round(peak_mb()),
        "cpu_s": cpu_s(),
        "flagged": flagged,
    }


def child_pandas(parquet: str) -> dict:
    """Patterns 2, 4 and 8 in vectorised pandas (groupby, shift; no per-row Python) from the Parquet file."""
    import pandas as pd

    t0 = time.perf_counter()
    cols = [
        "distinct_id",
        "event_time",
        "event_name",
        "quantity",
        "payment_platform",
        "credits_balance",
        "metapoints_balance",
        "price_usd",
        "transaction_id",
        "google_order_number",
        "checkout_id",
    ]
    df = pd.read_parquet(parquet, columns=cols, dtype_backend="numpy_nullable")
    df["distinct_id"] = df["distinct_id"].astype("category")
    df["event_name"] = df["event_name"].astype("category")
    flagged = {2: pandas_p2(df), 4: pandas_p4(df), 8: pandas_p8(df)}
    return {
        "seconds": round(time.perf_counter() - t0, 2),
        "peak_mb": round(peak_mb()),
        "flagged": {k: sorted(v) for k, v in flagged.items()},
    }


def pandas_p2(df):
    """Net harvests (blank = 1) >= 22 in a UTC day on more than 2 days."""
    h = df.loc[df["event_name"] == "harvest", ["distinct_id", "event_time", "quantity"]]
    day = h["event_time"].dt.floor("D")
    net = h["quantity"].fillna(1).groupby([h["distinct_id"], day], observed=True).sum()
    days = (net >= 22).groupby(level=0, observed=True).sum()
    return set(days.index[days > 2])


def pandas_p4(df):
    """Consecutive purchase_success 1-7 s apart, both apple (identical rows once, as in SQL)."""
    import numpy as np

    s = df.loc[df["event_name"] == "purchase_success"].drop_duplicates()
    s = s.sort_values(["distinct_id", "event_time"])
    same = s["distinct_id"].eq(s["distinct_id"].shift())
    gap = (s["event_time"] - s["event_time"].shift()).dt.total_seconds()
    apple = s["payment_platform"].eq("apple").fillna(False)
    hit = same & apple & apple.shift(fill_value=False) & gap.between(1, 7)
    return set(np.asarray(s.loc[hit.fillna(False), "distinct_id"]))


def pandas_p8(df):
    """A rise of >= 40,000 credits / 100,000 metapoints from the previous event carrying the balance, no
    reward event at it or in the player's next 2 events."""
    import numpy as np

    d = df[["distinct_id", "event_time", "event_name", "credits_balance", "metapoints_balance"]]
    order = np.lexsort((d["event_time"].to_numpy(), d["distinct_id"].cat.codes.to_numpy()))
    d = d.iloc[order].reset_index(drop=True)
    ids = d["distinct_id"].cat.codes
    reward = d["event_name"].isin(["purchase_success", "reward_claim", "offerwall_reward", "daily_bonus"])
    near = reward.copy()
    for k in (1, 2):
        near |= reward.shift(-k, fill_value=False) & ids.eq(ids.shift(-k))
    hit = pd_false(len(d))
    for col, limit in (("credits_balance", 40_000), ("metapoints_balance", 100_000)):
        carried = d[col].groupby(ids).ffill()
        prev = carried.shift().where(ids.eq(ids.shift()))
        hit |= ((d[col] - prev) >= limit).fillna(False).to_numpy()
    return set(np.asarray(d.loc[hit & ~near.to_numpy(), "distinct_id"]))


def pd_false(n: int):
    import numpy as np

    return np.zeros(n, dtype=bool)


CHILDREN = {"pipeline": child_pipeline, "sql": child_sql, "pandas": child_pandas}


def in_child(name: str, *args: str) -> dict:
    """Run one measured part in a fresh Python process and return its JSON."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, __file__, "--child", name, *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"{name} failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--big", type=int, default=50_000_000)
    parser.add_argument("--skip-big", action="store_true")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "riskdesk-bench-fraud")
    parser.add_argument("--child", choices=sorted(CHILDREN))
    parser.add_argument("args", nargs="*")
    a = parser.parse_args()
    if a.child:
        print(json.dumps(CHILDREN[a.child](*a.args)))
        return
    a.workdir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("RISKDESK_CONFIG_DIR", str(a.workdir / "config"))
    (a.workdir / "config").mkdir(exist_ok=True)
    (a.workdir / "config" / "notify.yaml").write_text(
        f"backend: file\nfile_path: {a.workdir / 'alerts.jsonl'}\n"
    )
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    parquet = a.workdir / f"events_{a.events}.parquet"
    print("generate:", generate(parquet, a.events))
    with tempfile.TemporaryDirectory(dir=a.workdir) as scratch:
        db = str(Path(scratch) / "bench.duckdb")
        whole = in_child("pipeline", str(parquet), db)
        print("whole pipeline (load + 4 steps):", json.dumps(whole))
        sql_part = in_child("sql", db)
        pandas_part = in_child("pandas", str(parquet))
    same = all(sql_part["flagged"][str(n)] == pandas_part["flagged"][str(n)] for n in (2, 4, 8))
    print(
        f"patterns 2, 4, 8: SQL {sql_part['seconds']} s, peak {sql_part['peak_mb']} MB; pandas "
        f"{pandas_part['seconds']} s, peak {pandas_part['peak_mb']} MB; time ratio "
        f"{pandas_part['seconds'] / sql_part['seconds']:.2f}x, memory ratio "
        f"{sql_part['peak_mb'] / pandas_part['peak_mb']:.2f}; flagged "
        f"{ {n: len(sql_part['flagged'][str(n)]) for n in (2, 4, 8)} }; same players: {same}"
    )
    if not a.skip_big:
        big = a.workdir / f"events_{a.big}.parquet"
        print("generate big:", generate(big, a.big, seed=8))
        with tempfile.TemporaryDirectory(dir=a.workdir) as scratch:
            print("50 M run:", json.dumps(in_child("pipeline", str(big), str(Path(scratch) / "big.duckdb"))))


if __name__ == "__main__":
    main()
