"""`python -m analytics rewards PLAYERS --rules RULES.json [--transactions TX.csv] [--issue]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analytics import ingest
from analytics.cli import emit
from analytics.errors import InputError
from analytics.identity import cli_actor
from analytics.rewards import process
from analytics.rewards.rules import load_rules_file
from analytics.rewards.settings import load_config
from analytics.store import Store

MAX_REJECT_LINES = 20


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Add the rewards command."""
    p = sub.add_parser(
        "rewards",
        parents=[parent],
        help="segment players, apply reward rules with profit safety and abuse checks (contracts/players.md)",
    )
    p.add_argument("players", type=Path, metavar="PLAYERS", help="player export (CSV or Excel .xlsx)")
    p.add_argument("--rules", type=Path, required=True, metavar="RULES.json", help="reward rules (JSON)")
    p.add_argument(
        "--transactions", type=Path, metavar="TX.csv", help="transaction ledger (CSV) for abuse signals"
    )
    p.add_argument(
        "--issue",
        action="store_true",
        help="issue the approved rewards into the wallet ledger (idempotent: a rerun pays nothing twice)",
    )
    p.set_defaults(handler=cmd_rewards)


def _warn(text: str) -> None:
    sys.stderr.write(f"warning: {text}\n")


def _report_rejects(outcome: ingest.LoadOutcome) -> None:
    for note in outcome.warnings:
        _warn(note)
    for reject in outcome.rejects[:MAX_REJECT_LINES]:
        _warn(f"{outcome.file_name} line {reject.line}: {reject.reason} (row skipped)")
    if outcome.rows_rejected > MAX_REJECT_LINES:
        _warn(
            f"{outcome.file_name}: {outcome.rows_rejected - MAX_REJECT_LINES} more rows skipped; "
            "all are kept in load_rejects"
        )


def cmd_rewards(args: argparse.Namespace) -> int:
    """Load the files, evaluate the rules on the file's players, optionally issue; print the result."""
    cfg = load_config()
    rules = load_rules_file(args.rules, cfg.formula)  # a bad rule stops everything: exit 2, nothing saved
    store, actor = Store(), cli_actor()
    if not args.players.is_file():
        raise InputError(f"{args.players}: no such file")
    players = ingest.load_one(store, args.players, actor, args.players.name, "players")
    if players.status == "failed":
        raise InputError(players.error or f"{args.players.name}: cannot be loaded")
    _report_rejects(players)
    failed = []
    if args.transactions is not None:
        if not args.transactions.is_file():
            failed.append(f"{args.transactions}: no such file")
        else:
            ledger = ingest.load_one(
                store, args.transactions, actor, args.transactions.name, "player_transactions"
            )
            if ledger.status == "failed":
                failed.append(ledger.error or f"{args.transactions.name}: cannot be loaded")
            else:
                _report_rejects(ledger)
    result = process.run(store, rules, cfg, actor, file_id=players.file_id, issue=args.issue)
    for player, rows in sorted(result.repeated.items()):
        _warn(f"{args.players.name}: player {player} appears {rows} times; its last row is used")
    for message in failed:
        sys.stderr.write(f"error: {message}\n")
    payload = process.contract_json(result, cfg)
    emit(args, payload, _text)
    return 2 if failed else 0


def _text(payload: list[dict]) -> str:
    lines = [f"{'player':<12} {'segment':<10} {'rule':<28} {'amount':>10} {'decision':<9} reason"]
    for p in payload:
        for r in p["rewards"] or [None]:
            if r is None:
                lines.append(f"{p['player_id']:<12} {p['segment']:<10} {'-':<28}")
                continue
            decision = "approved" if r["approved"] else "declined"
            lines.append(
                f"{p['player_id']:<12} {p['segment']:<10} {r['rule_id']:<28} {r['amount']:>10.2f} "
                f"{decision:<9} {r['reason'] or ''}"
            )
    approved = sum(r["approved"] for p in payload for r in p["rewards"])
    lines.append(f"{len(payload)} players, {approved} rewards approved")
    return "\n".join(lines)
