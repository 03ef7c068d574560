"""Commands for data in general: sample data, building the store, loading files, tables, SQL."""

from __future__ import annotations

import argparse
from pathlib import Path

from analytics import catalog, ingest, samples, settings, sqlbox
from analytics.cli import emit
from analytics.errors import InputError
from analytics.identity import Actor, cli_actor
from analytics.loaders import CSV_SUFFIXES, EXCEL_SUFFIXES
from analytics.modules import optional_module
from analytics.store import Store

# Workspaces that derive something from freshly loaded samples (e.g. audits, a fraud run):
# each module has `after_sample_load(store, actor) -> dict`; a missing module is skipped.
SAMPLE_HOOKS = (
    "analytics.cashout.samples_hook",
    "analytics.overdraft.samples_hook",
    "analytics.fraud.samples_hook",
    "analytics.rewards.samples_hook",
    "analytics.mules.samples_hook",
)


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Add the data commands."""
    p = sub.add_parser("sample-data", parents=[parent], help="write the sample inputs")
    p.add_argument("--out", type=Path, default=settings.sample_dir(), help="folder (default sample_data/)")
    p.set_defaults(handler=cmd_sample_data)

    p = sub.add_parser("init-db", parents=[parent], help="create the store and load the samples")
    p.add_argument("--if-missing", action="store_true", help="do nothing when the database exists")
    p.add_argument("--samples", type=Path, default=settings.sample_dir(), help="sample folder")
    p.add_argument("--empty", action="store_true", help="create the tables only, load nothing")
    p.set_defaults(handler=cmd_init_db)

    p = sub.add_parser("load", parents=[parent], help="load CSV/Excel files (or folders) into the store")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p.add_argument("--contract", help="read every file as this contract instead of detecting it")
    p.set_defaults(handler=cmd_load)

    p = sub.add_parser("tables", parents=[parent], help="what is loaded: tables, rows, date ranges")
    p.set_defaults(handler=cmd_tables)

    p = sub.add_parser("sql", parents=[parent], help="run one read-only SQL query on the store")
    p.add_argument("query")
    p.add_argument("--max-rows", type=int, default=sqlbox.DEFAULT_MAX_ROWS)
    p.add_argument("--timeout", type=float, default=sqlbox.DEFAULT_TIMEOUT, help="seconds")
    p.set_defaults(handler=cmd_sql)


def cmd_sample_data(args: argparse.Namespace) -> int:
    """Write the sample inputs."""
    files = samples.write_all(args.out)
    payload = {"out": str(args.out), "files": [str(f) for f in files]}
    emit(args, payload, lambda p: f"wrote {len(p['files'])} files under {p['out']}")
    return 0


def init_db(store: Store, sample_dir: Path, actor: Actor, load: bool = True) -> dict:
    """Create the store's tables and load the sample files into it; run the workspace hooks."""
    store.ensure_created()
    outcomes, derived = [], {}
    if load:
        for path, contract in samples.sample_files(sample_dir):
            if contract is None and not _readable(path):
                continue
            outcomes.append(ingest.load_one(store, path, actor, path.name, contract))
        for name in SAMPLE_HOOKS:
            module = optional_module(name)
            if module is not None:
                derived[name.split(".")[1]] = module.after_sample_load(store, actor)
    summary = ingest.summarise(outcomes)
    return {"database": str(store.path), **summary, "derived": derived}


def _readable(path: Path) -> bool:
    """True when some reader understands the file (a CSV/Excel or a workspace's format)."""
    return path.suffix.lower() in CSV_SUFFIXES | EXCEL_SUFFIXES or ingest.special_reader(path) is not None


def cmd_init_db(args: argparse.Namespace) -> int:
    """Create the store (and load the samples) unless --if-missing finds it there."""
    store = Store()
    if args.if_missing and store.path.exists():
        emit(args, {"database": str(store.path), "created": False},
             lambda p: f"{p['database']} exists; nothing to do")
        return 0
    result = init_db(store, args.samples, cli_actor(), load=not args.empty)
    result["created"] = True
    emit(args, result, _load_text)
    return 2 if result["failed"] else 0


def _expand(paths: list[Path]) -> list[Path]:
    files = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    return files


def cmd_load(args: argparse.Namespace) -> int:
    """Load files into the store."""
    files = _expand(args.paths)
    outcomes = ingest.load_files(Store(), [(f, f.name) for f in files], cli_actor(), args.contract)
    result = ingest.summarise(outcomes)
    emit(args, result, _load_text)
    return 2 if result["failed"] else 0


def _load_text(result: dict) -> str:
    lines = []
    for r in result["results"]:
        if r["status"] == "failed":
            lines.append(f"FAILED   {r['file_name']}: {r['error']}")
        elif r["status"] == "duplicate":
            lines.append(f"SKIPPED  {r['file_name']}: already loaded")
        else:
            lines.append(
                f"LOADED   {r['file_name']} -> {r['table']}: {r['rows_loaded']} rows, "
                f"{r['rows_rejected']} rejected"
            )
            lines += [f"         line {x['line']}: {x['reason']}" for x in r["rejects"][:10]]
    lines.append(
        f"{result['loaded']} loaded, {result['duplicates']} already there, {result['failed']} failed; "
        f"{result['rows_loaded']} rows, {result['rows_rejected']} rejected"
    )
    return "\n".join(lines)


def cmd_tables(args: argparse.Namespace) -> int:
    """Print what is loaded."""
    frame = catalog.overview(Store())
    emit(args, {"tables": frame.to_dict(orient="records")}, lambda _p: frame.to_string(index=False))
    return 0


def cmd_sql(args: argparse.Namespace) -> int:
    """Run one read-only query."""
    result = sqlbox.run_sql(Store(), args.query, cli_actor(), args.max_rows, args.timeout)

    def text(r: dict) -> str:
        import pandas as pd

        frame = pd.DataFrame(r["rows"], columns=[c["name"] for c in r["columns"]])
        more = " (truncated)" if r["truncated"] else ""
        return f"{frame.to_string(index=False)}\n{r['row_count']} rows{more} in {r['elapsed_s']} s"

    emit(args, result, text)
    return 0
