"""Load files into the store: parse outside the lock, insert in one short transaction.

Files are known by the sha256 of their content: loading the same content again adds nothing.
Every file's rejected rows are kept in `load_rejects` with their line numbers.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType

import duckdb
import pandas as pd

from analytics.errors import InputError, RiskdeskError
from analytics.identity import Actor, require
from analytics.loaders import ParsedFile, Reject, file_sha256, parse_file, quote_ident
from analytics.modules import optional_module
from analytics.store import Store

# Workspace readers for formats that are not plain contract CSVs (raw cashout exports, Lambda
# logs). Each module has `matches(path: Path) -> bool` and
# `parse(path: Path, workdir: Path, label: str) -> ParsedFile`; a missing module is skipped.
SPECIAL_READERS = ("analytics.cashout.ingest", "analytics.overdraft.ingest")

PREVIEW_ROWS = 20
Progress = Callable[[int, int, str], None]


@dataclass
class LoadOutcome:
    """What happened to one file."""

    file_name: str
    status: str  # loaded | duplicate | failed
    contract: str | None = None
    table: str | None = None
    rows_loaded: int = 0
    rejects: list[Reject] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    file_id: str | None = None
    preview: pd.DataFrame | None = None

    @property
    def rows_rejected(self) -> int:
        """Number of rejected rows."""
        return len(self.rejects)

    def to_dict(self) -> dict:
        """JSON-ready summary (the preview left out)."""
        out = asdict(self)
        out.pop("preview")
        out["rows_rejected"] = self.rows_rejected
        return out


def special_reader(path: Path) -> ModuleType | None:
    """The workspace reader module that understands `path`, if any."""
    for name in SPECIAL_READERS:
        module = optional_module(name)
        if module is not None and module.matches(path):
            return module
    return None


def parse_any(
    path: Path, workdir: Path, label: str | None = None, contract: str | None = None
) -> ParsedFile:
    """Parse one file with the reader its content calls for."""
    label = label or path.name
    if contract is None:
        reader = special_reader(path)
        if reader is not None:
            return reader.parse(path, workdir, label)
    return parse_file(path, contract, workdir, display_name=label)


def _table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema='main' "
            "AND table_name = ?",
            [table],
        ).fetchone()[0]
    )


def _free_adhoc_name(con: duckdb.DuckDBPyConnection, base: str) -> str:
    name, n = base, 2
    while _table_exists(con, name):
        name, n = f"{base[:58]}_{n}", n + 1
    return name


def _parquet_sql(path: Path) -> str:
    return "read_parquet('" + str(path).replace("'", "''") + "')"


def store_parsed(store: Store, parsed: ParsedFile, actor: Actor) -> LoadOutcome:
    """Insert a parsed file in one transaction; a file already loaded adds nothing."""
    outcome = LoadOutcome(
        file_name=parsed.file_name, status="loaded", contract=parsed.contract_name,
        table=parsed.table, rows_loaded=parsed.rows, rejects=parsed.rejects,
        warnings=parsed.warnings, file_id=parsed.sha256,
    )
    with store.connect() as con:
        seen = _loaded_as(con, parsed.sha256)
        if seen:
            return _duplicate(parsed.file_name, parsed.sha256, *seen)
        targets = {parsed.table: parsed.staged, **parsed.extra}
        for table, staged in targets.items():
            if parsed.contract is None and parsed.kind is None:
                table = outcome.table = _free_adhoc_name(con, table)
                con.execute(f"CREATE TABLE {quote_ident(table)} AS SELECT * FROM {_parquet_sql(staged)}")
            else:
                con.execute(
                    f"INSERT INTO {quote_ident(table)} BY NAME "
                    f"SELECT *, $sha AS source_file FROM {_parquet_sql(staged)}",
                    {"sha": parsed.sha256},
                )
        con.execute(
            "INSERT INTO loaded_files VALUES (?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP, ?)",
            [parsed.sha256, parsed.file_name, parsed.contract_name, outcome.table, parsed.rows,
             len(parsed.rejects), json.dumps(parsed.warnings), actor.name],
        )
        if parsed.rejects:
            frame = pd.DataFrame(
                {"file_id": parsed.sha256, "file_name": parsed.file_name,
                 "line": [r.line for r in parsed.rejects],
                 "reason": [r.reason for r in parsed.rejects],
                 "raw": [r.raw for r in parsed.rejects]}
            ).astype({"line": "Int64"})
            con.register("rejects_frame", frame)
            con.execute("INSERT INTO load_rejects BY NAME SELECT * FROM rejects_frame")
            con.unregister("rejects_frame")
    return outcome


def _preview(parsed: ParsedFile) -> pd.DataFrame:
    con = duckdb.connect()
    try:
        return con.execute(f"SELECT * FROM {_parquet_sql(parsed.staged)} LIMIT {PREVIEW_ROWS}").df()
    finally:
        con.close()


def load_one(
    store: Store, path: Path, actor: Actor, label: str | None = None, contract: str | None = None
) -> LoadOutcome:
    """Parse and store one file; bad input becomes a failed outcome, never an exception."""
    label = label or Path(path).name
    workdir = Path(tempfile.mkdtemp(prefix="riskdesk-stage-"))
    try:
        sha = file_sha256(path) if Path(path).is_file() else None
        if sha:
            with store.connect() as con:
                seen = _loaded_as(con, sha)
            if seen:
                return _duplicate(label, sha, *seen)
        parsed = parse_any(Path(path), workdir, label, contract)
        outcome = store_parsed(store, parsed, actor)
        if outcome.status == "loaded":
            outcome.preview = _preview(parsed)
        return outcome
    except InputError as exc:
        return LoadOutcome(file_name=label, status="failed", error=str(exc))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _loaded_as(con: duckdb.DuckDBPyConnection, sha: str) -> tuple | None:
    """(file name, table, loaded_at) of an already loaded content, or None."""
    return con.execute(
        "SELECT file_name, table_name, loaded_at FROM loaded_files WHERE file_id = ?", [sha]
    ).fetchone()


def _duplicate(label: str, sha: str, name: str, table: str, when: object) -> LoadOutcome:
    note = f"{label}: same content as {name}, loaded {when:%Y-%m-%d %H:%M} UTC; nothing added"
    return LoadOutcome(file_name=label, status="duplicate", table=table, file_id=sha, warnings=[note])


def load_files(
    store: Store, files: Iterable[tuple[Path, str]], actor: Actor,
    contract: str | None = None, progress: Progress | None = None, workers: int = 2,
) -> list[LoadOutcome]:
    """Load (path, label) pairs, parsing up to `workers` at once; results in input order."""
    require(actor, "data.upload")
    items = list(files)
    done = 0
    first_of: dict[str, str] = {}  # sha -> label of the first file in this batch with that content
    for path, label in items:
        if Path(path).is_file():
            first_of.setdefault(file_sha256(path), label)

    def one(item: tuple[Path, str]) -> LoadOutcome:
        path, label = item
        sha = file_sha256(path) if Path(path).is_file() else None
        if sha and first_of.get(sha) != label:
            note = f"{label}: same content as {first_of[sha]} in this batch; nothing added"
            return LoadOutcome(file_name=label, status="duplicate", file_id=sha, warnings=[note])
        return load_one(store, path, actor, label, contract)

    outcomes: list[LoadOutcome] = []
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for outcome in pool.map(one, items):
            outcomes.append(outcome)
            done += 1
            if progress:
                progress(done, len(items), outcome.file_name)
    return outcomes


def summarise(outcomes: list[LoadOutcome]) -> dict:
    """Totals over outcomes, as the CLI prints them."""
    return {
        "files": len(outcomes),
        "loaded": sum(o.status == "loaded" for o in outcomes),
        "duplicates": sum(o.status == "duplicate" for o in outcomes),
        "failed": sum(o.status == "failed" for o in outcomes),
        "rows_loaded": sum(o.rows_loaded for o in outcomes),
        "rows_rejected": sum(o.rows_rejected for o in outcomes),
        "results": [o.to_dict() for o in outcomes],
    }


__all__ = ["LoadOutcome", "RiskdeskError", "load_files", "load_one", "parse_any", "store_parsed"]
