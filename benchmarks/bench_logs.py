"""Benchmark of the Lambda log parser (issue 4): about 1 GB of realistic logs.

Generates the logs (the committed sample's five files repeated, every UUID made new in each
copy; plain, CRLF and gzip files), then measures in the same run:
  1. the parser: every file parsed and staged as Parquet, files in parallel (2 processes);
  2. the whole `logs` load into a fresh store (hashing, parsing, the insert under the lock);
  3. the old notebook's way with pandas (read a file whole, split lines, group records, pull
     fields with regular expressions), one process, on the first files (--pandas-mb of them).
Prints MB/s of log text (uncompressed), the CPU seconds spent (this process and its children)
with the MB per CPU-second they give, and peak memory (PSS of the process and its children,
sampled every 0.25 s). On a shared machine MB/s follows the load; MB per CPU-second does much
less, and times the cores (2) it estimates the rate of a quiet machine.
Run: .venv/bin/python benchmarks/bench_logs.py [--size-mb 1024]
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import re
import resource
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analytics.identity import Actor  # noqa: E402
from analytics.overdraft import figures, importer  # noqa: E402
from analytics.overdraft import ingest as log_ingest  # noqa: E402
from analytics.store import Store  # noqa: E402

SAMPLES = ROOT / "sample_data" / "lambda_logs"
UUID_HEAD = re.compile(r"\b[0-9a-f]{8}-(?=[0-9a-f]{4}-)")
FIELDS = ("id", "type", "source", "action", "userId", "paymentBalance", "updatePaymentBalance", "metadata",
          "currency", "amount", "vat", "oldBalance", "newBalance")


# -- data --------------------------------------------------------------------------------------
def sample_text() -> str:
    """The committed sample logs as one LF text."""
    parts = []
    for path in sorted(SAMPLES.iterdir()):
        data = path.read_bytes()
        text = (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8")
        parts.append(text.replace("\r\n", "\n"))
    return "".join(parts)


def generate(folder: Path, size_mb: int, files: int) -> list[dict]:
    """Write `files` log files of about size_mb / files MB each; a manifest lists their text sizes."""
    manifest = folder / "manifest.json"
    if manifest.exists():
        entries = json.loads(manifest.read_text())
        if sum(e["text_bytes"] for e in entries) >= size_mb * 1_000_000 * 0.95 and len(entries) == files:
            return entries
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    base = sample_text()
    per_file = size_mb * 1_000_000 // files
    entries, copy = [], 0
    for n in range(files):
        gz, crlf = n % 4 == 3, n == 1
        name = f"balance-sync_{n:02d}.log" + (".gz" if gz else "")
        written = 0
        with (gzip.open(folder / name, "wb", compresslevel=6) if gz else open(folder / name, "wb")) as out:
            while written < per_file:
                text = UUID_HEAD.sub(f"{copy:08x}-", base)  # new subscribers, requests and messages
                if crlf:
                    text = text.replace("\n", "\r\n")
                data = text.encode("utf-8")
                out.write(data)
                written += len(data)
                copy += 1
        entries.append({"name": name, "text_bytes": written})
    manifest.write_text(json.dumps(entries))
    return entries


# -- memory ------------------------------------------------------------------------------------
class PeakMemory:
    """Samples the PSS (and RSS) of this process and its children every `every` seconds."""

    def __init__(self, every: float = 0.25) -> None:
        self.every, self.peak_pss, self.peak_rss = every, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        pss = rss = 0
        for proc in [me, *me.children(recursive=True)]:
            try:
                info = proc.memory_full_info()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            pss += getattr(info, "pss", info.rss)
            rss += info.rss
        self.peak_pss, self.peak_rss = max(self.peak_pss, pss), max(self.peak_rss, rss)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.every)

    def __enter__(self) -> PeakMemory:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def cpu_seconds() -> float:
    """User + system CPU time of this process and of its finished children."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


# -- the parser, the full load -----------------------------------------------------------------
def _parse(path: str, stage: str) -> int:
    parsed = log_ingest.parse(Path(path), Path(stage), Path(path).name)
    for staged in (parsed.staged, *parsed.extra.values()):
        staged.unlink()
    return parsed.rows


def bench_parser(paths: list[Path], workers: int, stage: Path) -> tuple[float, float, int, PeakMemory]:
    with PeakMemory() as memory:
        start, cpu = time.perf_counter(), cpu_seconds()
        with importer.parse_pool(workers) as pool:   # the processes `logs` parses in
            rows = sum(pool.map(_parse, [str(p) for p in paths], [str(stage)] * len(paths)))
        elapsed, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    return elapsed, cpu, rows, memory


def bench_load(paths: list[Path], workers: int, db: Path) -> tuple[float, float, dict, PeakMemory]:
    store = Store(db, lock_timeout=60)
    store.ensure_created()
    with PeakMemory() as memory:
        start, cpu = time.perf_counter(), cpu_seconds()
        importer.load_logs(store, [(p, p.name) for p in paths], Actor("bench", "admin"), workers=workers)
        elapsed, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    return elapsed, cpu, figures.summary(store), memory


