"""`python -m analytics logs PATH... --out DIR [--alert]` (contracts/lambda_logs.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from analytics.cli import emit
from analytics.errors import InputError
from analytics.identity import cli_actor
from analytics.overdraft import alerts, figures, importer
from analytics.overdraft import settings as ws_settings
from analytics.store import Store


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Add the `logs` command."""
    p = sub.add_parser("logs", parents=[parent],
                       help="load balance-sync Lambda logs; print the overdraft figures, write CSVs")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="log files or folders (.log, .gz)")
    p.add_argument("--out", type=Path, help="folder for transactions.csv, errors.csv and at_risk.csv")
    p.add_argument("--alert", action="store_true", help="send the alerts not sent before")
    p.add_argument("--workers", type=int, help="files parsed at once (default: parser.workers)")
    p.set_defaults(handler=cmd_logs)


def cmd_logs(args: argparse.Namespace) -> int:
    """Load the logs, then report on everything stored."""
    cfg = ws_settings.load()
    if args.workers is not None and args.workers < 1:
        raise InputError("--workers must be at least 1")
    files = importer.expand(args.paths)
    if not files:
        raise InputError("no log files found in " + ", ".join(str(p) for p in args.paths))
    store, actor = Store(), cli_actor()
    outcomes = importer.load_logs(store, files, actor, workers=args.workers or cfg.parser.workers)
    failed = [{"file": o.file_name, "error": o.error} for o in outcomes if o.status == "failed"]
    for f in failed:
        sys.stderr.write(f"error: {f['error']}\n")
    result: dict[str, Any] = figures.report(store)
    result["failed"] = failed
    code = 2 if failed else 0
    if args.out is not None:
        figures.export_csvs(store, args.out, cfg)
    if args.alert:
        sent = alerts.send_alerts(store, cfg, actor)
        result["alerts"] = sent
        for f in sent["failed"]:
            sys.stderr.write(f"error: alert {f['key']} not delivered: {f['error']}\n")
        if sent["failed"] and not code:
            code = 1
    result["success"] = code == 0
    emit(args, result, _text)
    return code


def _text(r: dict[str, Any]) -> str:
    def share(v: float | None) -> str:
        return "n/a" if v is None else f"{v:.1%}"

    lines = [
        f"{r['files']} log files, {r['records']:,} records: {r['transactions']:,} transactions, "
        f"{r['errors']:,} errors ({r['sync_errors']:,} sync errors), {len(r['malformed'])} malformed blocks",
        f"{r['users']:,} subscribers; {r['overdraft_rows']:,} overdraft rows of {r['overdraft_users']:,} "
        f"subscribers, {share(r['overdraft_rows_out_of_sync_share'])} of them out of sync",
        f"{r['out_of_sync_users']:,} subscribers out of sync, {share(r['out_of_sync_precision'])} of them "
        f"reached overdraft; median lead time "
        + ("n/a" if r["median_lead_time_hours"] is None else f"{r['median_lead_time_hours']:.1f} h"),
    ]
    lines += [f"  malformed: {m['file']} line {m['line']}: {m['reason']}" for m in r["malformed"][:20]]
    if "alerts" in r:
        a = r["alerts"]
        lines.append(f"alerts: {len(a['sent'])} sent, {len(a['skipped'])} sent before, "
                     f"{len(a['failed'])} failed")
    return "\n".join(lines)
