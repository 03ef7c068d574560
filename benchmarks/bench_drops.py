"""Mule lab figures: generating 1 million transactions (simulation, CSV, Parquet) and the detectors
on the default settings.

Run: .venv/bin/python benchmarks/bench_drops.py [--skip-detectors]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics.mules import output
from analytics.mules.configuration import load_drops, with_overrides
from analytics.mules.evaluation import evaluate
from analytics.mules.runner import Runner

# Two mixes of about 1,000,000 transactions: the default proportions scaled up (mostly ordinary
# clients' card payments, built column-wise), and a drop-heavy one (the per-drop Python hot path).
MIXES = {
    "default proportions": {"distributors": 540, "purchasers": 288, "legit_clients": 7_150},
    "drop-heavy": {"distributors": 17_000, "purchasers": 8_000, "legit_clients": 1_000},
}


CPU: dict[str, float] = {}


def timed(fn, *args, **kwargs):
    """(value, wall seconds); the CPU seconds of the call are kept in CPU[fn name]."""
    started, cpu = time.perf_counter(), time.process_time()
    value = fn(*args, **kwargs)
    CPU[getattr(fn, "__name__", str(fn))] = time.process_time() - cpu
    return value, time.perf_counter() - started


def generate(name: str, counts: dict) -> None:
    cfg = with_overrides(load_drops(), **counts)
    result, simulate_s = timed(Runner(cfg).run)
    n = result.transactions.num_rows
    drop_rows = int(result.transactions.column("is_fraud").to_numpy().astype("int64").sum())
    csv, csv_s = timed(output.csv_bytes, result.transactions)
    parquet, parquet_s = timed(output.parquet_bytes, result.transactions)
    with tempfile.TemporaryDirectory() as folder:
        _, write_s = timed(output.write_run, result, Path(folder), False)
    print(f"{name}: {n:,} transactions ({drop_rows:,} of {result.drops:,} drops, "
          f"{counts['legit_clients']:,} ordinary clients)")
    print(f"  simulate {simulate_s:.2f} s ({n / simulate_s:,.0f} rows/s, CPU {CPU['run']:.2f} s); "
          f"CSV {csv_s:.2f} s ({len(csv) / 2**20:.0f} MiB, CPU {CPU['csv_bytes']:.2f} s); "
          f"Parquet {parquet_s:.2f} s ({len(parquet) / 2**20:.0f} MiB, CPU {CPU['parquet_bytes']:.2f} s)")
    print(f"  simulate + write run folder and latest/ as CSV: {simulate_s + write_s:.2f} s "
          f"(CPU {CPU['run'] + CPU['write_run']:.2f} s)")


def detectors() -> None:
    cfg = load_drops()
    result, simulate_s = timed(Runner(cfg).run)
    ev, evaluate_s = timed(evaluate, result)
    print(f"default settings: {result.transactions.num_rows:,} transactions simulated in {simulate_s:.2f} s; "
          f"features and both detectors in {evaluate_s:.2f} s")
    for row in ev.metrics.itertuples():
        print(f"  {row.detector}: precision {row.precision:.3f}, recall {row.recall:.3f}, F1 {row.f1:.3f} "
              f"(tp {row.tp}, fp {row.fp}, fn {row.fn}, tn {row.tn})")
    for row in ev.timing_summary.itertuples():
        print(f"  {row.detector}: {row.flagged_drops} drops flagged, median "
              f"{row.median_hours_to_flag:.1f} h after the first inbound "
              f"(bank: {row.median_hours_to_block:.1f} h), "
              f"{row.flagged_before_block} before the block, median lead {row.median_lead_hours:.1f} h")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-detectors", action="store_true")
    args = parser.parse_args()
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"load average {os.getloadavg()[0]:.2f}")
    for name, counts in MIXES.items():
        generate(name, counts)
    if not args.skip_detectors:
        detectors()


if __name__ == "__main__":
    main()
