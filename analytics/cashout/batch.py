"""audit-batch: audit every CSV of an inbox, write the day's results, then archive the audited files.

Order matters: the audits are stored, then the day's results (`audit_<auditor>_<MM-DD-YYYY>.json`
and `.txt`) are written atomically, and only then is each audited CSV moved into
`<inbox>/<MM-DD-YYYY>/`. A second run the same day adds to that day's results. A file whose
content a batch already audited is never audited again, and one batch runs per inbox at a time.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from analytics import settings
from analytics.cashout import engine, note, runs
from analytics.cashout.thresholds import Thresholds
from analytics.errors import InputError, RiskdeskError
from analytics.fileio import atomic_write, sync_dir
from analytics.identity import Actor, require
from analytics.loaders import file_sha256
from analytics.store import Store

_AUDITOR = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def stamp(day: dt.date) -> str:
    """The day as liveops write it in file and folder names: MM-DD-YYYY."""
    return day.strftime("%m-%d-%Y")


def results_paths(results: Path, auditor: str, day: dt.date) -> tuple[Path, Path]:
    """The day's results files (JSON and text) of an auditor."""
    if not _AUDITOR.match(auditor or ""):
        raise InputError(f"--auditor {auditor!r}: use letters, digits, '.', '_' or '-' (at most 64)")
    base = results / f"audit_{auditor}_{stamp(day)}"
    return base.with_suffix(".json"), base.with_suffix(".txt")


@contextmanager
def exclusive(folders: list[Path]) -> Iterator[None]:
    """Hold an flock on each folder (the inbox, the results) so one batch at a time works on them.

    Locking the folders themselves leaves no lock file behind; waits up to the store's lock timeout.
    """
    fds: list[int] = []
    deadline = time.monotonic() + settings.lock_timeout()
    try:
        for folder in dict.fromkeys(f.resolve() for f in folders):
            fd = os.open(folder, os.O_RDONLY)
            fds.append(fd)
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise RiskdeskError(f"another audit-batch is working on {folder}; try again later"
                                            ) from None
                    time.sleep(0.1)
        yield
    finally:
        for fd in fds:
            os.close(fd)


write_atomic = atomic_write  # the day's results: temp file, fsync, rename (analytics.fileio)


def read_results(path: Path) -> dict:
    """A day's results file ({"audits", "failed", "skipped"}), empty when there is none yet."""
    if not path.exists():
        return {"audits": [], "failed": [], "skipped": []}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: the day's results cannot be read ({exc}); move it away and run again"
                         ) from None
    if not isinstance(data, dict) or not isinstance(data.get("audits"), list):
        raise InputError(f"{path}: not a results file (expected an object with an 'audits' list)")
    return {"audits": data["audits"], "failed": data.get("failed") or [],
            "skipped": data.get("skipped") or []}


def merge(previous: dict, run: runs.AuditRun, skipped: list[dict]) -> dict:
    """The day's results after this run: audits added once each, failures brought up to date."""
    audits = {a["audit_id"]: a for a in previous["audits"] if "audit_id" in a}
    for audit in run.audits:
        audits.setdefault(audit["audit_id"], audit)
    done = {f.file_name for f in run.files if f.status == "audited"} | {s["file"] for s in skipped}
    failed = {f["file"]: f for f in previous["failed"] if f.get("file") not in done}
    failed.update({f.file_name: {"file": f.file_name, "error": f.error} for f in run.failed})
    skips = {s["file"]: s for s in previous["skipped"] if s.get("file") not in done}
    skips.update({s["file"]: s for s in skipped})
    ordered = sorted(audits.values(), key=lambda a: (a["cashout_time"], a["cashout_id"]))
    return {"audits": ordered, "failed": sorted(failed.values(), key=lambda f: f["file"]),
            "skipped": sorted(skips.values(), key=lambda s: s["file"])}


def results_text(day_results: dict, auditor: str, day: dt.date) -> str:
    """The human-readable results: a headline, then every audit's note and the failures."""
    audits = day_results["audits"]
    counts = {v: sum(a["verdict"] == v for a in audits) for v in ("approved", "flagged", "rejected")}
    head = (f"Cashout audits of {stamp(day)} ({auditor}): {len(audits)} audits - "
            f"{counts['approved']} approved, {counts['flagged']} flagged, {counts['rejected']} rejected; "
            f"{len(day_results['failed'])} files not audited")
    body = note.notes(audits, day_results["failed"])
    skipped = "".join(f"\nAlready audited before, archived again: {s['file']} ({s['reason']})"
                      for s in day_results["skipped"])
    return f"{head}\n{note.RULE}\n{body}{skipped}\n"


