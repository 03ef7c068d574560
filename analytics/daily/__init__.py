"""`python -m analytics daily [--date YYYY-MM-DD]`: the morning jobs (contracts/api.md).

1. the fraud pipeline; 2. the cashout pull for the day (Athena when configured, else the store),
its audits and the notes pushed to the admin tool; 3. the overdraft check and its alerts. Each
part is logged with the run id; a failing part is alerted and the others go on.
"""

from __future__ import annotations

import argparse
import logging

from analytics.cli import emit
from analytics.fraud.cli import _date as day  # the same --date YYYY-MM-DD as the fraud command
from analytics.identity import cli_actor
from analytics.store import Store


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Add the `daily` command."""
    p = sub.add_parser("daily", parents=[parent],
                       help="the daily jobs: fraud pipeline, cashout pull and push, overdraft check")
    p.add_argument("--date", type=day, help="the day to work on (default: yesterday, UTC)")
    p.set_defaults(handler=cmd_daily)


def cmd_daily(args: argparse.Namespace) -> int:
    """Run the parts; exit 1 when one failed (after the others ran), the JSON printed either way."""
    from analytics import store
    from analytics.daily import runner
    from analytics.daily.settings import load

    logging.getLogger("riskdesk.daily").setLevel(logging.INFO)  # each part's start and end on stderr
    cfg = load()
    store.set_linger(cfg.store_linger_seconds)  # many short uses in a row; yields at once to the app
    result = runner.run(Store(), cli_actor(), args.date, cfg)
    emit(args, result, _text)
    return 0 if result["success"] else 1


def _text(r: dict) -> str:
    lines = [f"daily run {r['run_id']} for {r['date']}: {'ok' if r['success'] else 'FAILED'}"]
    for p in r["parts"]:
        lines.append(f"  {p['part']}: " + ("ok" if p["success"] else f"FAILED: {p['error']}"))
    return "\n".join(lines)
