"""Audit runs: files (exports or raw audit-query exports) parsed in parallel, loaded, then audited.

Parsing happens outside the store's lock, up to `workers` files at once; the store is then held
once to insert every file and run the set-based audit of all their cashouts together.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from analytics import ingest
from analytics.cashout import engine
from analytics.cashout import ingest as raw_reader
from analytics.cashout.thresholds import Thresholds
from analytics.cashout.thresholds import load as load_thresholds
from analytics.errors import InputError
from analytics.identity import Actor, require
from analytics.jsonutil import iso_utc
from analytics.loaders import ParsedFile, Reject, file_sha256
from analytics.store import Store

Progress = Callable[[int, int, str], None]
CASHOUT_KINDS = ("cashout_events", raw_reader.KIND)
NOT_CASHOUT = ("is not a cashout export: expected the columns of contracts/cashout_events.md "
               "(event_time, user_id, username, event_type, amount) or a raw audit-query export "
               "(type, balancechange, escrowchange)")


@dataclass
class FileAudit:
    """What became of one file of a run: its audits, or the reason it could not be audited."""

    file_name: str
    path: Path
    file_id: str | None = None
    status: str = "audited"  # audited | failed
    error: str | None = None
    audits: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows_loaded: int = 0
    rows_rejected: int = 0
    rejects: list[Reject] = field(default_factory=list)  # this load's unreadable rows, with their lines
    already_loaded: bool = False

    def fail(self, error: str) -> None:
        """Mark the file as not audited, with the reason."""
        self.status, self.error = "failed", error


@dataclass
class AuditRun:
    """Every file of a run and every audit it produced (ordered by cashout time)."""

    files: list[FileAudit]
    audits: list[dict]

    @property
    def failed(self) -> list[FileAudit]:
        """The files that could not be audited."""
        return [f for f in self.files if f.status == "failed"]


def _parse(item: FileAudit, workdir: Path) -> ParsedFile | None:
    """Parse one file (None when it failed; the reason is on the item)."""
    folder = Path(tempfile.mkdtemp(dir=workdir))  # one folder per file: staged names never clash
    try:
        parsed = ingest.parse_any(item.path, folder, item.file_name)
    except InputError as exc:
        item.fail(str(exc))
        return None
    if parsed.table != "cashout_events":
        item.fail(f"{item.file_name} {NOT_CASHOUT}")
        return None
    item.rows_loaded, item.rows_rejected, item.rejects = parsed.rows, len(parsed.rejects), parsed.rejects
    item.warnings += parsed.warnings
    return parsed


def _known(store: Store, shas: list[str]) -> dict[str, tuple]:
    """(contract, table, name, rows, rejected) of the contents already loaded, by file id."""
    if not shas:
        return {}
    with store.connect() as con:
        rows = engine.query_rows(con, "cashout/loaded_as", {"ids": shas})
    return {r["file_id"]: (r["contract"], r["table_name"], r["file_name"], r["rows_loaded"],
                           r["rows_rejected"]) for r in rows}


def _stage_all(items: list[FileAudit], known: dict[str, tuple], workdir: Path, workers: int,
               progress: Progress | None) -> list[ParsedFile]:
    """Parse the files not loaded yet, `workers` at a time; the others are checked against the store."""
    first: dict[str, FileAudit] = {}
    todo = []
    for item in items:
        if item.status == "failed":
            continue
        if item.file_id in known:
            contract, table, name, rows, rejected = known[item.file_id]
            item.already_loaded, item.rows_loaded, item.rows_rejected = True, rows, rejected
            item.warnings.append(f"{item.file_name}: same content as {name}, loaded before; nothing added")
            if contract not in CASHOUT_KINDS:
                item.fail(f"{item.file_name} was loaded before as {table} (contract {contract}) and "
                          f"{NOT_CASHOUT}")
        elif item.file_id in first:
            item.warnings.append(f"{item.file_name}: same content as {first[item.file_id].file_name} "
                                 "in this run; audited once")
        else:
            first[item.file_id] = item
            todo.append(item)
    staged: list[ParsedFile] = []
    total = len(items)
    done = total - len(todo)
    if progress and done:
        progress(done, total, "files already loaded")
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for item, parsed in zip(todo, pool.map(lambda it: _parse(it, workdir), todo), strict=True):
            done += 1
            if progress:
                progress(done, total, item.file_name)
            if parsed is not None:
                staged.append(parsed)
    for item in items:  # copies of a file that failed fail with it
        twin = first.get(item.file_id or "")
        if twin is not None and twin is not item and twin.status == "failed":
            item.fail(twin.error or "")
    return staged


def _by_file(con, ids: list[str]) -> dict[str, set[tuple]]:
    rows = engine.query_rows(con, "cashout/file_cashouts", {"files": ids})
    out: dict[str, set[tuple]] = {}
    for r in rows:
        out.setdefault(r["file_id"], set()).add((r["user_id"], r["unit"], iso_utc(r["cashout_time"])))
    return out


def audit_files(
    store: Store, files: Iterable[tuple[Path, str]], actor: Actor,
    thresholds: Thresholds | None = None, progress: Progress | None = None,
) -> AuditRun:
    """Load and audit (path, label) files: every cashout in them gets an audit (stored once)."""
    require(actor, "audit.run")
    t = thresholds or load_thresholds()
    items = [FileAudit(label, Path(path)) for path, label in files]
    for item in items:
        if item.path.is_file():
            item.file_id = file_sha256(item.path)
        else:
            item.fail(f"{item.path}: no such file")
    known = _known(store, sorted({i.file_id for i in items if i.file_id}))
    workdir = Path(tempfile.mkdtemp(prefix="riskdesk-audit-"))
    try:
        staged = _stage_all(items, known, workdir, t.workers, progress)
        ok = sorted({i.file_id for i in items if i.status == "audited" and i.file_id})
        audits: list[dict] = []
        cashouts: dict[str, set[tuple]] = {}
        with store.connect() as con:
            for parsed in staged:
                ingest.store_parsed(store, parsed, actor)
            if ok:
                audits = engine.audit_in(con, ok, actor, t)
                cashouts = _by_file(con, ok)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if progress:
        progress(len(items), len(items), f"{len(audits)} cashouts audited")
    for item in items:
        if item.status != "audited":
            continue
        keys = cashouts.get(item.file_id or "", set())
        item.audits = [a for a in audits if (a["user_id"], a["unit"], a["cashout_time"]) in keys]
        if not keys:
            item.fail(f"{item.file_name}: no cashout row (event_type cashout, or a successful "
                      "CashOutFinish): nothing to audit")
    return AuditRun(items, audits)


def audit_all(store: Store, actor: Actor, thresholds: Thresholds | None = None) -> list[dict]:
    """Audit every cashout in the store (set-based, one query); new audits are stored."""
    require(actor, "audit.run")
    t = thresholds or load_thresholds()
    with store.connect() as con:
        return engine.audit_in(con, None, actor, t)
