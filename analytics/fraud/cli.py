"""`python -m analytics fraud EVENTS... --out DIR [--manual FILE] [--date D] [--send]` and friends."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from analytics import ingest
from analytics.cli import emit
from analytics.data_commands import _expand
from analytics.errors import InputError
from analytics.fraud import manual, pipeline, send, settings, thresholds
from analytics.identity import cli_actor
from analytics.store import Store


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--date: {text!r} is not a date YYYY-MM-DD") from None


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Add the fraud commands."""
    p = sub.add_parser("fraud", parents=[parent], help="load game events and run the fraud pipeline")
    p.add_argument("events", nargs="+", type=Path, metavar="EVENTS", help="game event files or folders")
    p.add_argument("--out", type=Path, required=True, help="folder for the CSVs and cohort.json")
    p.add_argument("--manual", type=Path, help="CSV of manual fraudsters (a distinct_id column)")
    p.add_argument("--date", type=_date, help="run as of the end of this UTC day (YYYY-MM-DD)")
    p.add_argument("--send", action="store_true", help="also send the cohort to cohort.endpoint")
    p.set_defaults(handler=cmd_fraud)

    p = sub.add_parser(
        "fraud-thresholds",
        parents=[parent],
        help="show, change or roll back the fraud thresholds (versioned)",
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="e.g. patterns.large_jump.credits_rise=50000 (repeatable)",
    )
    p.add_argument("--rollback", type=int, metavar="VERSION", help="make an earlier version live again")
    p.add_argument("--note", help="why (kept with the version)")
    p.set_defaults(handler=cmd_thresholds)

    p = sub.add_parser("fraud-send", parents=[parent], help="send a run's cohort to cohort.endpoint")
    p.add_argument("--run", help="run id (default: the latest run)")
    p.set_defaults(handler=cmd_send)


def cmd_fraud(args: argparse.Namespace) -> int:
    """Load the events, run the four steps, write the files; exit 2 when a file failed, 1 when a step did."""
    actor, store = cli_actor(), Store()
    cfg = settings.check(settings.load())
    manual_list = manual.read(args.manual) if args.manual else None
    if args.send:
        send.check_endpoint(cfg)
    files = _expand(args.events)
    outcomes = ingest.load_files(store, [(f, f.name) for f in files], actor, contract="game_events")
    for o in outcomes:
        if o.status == "failed":
            sys.stderr.write(f"error: {o.error}\n")
    outcome = pipeline.run(store, actor, args.out, manual_list.ids if manual_list else None, args.date)
    payload = outcome.to_dict()
    payload["loaded"] = ingest.summarise(outcomes)
    payload["manual"] = manual_list.to_dict() if manual_list else None
    payload["alerts"] = outcome.alerts
    ok = outcome.success
    if args.send:
        payload["send"] = send.send(store, actor, outcome.run_id, cfg)
        ok = ok and payload["send"]["success"]
        payload["success"] = ok
    for step in outcome.steps:
        if not step.success:
            sys.stderr.write(f"error: {step.step} ({step.name}) failed: {step.error}\n")
    emit(args, payload, _text)
    if payload["loaded"]["failed"]:
        return 2
    return 0 if ok else 1


def _text(p: dict) -> str:
    lines = [
        f"run {p['run_id']} (thresholds v{p['threshold_version']}): {'ok' if p['success'] else 'FAILED'}"
    ]
    for s in p["steps"]:
        state = f"{s['result'].get('rows', 0)} rows" if s["success"] else f"FAILED: {s['error']}"
        lines.append(f"  {s['step']} {s['name']}: {state}")
    lines.append(f"files in {p['out']}")
    if p.get("send"):
        s = p["send"]
        lines.append(
            f"sent {s['profiles']} of {s['total_profiles']} profiles"
            + (f"; {s['error']}" if s["error"] else "")
        )
    return "\n".join(lines)


def _parse_value(text: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def cmd_thresholds(args: argparse.Namespace) -> int:
    """Show the live thresholds and their history; --set or --rollback saves a new version."""
    actor, store = cli_actor(), Store()
    if args.rollback is not None:
        thresholds.rollback(store, args.rollback, actor)
    elif args.set:
        cfg, _ = thresholds.current(store, actor)
        data = cfg.thresholds()
        for item in args.set:
            key, sep, value = item.partition("=")
            parts = key.strip().split(".")
            if not sep or parts[0] not in data or len(parts) < 2:
                raise InputError(
                    f"--set {item!r}: expected KEY=VALUE with KEY like patterns.large_jump.credits_rise"
                )
            node = data
            for part in parts[:-1]:
                if not isinstance(node, dict) or part not in node:
                    raise InputError(f"--set {item!r}: no setting {key!r}")
                node = node[part]
            if parts[-1] not in node:
                raise InputError(f"--set {item!r}: no setting {key!r}")
            node[parts[-1]] = _parse_value(value)
        thresholds.save(store, data, actor, args.note, source="cli")
    cfg, version = thresholds.current(store, actor)
    history = thresholds.history(store)
    payload = {
        "version": version,
        "thresholds": cfg.thresholds(),
        "history": history.to_dict(orient="records"),
    }
    emit(
        args, payload, lambda p: f"live thresholds: version {p['version']}\n" + history.to_string(index=False)
    )
    return 0


def cmd_send(args: argparse.Namespace) -> int:
    """Send a run's cohort payload; exit 1 when the endpoint refused it."""
    result = send.send(Store(), cli_actor(), args.run)
    emit(
        args,
        result,
        lambda r: (
            f"sent {r['profiles']} of {r['total_profiles']} profiles in {r['batches']} "
            f"batch(es) to {r['endpoint']}" + (f"; failed: {r['error']}" if r["error"] else "")
        ),
    )
    return 0 if result["success"] else 1