# -- the old notebook's way --------------------------------------------------------------------
def notebook_way(path: Path) -> pd.DataFrame:
    """What the notebook did: read whole, split lines, group records, regex the fields out."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        text = fh.read()
    lines = pd.Series(text.replace("\r\n", "\n").split("\n"))
    starts = lines.str.match(r"\d{4}-\d\d-\d\dT") | lines.str.startswith("{")
    records = lines.groupby(starts.cumsum()).agg("\n".join)
    parts = records.str.split("\t", n=3, expand=True)
    frame = pd.DataFrame({"ts": records.str[:24], "request_id": parts[1], "level": parts[2],
                          "message": parts[3]})
    frame["segment"] = (frame["message"].str.startswith("Processing message", na=False)
                        | records.str.contains(" START RequestId", regex=False)).cumsum()
    error_segments = set(frame.loc[frame["level"] == "ERROR", "segment"])  # any ERROR: "out of sync"
    tx = frame[frame["message"].str.startswith("Start syncing the balance", na=False)].copy()
    for field in FIELDS:
        tx[field] = tx["message"].str.extract(rf"\n\s*{field}: '?(.*?)'?,?\n", expand=False)
    tx["in_sync"] = ~tx["segment"].isin(error_segments)
    for col in ("paymentBalance", "amount", "vat", "oldBalance", "newBalance"):
        tx[col] = pd.to_numeric(tx[col], errors="coerce")
    return tx.drop(columns=["message"])


def _notebook_files(paths: list[str]) -> int:
    return sum(len(notebook_way(Path(p))) for p in paths)


def bench_notebook(paths: list[Path]) -> tuple[float, float, int, PeakMemory]:
    context = multiprocessing.get_context("fork")
    with PeakMemory() as memory:
        start, cpu = time.perf_counter(), cpu_seconds()
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:  # alone, for its memory
            rows = pool.submit(_notebook_files, [str(p) for p in paths]).result()
        elapsed, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    return elapsed, cpu, rows, memory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024, help="log text to generate (MB)")
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pandas-mb", type=int, default=128, help="log text the pandas way reads (MB)")
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "riskdesk-bench-logs")
    args = parser.parse_args()

    t0 = time.perf_counter()
    entries = generate(args.data, args.size_mb, args.files)
    paths = [args.data / e["name"] for e in entries]
    text_mb = sum(e["text_bytes"] for e in entries) / 1e6
    disk_mb = sum(p.stat().st_size for p in paths) / 1e6
    print(f"data: {len(paths)} files, {text_mb:,.0f} MB of log text ({disk_mb:,.0f} MB on disk, "
          f"{sum(p.suffix == '.gz' for p in paths)} gzip, 1 CRLF), ready in {time.perf_counter() - t0:.0f} s")
    print(f"load before: {' '.join(f'{x:.2f}' for x in psutil.getloadavg())} (1, 5, 15 min)")

    cores = psutil.cpu_count()
    with tempfile.TemporaryDirectory() as scratch:
        elapsed, cpu, rows, mem = bench_parser(paths, args.workers, Path(scratch))
    parser_rate, parser_cpu_rate = text_mb / elapsed, text_mb / cpu
    print(f"parser ({args.workers} processes): {elapsed:.1f} s, {parser_rate:.1f} MB/s; {cpu:.0f} CPU s, "
          f"{parser_cpu_rate:.1f} MB per CPU s (x{min(cores, args.workers)} cores: "
          f"{parser_cpu_rate * min(cores, args.workers):.1f} MB/s); {rows:,} transactions; "
          f"peak memory {mem.peak_pss / 1e6:.0f} MB PSS ({mem.peak_rss / 1e6:.0f} MB RSS summed)")

    with tempfile.TemporaryDirectory() as scratch:
        elapsed, cpu, summary, mem = bench_load(paths, args.workers, Path(scratch) / "bench.duckdb")
    print(f"full load into a store: {elapsed:.1f} s, {text_mb / elapsed:.1f} MB/s; {cpu:.0f} CPU s, "
          f"{text_mb / cpu:.1f} MB per CPU s; {summary['transactions']:,} transactions, "
          f"{summary['records']:,} records; peak memory {mem.peak_pss / 1e6:.0f} MB PSS "
          f"({mem.peak_rss / 1e6:.0f} MB RSS summed)")

    chosen, mb = [], 0.0
    for entry, path in zip(entries, paths, strict=True):
        if mb >= args.pandas_mb:
            break
        chosen.append(path)
        mb += entry["text_bytes"] / 1e6
    elapsed, cpu, rows, mem = bench_notebook(chosen)
    pandas_rate, pandas_cpu_rate = mb / elapsed, mb / cpu
    print(f"pandas, the notebook's way (1 process, {mb:,.0f} MB): {elapsed:.1f} s, {pandas_rate:.1f} MB/s; "
          f"{cpu:.0f} CPU s, {pandas_cpu_rate:.1f} MB per CPU s; {rows:,} transactions; "
          f"peak memory {mem.peak_pss / 1e6:.0f} MB PSS")
    print(f"parser / pandas: {parser_rate / pandas_rate:.1f}x in MB/s as measured; "
          f"{parser_cpu_rate / pandas_cpu_rate:.1f}x per CPU second, "
          f"{parser_cpu_rate * min(cores, args.workers) / pandas_cpu_rate:.1f}x with both cores against one")
    print(f"load after: {' '.join(f'{x:.2f}' for x in psutil.getloadavg())} (1, 5, 15 min)")


if __name__ == "__main__":
    main()
