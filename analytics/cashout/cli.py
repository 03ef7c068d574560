"""Cashout audit commands: `audit`, `audit-batch` and `audit-note` (contracts/cashout_events.md)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from analytics.cashout import batch, note, runs
from analytics.cli import emit
from analytics.errors import InputError
from analytics.identity import cli_actor
from analytics.store import Store

REJECTS_SHOWN = 20  # rejected rows named on stderr per file (all of them are in load_rejects)


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Add the cashout audit commands."""
    p = sub.add_parser("audit", parents=[parent],
                       help="audit the cashouts in exports (normalised or raw audit-query CSVs)")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help="CSV files (a folder: its CSVs)")
    p.set_defaults(handler=cmd_audit)

    p = sub.add_parser("audit-batch", parents=[parent],
                       help="audit every CSV of an inbox, write the day's results, archive the files")
    p.add_argument("--inbox", type=Path, required=True, help="folder of exports to audit")
    p.add_argument("--results", type=Path, required=True, help="folder of the day's results files")
    p.add_argument("--auditor", required=True, help="names the results files (who ran it is recorded)")
    p.add_argument("--date", type=_date, default=None, help="YYYY-MM-DD (default: today)")
    p.set_defaults(handler=cmd_audit_batch)

    p = sub.add_parser("audit-note", parents=[parent],
                       help="print audits (a results JSON or `audit` output) as admin-tool notes")
    p.add_argument("results", type=Path, metavar="RESULTS.json")
    p.set_defaults(handler=cmd_audit_note)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _files(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".csv")
        else:
            out.append(path)  # a missing file is reported by the run, after the others
    return out


def _report(warnings: list[str], failed: list[dict]) -> None:
    """Warnings and failures, one line each, on stderr."""
    for w in warnings:
        sys.stderr.write(f"warning: {w}\n")
    for f in failed:
        sys.stderr.write(f"error: {f['error']}\n")
    sys.stderr.flush()


def cmd_audit(args: argparse.Namespace) -> int:
    """Audit the cashouts of the files given; print the audits (JSON list) or their notes."""
    files = _files(args.files)
    run = runs.audit_files(Store(), [(f, f.name) for f in files], cli_actor())
    failed = [{"file": f.file_name, "error": f.error} for f in run.failed]
    warnings = [w for f in run.files for w in f.warnings]
    for f in run.files:
        if f.rows_rejected:
            warnings.append(f"{f.file_name}: {f.rows_rejected} rows rejected (kept in load_rejects)")
            warnings += [f"{f.file_name}: line {r.line}: {r.reason}" for r in f.rejects[:REJECTS_SHOWN]]
    _report(warnings, failed)
    emit(args, run.audits, lambda audits: note.notes(audits, failed))
    return 2 if failed else 0


def cmd_audit_batch(args: argparse.Namespace) -> int:
    """Audit an inbox: results files first, archive after."""
    summary = batch.audit_batch(Store(), args.inbox, args.results, args.auditor, cli_actor(), args.date)
    _report(summary["warnings"], summary["failed"])

    def text(s: dict) -> str:
        lines = [f"{len(s['audits'])} cashouts audited from {len(s['audited'])} files "
                 f"({s['day_audits']} in the day's results)",
                 f"results: {s['results_json']} and {s['results_txt']}"]
        lines += [f"archived: {a}" for a in s["archived"]]
        lines += [f"skipped: {x['file']}: {x['reason']}" for x in s["skipped"]]
        lines += [f"NOT AUDITED (left in the inbox): {f['file']}: {f['error']}" for f in s["failed"]]
        return "\n".join(lines)

    emit(args, summary, text)
    return 2 if summary["failed"] else 0


def read_audits(path: Path) -> tuple[list[dict], list[dict]]:
    """The audits (and failures) in an `audit` JSON list or an audit-batch results file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: not a JSON file ({exc})") from None
    audits, failed = (data, []) if isinstance(data, list) else (data.get("audits"), data.get("failed") or [])
    if not isinstance(audits, list) or not all(isinstance(a, dict) and "cashout_id" in a for a in audits):
        raise InputError(f"{path}: expected a list of audits or an object with an 'audits' list")
    return audits, failed


def cmd_audit_note(args: argparse.Namespace) -> int:
    """Print the notes of a results file."""
    audits, failed = read_audits(args.results)
    try:
        notes = [note.note(a) for a in audits]
    except (KeyError, TypeError) as exc:
        raise InputError(f"{args.results}: an audit lacks a field the note needs ({exc})") from None
    emit(args, {"notes": [{"audit_id": a.get("audit_id"), "cashout_id": a["cashout_id"], "note": n}
                          for a, n in zip(audits, notes, strict=True)], "failed": failed},
         lambda _p: note.notes(audits, failed))
    return 0
