"""`python -m analytics simulate-drops`: run the simulator, write the run folder, store the run."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from analytics.cli import emit
from analytics.errors import InputError
from analytics.identity import cli_actor, require
from analytics.mules import configuration, output, runs
from analytics.mules.runner import Runner
from analytics.store import Store


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Add simulate-drops."""
    p = sub.add_parser(
        "simulate-drops",
        parents=[parent],
        help="simulate drops (money mules) among ordinary clients; write and store the run",
    )
    p.add_argument("--config", type=Path, default=None, help="drops.yaml (default config/drops.yaml)")
    p.add_argument("--seed", default=None, help="seed (default: the config's seed)")
    p.add_argument("--out", type=Path, required=True, help="folder for <run id>/ and latest/")
    p.add_argument("--distributors", default=None, help="number of distributors (default: the config's)")
    p.add_argument("--purchasers", default=None, help="number of purchasers (default: the config's)")
    p.add_argument("--legit-clients", default=None, help="number of ordinary clients (default: the config's)")
    p.add_argument("--parquet", action="store_true", help="transactions.parquet instead of transactions.csv")
    p.set_defaults(handler=cmd_simulate_drops)


def _count(flag: str, text: str | None) -> int | None:
    """A whole number >= 0 given on the command line (None when the flag was not given)."""
    if text is None:
        return None
    try:
        value = int(text)
    except ValueError:
        raise InputError(f"{flag} must be a whole number, got {text!r}") from None
    if value < 0:
        raise InputError(f"{flag} must not be negative, got {value}")
    return value


def cmd_simulate_drops(args: argparse.Namespace) -> int:
    """Simulate, write DIR/<run id>/ and DIR/latest/, store the run, print the summary."""
    started = time.perf_counter()
    actor = cli_actor()
    require(actor, "drops.simulate")
    if args.config is not None and not args.config.is_file():
        raise InputError(f"--config {args.config}: no such file")
    counts = {
        "seed": _count("--seed", args.seed),
        "distributors": _count("--distributors", args.distributors),
        "purchasers": _count("--purchasers", args.purchasers),
        "legit_clients": _count("--legit-clients", args.legit_clients),
    }
    cfg = configuration.with_overrides(configuration.load_drops(args.config), **counts)
    result = Runner(cfg).run()
    folder = output.write_run(result, args.out, parquet=args.parquet)
    runs.save_run(Store(), result, actor)
    payload = {
        "run_id": result.run_id,
        "transactions": result.transactions.num_rows,
        "drops": result.drops,
        "legit_clients": result.legit_clients,
        "seconds": round(time.perf_counter() - started, 3),
    }
    emit(
        args,
        payload,
        lambda p: (
            f"run {p['run_id']}: {p['transactions']:,} transactions, {p['drops']} drops, "
            f"{p['legit_clients']} ordinary clients in {p['seconds']} s\n"
            f"wrote {folder} and {folder.parent / output.LATEST}"
        ),
    )
    return 0
