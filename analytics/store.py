"""The one DuckDB file shared by the app, the CLI and the API: open per use, never held idle.

Every use opens the file under a fair cross-process lock, works in one short transaction and
closes. Inside a process, uses are serialised and share one DuckDB instance; when another
local use is already queued and no other process waits, the open instance is handed on
instead of being closed and reopened.

A long-lived server (the HTTP API) may ask for a short idle *linger* (`set_linger`): after the
last local use the instance stays open for at most that long, so a burst of requests does not
reopen the file for each one. The linger ends early the moment another process queues at the
gate (checked every `LINGER_POLL` seconds), so a waiting cron job or app waits at most about
that long more. The default is no linger: the file is closed as soon as nobody here uses it.
"""

from __future__ import annotations

import atexit
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from analytics import settings
from analytics.errors import DatabaseBusy
from analytics.filelock import FairFileLock

_OPEN_RETRY_SLEEP = 0.05
LINGER_POLL = 0.002  # seconds between two looks at the gate while an idle instance lingers
MAX_LINGER = 5.0  # the longest idle linger `set_linger` accepts, in seconds
_LINGER = 0.0  # this process's idle linger in seconds (0: close at once)
_AT_EXIT = False  # close_idle is registered to run at exit


def set_linger(seconds: float) -> None:
    """Keep an idle instance open up to `seconds` (at most MAX_LINGER) in this process; 0 turns it off."""
    global _LINGER, _AT_EXIT
    if not 0 <= seconds <= MAX_LINGER:
        raise ValueError(f"the store's linger must lie in [0, {MAX_LINGER:g}] seconds, got {seconds!r}")
    _LINGER = float(seconds)
    if _LINGER and not _AT_EXIT:
        atexit.register(close_idle)
        _AT_EXIT = True


def close_idle() -> None:
    """Close every lingering instance of this process now (at exit, so each file is checkpointed)."""
    with _STATES_GUARD:
        states = list(_STATES.items())
    for path, state in states:
        if state.mutex.acquire(timeout=5):
            try:
                if state.conn is not None:
                    Store(path)._close_instance()
                    state.lock.release()
                state.idle_since = None
            finally:
                state.mutex.release()


def linger() -> float:
    """This process's idle linger in seconds."""
    return _LINGER


@dataclass
class _ProcessState:
    """What one process knows about one database file."""

    lock: FairFileLock
    mutex: threading.Lock = field(default_factory=threading.Lock)
    counter: threading.Lock = field(default_factory=threading.Lock)
    waiting: int = 0
    conn: duckdb.DuckDBPyConnection | None = None
    owner: int | None = None
    depth: int = 0
    migrated: bool = False
    idle_since: float | None = None  # when the last use left an instance open with nobody queued
    wake: threading.Event = field(default_factory=threading.Event)
    closer: threading.Thread | None = None


_STATES: dict[Path, _ProcessState] = {}
_STATES_GUARD = threading.Lock()


def _state_for(path: Path) -> _ProcessState:
    with _STATES_GUARD:
        state = _STATES.get(path)
        if state is None:
            state = _STATES[path] = _ProcessState(lock=FairFileLock(path))
        return state


