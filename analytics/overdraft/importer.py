"""Load many log files: parse them in parallel processes outside the store's lock, insert each
under the lock as soon as it is parsed. Files already loaded (same content) are not parsed again."""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from pathlib import Path

import pyarrow as pa

from analytics import ingest as core_ingest
from analytics.errors import InputError
from analytics.identity import Actor, require
from analytics.ingest import LoadOutcome
from analytics.loaders import ParsedFile, file_sha256
from analytics.overdraft import ingest as log_ingest
from analytics.overdraft import settings as ws_settings
from analytics.sql import DuckDBRunner
from analytics.store import Store

Progress = Callable[[int, int, str], None]


def expand(paths: list[Path]) -> list[tuple[Path, str]]:
    """(path, label) of the files named and of the log files under the folders named (recursively,
    `.gz` included); a file in a folder is labelled by its path below that folder."""
    files: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")
                           and log_ingest.matches(p))
            files += [(p, p.relative_to(path).as_posix()) for p in found]
        elif path.is_file():
            files.append((path, path.name))
        else:
            raise InputError(f"{path}: no such file or folder")
    return files


def _parse_one(path: str, workdir: str, label: str, sha256: str) -> ParsedFile | str:
    """Worker: parse one file; the error text instead when the file cannot be used."""
    try:
        return log_ingest.parse(Path(path), Path(workdir), label, sha256=sha256)
    except InputError as exc:
        return str(exc)


def _already_loaded(store: Store, shas: list[str]) -> dict[str, str]:
    frame = DuckDBRunner(store).run("overdraft/loaded_files", {"file_ids": shas})
    return dict(zip(frame["file_id"], frame["file_name"], strict=True))


def _worker_init() -> None:
    """In each parser process: Arrow allocates with malloc, which hands freed batches back at once
    (its default pool keeps them; about 20 MB more per process on large files)."""
    pa.set_memory_pool(pa.system_memory_pool())


@contextlib.contextmanager
def parse_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """Parser processes: forked from the main thread (the CLI), spawned from any other (a web
    server's). Before a fork the parent's objects are frozen out of the garbage collector, so the
    children do not copy the pages the collector would touch (about 30 MB per process)."""
    method = "fork" if threading.current_thread() is threading.main_thread() else "spawn"
    if method == "fork":
        gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method),
                                 initializer=_worker_init) as pool:
            yield pool
    finally:
        if method == "fork":
            gc.unfreeze()


def load_logs(store: Store, files: list[tuple[Path, str]], actor: Actor, progress: Progress | None = None,
              workers: int | None = None) -> list[LoadOutcome]:
    """Parse and store log files given as (path, label); outcomes in input order."""
    require(actor, "logs.import")
    workers = workers or ws_settings.load().parser.workers
    outcomes: list[LoadOutcome | None] = [None] * len(files)
    shas = [file_sha256(path) for path, _ in files]
    known = _already_loaded(store, shas)
    first_of: dict[str, int] = {}
    todo: list[int] = []
    for i, ((_path, label), sha) in enumerate(zip(files, shas, strict=True)):
        if sha in known:
            note = f"{label}: same content as {known[sha]}, already loaded; nothing added"
            outcomes[i] = LoadOutcome(file_name=label, status="duplicate", file_id=sha, warnings=[note])
        elif sha in first_of:
            note = f"{label}: same content as {files[first_of[sha]][1]} in this batch; nothing added"
            outcomes[i] = LoadOutcome(file_name=label, status="duplicate", file_id=sha, warnings=[note])
        else:
            first_of[sha] = i
            todo.append(i)
    done = len(files) - len(todo)
    if progress and done:
        progress(done, len(files), "already loaded")
    workdir = Path(tempfile.mkdtemp(prefix="riskdesk-logs-"))
    try:
        def finish(i: int, result: ParsedFile | str) -> None:
            nonlocal done
            label = files[i][1]
            if isinstance(result, str):
                outcomes[i] = LoadOutcome(file_name=label, status="failed", error=result)
            else:
                outcomes[i] = core_ingest.store_parsed(store, result, actor)
                for staged in (result.staged, *result.extra.values()):
                    staged.unlink(missing_ok=True)
            done += 1
            if progress:
                progress(done, len(files), label)

        args = [(str(files[i][0]), str(workdir), files[i][1], shas[i]) for i in todo]
        if workers <= 1 or len(todo) <= 1:
            for i, a in zip(todo, args, strict=True):
                finish(i, _parse_one(*a))
        else:
            with parse_pool(min(workers, len(todo))) as pool:
                futures: dict[Future, int] = {
                    pool.submit(_parse_one, *a): i for i, a in zip(todo, args, strict=True)}
                for future in as_completed(futures):
                    finish(futures[future], future.result())
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return [o for o in outcomes if o is not None]
