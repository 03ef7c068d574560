"""Foundation figures: store open-per-use latency, contract CSV loading throughput.

Run: .venv/bin/python benchmarks/bench_store.py [--rows N]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics import ingest
from analytics.identity import Actor
from analytics.store import Store

HEADER = "event_time,user_id,username,event_type,amount,won,counterparty_id,device_id,cashout_id\n"


def use_latency(store: Store, n: int = 200) -> list[float]:
    """Seconds per open-work-close use of the store, one thread."""
    out = []
    for _ in range(n):
        t = time.perf_counter()
        with store.connect() as con:
            con.execute("SELECT count(*) FROM loaded_files").fetchone()
        out.append(time.perf_counter() - t)
    return out


def threaded_uses(store: Store, threads: int = 8, each: int = 50) -> float:
    """Uses per second with several threads of one process queued on the store."""
    def work() -> None:
        for _ in range(each):
            with store.connect() as con:
                con.execute("SELECT count(*) FROM loaded_files").fetchone()

    started = time.perf_counter()
    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return threads * each / (time.perf_counter() - started)


def make_csv(path: Path, rows: int) -> None:
    with open(path, "w") as fh:
        fh.write(HEADER)
        for i in range(rows):
            fh.write(f"2023-09-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:{(i * 7) % 60:02d}Z,u{i % 5000},"
                     f"player{i % 5000},game_end,{(i % 200 - 100) / 100:.2f},{'true' if i % 3 else 'false'},"
                     f"u{(i * 31) % 5000},d-{i % 7000},\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.duckdb")
        store.ensure_created()
        lat = sorted(use_latency(store))
        print(f"store use (open, query, close), 1 thread: p50 {statistics.median(lat) * 1000:.1f} ms, "
              f"p95 {lat[int(len(lat) * 0.95)] * 1000:.1f} ms")
        print(f"store uses/s with 8 threads queued (hand-over): {threaded_uses(store):.0f}")
        csv = Path(tmp) / "events.csv"
        make_csv(csv, args.rows)
        size_mb = csv.stat().st_size / 1e6
        started = time.perf_counter()
        [outcome] = ingest.load_files(store, [(csv, csv.name)], Actor("bench", "admin"))
        took = time.perf_counter() - started
        print(f"load {args.rows:,} rows ({size_mb:.0f} MB) into cashout_events: {took:.2f} s, "
              f"{size_mb / took:.0f} MB/s, {args.rows / took:,.0f} rows/s "
              f"({outcome.rows_loaded:,} loaded, {outcome.rows_rejected} rejected)")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")


if __name__ == "__main__":
    main()
