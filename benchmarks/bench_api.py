"""HTTP API speed over the sample data: the list and detail endpoints, through a real `serve`.

1. Paced: 50 clients, each sending a request then waiting 0.5 s (about 100 requests/s offered) for
   30 s: errors and latency (p50/p95/p99/max), overall and per endpoint.
2. Flat out: clients with no wait between requests, at a few client counts: requests per second
   served and errors; the most requests per second with 0 errors is the figure.

The server is `python -m analytics serve` with a users file and a bearer token (an auditor), the
store lingering and the read cache as configured (`--no-cache` turns the cache off). The clients
are asyncio connections kept alive (light, since they share the 2 cores with the server). Every
distinct URL is asked once before the timed phases (the cold figures are printed too).

Run: .venv/bin/python benchmarks/bench_api.py [--seconds 30] [--clients 50] [--wait 0.5] [--no-cache]
     [--db PATH] [--flat-seconds 15] [--flat-clients 1,4,16,50]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEED = 20261123
LISTS = ["/api/audits", "/api/fraud/runs", "/api/fraud/fraudsters", "/api/players", "/api/rules",
         "/api/tiers", "/api/overdraft/at-risk"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


@dataclass
class Tally:
    """Latencies (ms) by endpoint kind, and errors."""

    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    server: list[float] = field(default_factory=list)  # the server's own time (its Server-Timing header)
    errors: list[str] = field(default_factory=list)

    def all(self) -> list[float]:
        return [t for values in self.times.values() for t in values]


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def summary(values: list[float]) -> str:
    if not values:
        return "no requests"
    return (f"n {len(values):>6,}  p50 {pct(values, 50):6.1f} ms  p95 {pct(values, 95):6.1f} ms  "
            f"p99 {pct(values, 99):6.1f} ms  max {max(values):7.1f} ms")


class Client:
    """One kept-alive HTTP/1.1 connection."""

    def __init__(self, port: int, token: str) -> None:
        self.port, self.token = port, token
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> tuple[int, bytes, float]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {self.token}\r\n"
                          "Connection: keep-alive\r\n\r\n".encode())
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        fields = {k.strip().lower(): v.strip() for k, v in (x.split(":", 1) for x in lines[1:] if ":" in x)}
        body = await self.reader.readexactly(int(fields["content-length"]))
        took = float(fields.get("server-timing", "app;dur=nan").split("dur=")[1])
        return status, body, took

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()


async def one(client: Client, kind: str, path: str, tally: Tally) -> None:
    started = time.perf_counter()
    try:
        status, body, took = await client.get(path)
        ok = status == 200
        what = f"{status} {path}: {body[:120]!r}"
    except (OSError, asyncio.IncompleteReadError, ValueError, KeyError, IndexError) as exc:
        ok, what = False, f"{type(exc).__name__} {path}"
        await client.close()
        client.writer = None
    elapsed = (time.perf_counter() - started) * 1000
    if ok:
        tally.times[kind].append(elapsed)
        tally.server.append(took)
    else:
        tally.errors.append(what)


async def run_clients(port: int, token: str, mix: Mix, clients: int, wait: float, seconds: float
                      ) -> tuple[Tally, float]:
    tally, stop_at = Tally(), time.perf_counter() + seconds

    async def worker(n: int) -> None:
        rng, client = random.Random(SEED + n), Client(port, token)
        if wait:
            await asyncio.sleep(rng.uniform(0, wait))  # clients start spread over one wait
        while time.perf_counter() < stop_at:
            await one(client, *mix.pick(rng), tally)
            if wait:
                await asyncio.sleep(wait)
        await client.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(clients)))
    return tally, time.perf_counter() - started


def fetch_json(port: int, token: str, path: str) -> dict:
    import json

    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=120) as resp:
        return json.loads(resp.read())


@dataclass
class Mix:
    """What the clients ask: half the time a list, half the time a detail (each kind as often)."""

    lists: list[str]
    details: dict[str, list[str]]  # kind (e.g. /api/players/{id}) -> its URLs

    def pick(self, rng: random.Random) -> tuple[str, str]:
        """(kind, URL) of the next request."""
        if rng.random() < 0.5:
            url = rng.choice(self.lists)
            return url, url
        kind = rng.choice(sorted(self.details))
        return kind, rng.choice(self.details[kind])

    def distinct(self) -> list[tuple[str, str]]:
        return [(u, u) for u in self.lists] + [(k, u) for k, urls in self.details.items() for u in urls]


def url_mix(port: int, token: str) -> Mix:
    """The lists, and as details every audit, every fraud run and the first page's 100 players."""
    audits = [a["audit_id"] for a in fetch_json(port, token, "/api/audits?limit=1000")["items"]]
    runs = [r["run_id"] for r in fetch_json(port, token, "/api/fraud/runs")["items"]]
    players = [p["player_id"] for p in fetch_json(port, token, "/api/players?limit=100")["items"]]
    return Mix(LISTS, {"/api/audits/{id}": [f"/api/audits/{a}" for a in audits],
                       "/api/fraud/runs/{id}": [f"/api/fraud/runs/{r}" for r in runs],
                       "/api/players/{id}": [f"/api/players/{p}" for p in players]})


