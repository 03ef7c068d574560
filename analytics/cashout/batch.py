"""audit-batch: audit every CSV of an inbox, write the day's results, then archive the audited files.

Order matters, so that a batch killed at any point and run again loses and repeats nothing: the
audits are stored (one transaction), then the day's results (`audit_<auditor>_<MM-DD-YYYY>.json`
and `.txt`) are written atomically, then the audited contents are recorded as batch-audited with
the place each file goes, and only then is each audited CSV moved into `<inbox>/<MM-DD-YYYY>/`.
A second run the same day adds to that day's results. A file whose content a batch already
audited is never audited again (a move a killed batch did not make is simply made), and one
batch runs per inbox at a time.
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


def clear_stale_temps(paths: tuple[Path, ...]) -> None:
    """Remove the temporary files a killed batch left beside these results files.

    Only called while holding the results folder (`exclusive`), so no other batch is writing them.
    """
    for path in paths:
        for tmp in path.parent.glob(f".{path.name}.*.tmp"):
            tmp.unlink(missing_ok=True)


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
    ordered = sorted(audits.values(), key=lambda a: (a["cashout_time"], a["cashout_id"], a["audit_id"]))
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
    """Where `path` goes in the archive folder: its name, or the same-content file already there,
    or the name with a ' (n)' suffix when a different file has it."""
    target, n = folder / path.name, 2
    while target.exists() and file_sha256(target) != file_sha256(path):
        target, n = folder / f"{path.stem} ({n}){path.suffix}", n + 1
    return target


def archive(path: Path, folder: Path, target: Path | None = None) -> Path:
    """Move a file into the archive folder (to `target` when planned); an exact copy there already
    means the file is simply removed from the inbox."""
    folder.mkdir(parents=True, exist_ok=True)
    target = target or archive_target(path, folder)
    if target.exists() and file_sha256(target) == file_sha256(path):
        path.unlink()
    else:
        os.replace(path, target)
    sync_dir(folder)
    sync_dir(path.parent)
    return target


def _batched_before(store: Store, shas: list[str]) -> dict[str, dict]:
    if not shas:
        return {}
    with store.connect() as con:
        return {r["file_id"]: r for r in engine.query_rows(con, "cashout/batch_files", {"ids": shas})}


def _unfinished(path: Path, record: dict) -> bool:
    """True when a batch recorded this content but was killed before it moved the file: its archive
    place does not hold the content (a file dropped again after its move finds it there)."""
    target = Path(record["archived_to"])
    return not (target.is_file() and file_sha256(target) == file_sha256(path))


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
        clear_stale_temps((json_path, txt_path))
        day_results = read_results(json_path)
        csvs = sorted(p for p in inbox.iterdir()
                      if p.is_file() and p.suffix.lower() == ".csv" and not p.name.startswith("."))
        shas = {p: file_sha256(p) for p in csvs}
        before = _batched_before(store, sorted(set(shas.values())))
        unfinished = [p for p in csvs if shas[p] in before and _unfinished(p, before[shas[p]])]
        skipped = [{"file": p.name, "reason": f"same content as {before[shas[p]]['file_name']}, audited "
                    f"by audit-batch on {before[shas[p]]['batch_date']:%m-%d-%Y}"}
                   for p in csvs if shas[p] in before and p not in unfinished]
        todo = [p for p in csvs if shas[p] not in before]
        run = runs.audit_files(store, [(p, p.name) for p in todo], actor, thresholds, progress)
        merged = merge(day_results, run, skipped)
        atomic_write(json_path, json.dumps(merged, indent=2, ensure_ascii=False) + "\n")
        atomic_write(txt_path, results_text(merged, auditor, day))
        folder = inbox / stamp(day)
        folder.mkdir(exist_ok=True)
        planned = {item.path: archive_target(item.path, folder) for item in run.files
                   if item.status == "audited" and item.path.exists()}
        moved = [(shas[p], p.name, target) for p, target in planned.items()]
        _record(store, moved, inbox, day, json_path, actor)   # before the moves: a kill now loses nothing
        for path, target in planned.items():
            archive(path, folder, target)
        # the moves a killed batch recorded but did not make, into the folder it recorded
        finished = [archive(p, Path(before[shas[p]]["archived_to"]).parent) for p in unfinished]
        archived_again = [archive(p, folder) for p in csvs if shas[p] in before and p not in unfinished]
    return {
        "date": stamp(day), "results_json": str(json_path), "results_txt": str(txt_path),
        "audited": [f.file_name for f in run.files if f.status == "audited"],
        "archived": [str(m[2]) for m in moved] + [str(p) for p in finished + archived_again],
        "failed": [{"file": f.file_name, "error": f.error} for f in run.failed],
        "skipped": skipped, "audits": run.audits, "day_audits": len(merged["audits"]),
        "warnings": [w for f in run.files for w in f.warnings],
    }