def archive_target(path: Path, folder: Path) -> Path:
    """Where `archive` puts the file: its name, or ' (n)' added when a different file has it."""
    target, n = folder / path.name, 2
    while target.exists() and file_sha256(target) != file_sha256(path):
        target, n = folder / f"{path.stem} ({n}){path.suffix}", n + 1
    return target


def archive(path: Path, folder: Path) -> Path:
    """Move a file into the archive folder; a same-named different file there gets a ' (n)' suffix."""
    folder.mkdir(parents=True, exist_ok=True)
    target = archive_target(path, folder)
    if target.exists():  # the very same content is there already
        path.unlink()
    else:
        os.replace(path, target)
    sync_dir(folder)
    return target


def _batched_before(store: Store, shas: list[str]) -> dict[str, dict]:
    if not shas:
        return {}
    with store.connect() as con:
        return {r["file_id"]: r for r in engine.query_rows(con, "cashout/batch_files", {"ids": shas})}


def _record(store: Store, done: list[tuple[str, str, Path]], inbox: Path, day: dt.date,
            results: Path, actor: Actor) -> None:
    if not done:
        return
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    frame = pd.DataFrame({
        "file_id": [d[0] for d in done], "file_name": [d[1] for d in done], "inbox": str(inbox),
        "batch_date": day, "archived_to": [str(d[2]) for d in done], "results": str(results),
        "run_by": actor.name, "done_at": now,
    })
    with store.connect() as con:
        con.register("batch_done", frame)
        try:
            con.execute("INSERT INTO cashout_batch_files BY NAME SELECT * FROM batch_done "
                        "ON CONFLICT DO NOTHING")
        finally:
            con.unregister("batch_done")


def audit_batch(
    store: Store, inbox: Path, results: Path, auditor: str, actor: Actor, day: dt.date | None = None,
    thresholds: Thresholds | None = None, progress: runs.Progress | None = None,
) -> dict:
    """Audit the inbox's CSVs, write the day's results, archive what was audited; return a summary."""
    require(actor, "audit.batch")
    day = day or dt.date.today()
    inbox, results = Path(inbox), Path(results)
    if not inbox.is_dir():
        raise InputError(f"--inbox {inbox}: no such folder")
    json_path, txt_path = results_paths(results, auditor, day)
    results.mkdir(parents=True, exist_ok=True)
    with exclusive([inbox, results]):
        day_results = read_results(json_path)
        csvs = sorted(p for p in inbox.iterdir()
                      if p.is_file() and p.suffix.lower() == ".csv" and not p.name.startswith("."))
        shas = {p: file_sha256(p) for p in csvs}
        before = _batched_before(store, sorted(set(shas.values())))
        skipped = [{"file": p.name, "reason": f"same content as {before[shas[p]]['file_name']}, audited "
                    f"by audit-batch on {before[shas[p]]['batch_date']:%m-%d-%Y}"}
                   for p in csvs if shas[p] in before]
        todo = [p for p in csvs if shas[p] not in before]
        run = runs.audit_files(store, [(p, p.name) for p in todo], actor, thresholds, progress)
        merged = merge(day_results, run, skipped)
        write_atomic(json_path, json.dumps(merged, indent=2, ensure_ascii=False) + "\n")
        write_atomic(txt_path, results_text(merged, auditor, day))
        # Recorded as done before anything moves: a crash while archiving leaves files that the
        # next run finds recorded, so it archives them without auditing them again.
        folder = inbox / stamp(day)
        audited = [item.path for item in run.files if item.status == "audited" and item.path.exists()]
        moved = [(shas[p], p.name, archive_target(p, folder)) for p in audited]
        _record(store, moved, inbox, day, json_path, actor)
        for path in audited:
            archive(path, folder)
        archived_again = [archive(p, folder) for p in csvs if shas[p] in before and p.exists()]
    return {
        "date": stamp(day), "results_json": str(json_path), "results_txt": str(txt_path),
        "audited": [f.file_name for f in run.files if f.status == "audited"],
        "archived": [str(m[2]) for m in moved] + [str(p) for p in archived_again],
        "failed": [{"file": f.file_name, "error": f.error} for f in run.failed],
        "skipped": skipped, "audits": run.audits, "day_audits": len(merged["audits"]),
        "warnings": [w for f in run.files for w in f.warnings],
    }