def prepare(args: argparse.Namespace, folder: Path) -> tuple[dict[str, str], str]:
    """The database, settings, a users file and a token; the server's environment and the token."""
    db = folder / "riskdesk.duckdb"
    config = folder / "config"
    shutil.copytree(ROOT / "config", config, ignore=shutil.ignore_patterns("users.yaml", "api_tokens.yaml*"))
    if args.no_cache:
        import yaml

        api = yaml.safe_load((config / "api.yaml").read_text())
        (config / "api.yaml").write_text(yaml.safe_dump({**api, "read_cache_seconds": 0}))
    env = {**os.environ, "RISKDESK_DB": str(db), "RISKDESK_CONFIG_DIR": str(config), "PYTHONPATH": str(ROOT),
           "RISKDESK_USERS_FILE": str(config / "users.yaml"), "RISKDESK_LOG_LEVEL": "WARNING"}
    if args.db:
        shutil.copy(args.db, db)
    else:
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "analytics", "init-db"], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        print(f"sample database built in {time.perf_counter() - t:.1f} s")
    os.environ.update(RISKDESK_USERS_FILE=env["RISKDESK_USERS_FILE"], RISKDESK_CONFIG_DIR=str(config))
    from analytics import auth, tokens

    auth.save_users({"bench": auth.User(name="bench", role="auditor", email="bench@example.com")})
    token, _ = tokens.create("bench", 1)
    return env, token


def start(env: dict[str, str], port: int, folder: Path) -> subprocess.Popen:
    log = open(folder / "serve.log", "w")  # noqa: SIM115 - the server writes to it until stopped
    proc = subprocess.Popen([sys.executable, "-m", "analytics", "serve", "--port", str(port)], cwd=ROOT,
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"the server did not start: {(folder / 'serve.log').read_text()[-2000:]}")


def report(title: str, tally: Tally, elapsed: float) -> None:
    total = len(tally.all()) + len(tally.errors)
    print(f"\n{title}: {total:,} requests in {elapsed:.1f} s = {total / elapsed:.1f} requests/s, "
          f"{len(tally.errors)} errors")
    print(f"  all            {summary(tally.all())}")
    print(f"  server's own   {summary(tally.server)}")
    for kind in sorted(tally.times):
        print(f"  {kind:<24} {summary(tally.times[kind])}")
    for error in tally.errors[:5]:
        print(f"  error: {error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--wait", type=float, default=0.5)
    parser.add_argument("--flat-seconds", type=float, default=15)
    parser.add_argument("--flat-clients", default="1,4,16,50")
    parser.add_argument("--no-cache", action="store_true", help="read_cache_seconds: 0")
    parser.add_argument("--db", type=Path, help="a database to copy (default: the samples, built here)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="riskdesk-bench-api-"))
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S %Z')}  load {load()}  cache {'off' if args.no_cache else 'on'}")
    env, token = prepare(args, folder)
    port = free_port()
    server = start(env, port, folder)
    try:
        mix = url_mix(port, token)
        distinct = mix.distinct()
        cold = Tally()

        async def warm() -> None:
            client = Client(port, token)
            for kind, url in distinct:
                await one(client, kind, url, cold)
            await client.close()

        t = time.perf_counter()
        asyncio.run(warm())
        report(f"cold: each of the {len(distinct)} distinct URLs once", cold, time.perf_counter() - t)
        print(f"\nload before the paced phase {load()}")
        tally, elapsed = asyncio.run(run_clients(port, token, mix, args.clients, args.wait, args.seconds))
        report(f"paced: {args.clients} clients, {args.wait} s between requests, {args.seconds:g} s", tally,
               elapsed)
        best = 0.0
        for clients in (int(c) for c in args.flat_clients.split(",")):
            tally, elapsed = asyncio.run(run_clients(port, token, mix, clients, 0, args.flat_seconds))
            report(f"flat out: {clients} clients, no wait, {args.flat_seconds:g} s", tally, elapsed)
            if not tally.errors:
                best = max(best, len(tally.all()) / elapsed)
        print(f"\nmost requests/s with 0 errors: {best:.0f}   load after {load()}")
        print(f"median of the cold requests: {statistics.median(cold.all()):.1f} ms")
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