class Store:
    """Handle on the database file; cheap to create, holds nothing open between uses."""

    def __init__(self, path: Path | str | None = None, lock_timeout: float | None = None) -> None:
        self.path = Path(path).expanduser().resolve() if path else settings.db_path()
        self.lock_timeout = lock_timeout if lock_timeout is not None else settings.lock_timeout()
        self._state = _state_for(self.path)

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Open the store for one short transaction; commit on success, roll back on error."""
        state = self._state
        me = threading.get_ident()
        if state.owner == me:  # nested use on the same thread: same connection, same transaction
            state.depth += 1
            try:
                yield state.conn  # type: ignore[misc]
            finally:
                state.depth -= 1
            return
        deadline = time.monotonic() + self.lock_timeout
        self._enter(deadline)
        conn = state.conn
        assert conn is not None
        try:
            conn.begin()
            try:
                yield conn
            except BaseException:
                conn.rollback()
                raise
            conn.commit()
        finally:
            self._leave()

    @contextmanager
    def exclusive_file(self) -> Iterator[Path]:
        """Hold the store's lock with no instance open here, so a child process may open it."""
        state = self._state
        deadline = time.monotonic() + self.lock_timeout
        self._enter(deadline, open_instance=not state.migrated)
        try:
            self._close_instance()
            if not state.lock.held:
                state.lock.acquire(deadline)
            yield self.path
        finally:
            self._leave()

    def ensure_created(self) -> None:
        """Create the file and its tables when missing (a no-op otherwise)."""
        with self.connect():
            pass

    # -- internals -------------------------------------------------------------------------
    def _enter(self, deadline: float, open_instance: bool = True) -> None:
        state = self._state
        with state.counter:
            state.waiting += 1
        try:
            got = state.mutex.acquire(timeout=max(deadline - time.monotonic(), 0))
        finally:
            with state.counter:
                state.waiting -= 1
        if not got:
            raise DatabaseBusy(
                f"database busy: {self.path} is in use by other sessions of this process "
                f"for more than {self.lock_timeout:g} s; try again shortly"
            )
        state.owner = threading.get_ident()
        state.idle_since = None
        try:
            if open_instance and state.conn is None:
                self._open_instance(deadline)
        except BaseException:
            state.owner = None
            state.mutex.release()
            raise

    def _leave(self) -> None:
        state = self._state
        try:
            with state.counter:
                local_queue = state.waiting > 0
            keep = (local_queue or _LINGER > 0) and state.conn is not None
            if not (keep and not state.lock.others_waiting()):
                self._close_instance()
                state.lock.release()
            elif not local_queue:
                state.idle_since = time.monotonic()
                self._start_closer()
        finally:
            state.owner = None
            state.mutex.release()

    def _start_closer(self) -> None:
        """Wake the thread that closes a lingering instance (started on first need)."""
        state = self._state
        if state.closer is None or not state.closer.is_alive():
            state.closer = threading.Thread(target=_close_when_idle, args=(self,), daemon=True,
                                            name=f"store-linger-{self.path.name}")
            state.closer.start()
        state.wake.set()

    def _open_instance(self, deadline: float) -> None:
        state = self._state
        if not state.lock.held:
            state.lock.acquire(deadline)
        try:
            state.conn = self._connect_file(deadline)
            if not state.migrated:
                from analytics.schema import migrate

                migrate(state.conn)
                state.migrated = True
        except BaseException:
            self._close_instance()
            state.lock.release()
            raise

    def _connect_file(self, deadline: float) -> duckdb.DuckDBPyConnection:
        """Open the file, retrying while a process outside our protocol holds DuckDB's lock."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            try:
                conn = duckdb.connect(str(self.path))
                conn.execute("SET TimeZone = 'UTC'")
                return conn
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                    if "lock" in str(exc).lower():
                        raise DatabaseBusy(f"database busy: {_first_line(exc)}") from None
                    raise
                time.sleep(_OPEN_RETRY_SLEEP)

    def _close_instance(self) -> None:
        state = self._state
        conn, state.conn = state.conn, None
        if conn is not None:
            conn.close()


def _close_when_idle(store: Store) -> None:
    """Closer thread: end each linger when it has lasted long enough or another process queues."""
    state = store._state
    while True:
        state.wake.wait()
        state.wake.clear()
        while True:
            time.sleep(LINGER_POLL)
            if not state.mutex.acquire(blocking=False):
                continue  # in use here; the use leaving starts a new linger or closes
            try:
                if state.conn is None:
                    break
                if state.idle_since is None:  # handed on and left by a use that did not linger
                    state.idle_since = time.monotonic()
                expired = time.monotonic() - state.idle_since >= _LINGER
                if expired or state.lock.others_waiting():
                    store._close_instance()
                    state.lock.release()
                    state.idle_since = None
                    break
            finally:
                state.mutex.release()


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def default_store() -> Store:
    """The store named by the environment (RISKDESK_DB), created on first use."""
    return Store()
