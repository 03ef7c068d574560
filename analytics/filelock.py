"""A fair cross-process lock on sidecar files, so the app cannot starve a waiting cron job.

DuckDB lets one process hold a database file at a time and its own lock is not fair. Every
user of the store takes two `flock` locks: first the *gate*, then the *lock*, then lets the
gate go. Only the gate holder waits on the lock, so when the holder lets go the next
process in line gets it, and a holder can see (the gate is taken) that someone waits.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from pathlib import Path

from analytics.errors import DatabaseBusy

_FIRST_SLEEP = 0.001
_MAX_SLEEP = 0.02


def _holder_label() -> str:
    """Who we are, for the busy message another process may show."""
    argv = " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv))
    return f"pid {os.getpid()} ({argv[:120] or 'python'})"


class FairFileLock:
    """Exclusive lock shared by all processes that use one database file."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.gate_path = target.with_name(target.name + ".gate")
        self.lock_path = target.with_name(target.name + ".lock")
        self._lock_fd: int | None = None

    @property
    def held(self) -> bool:
        """True while this object holds the lock."""
        return self._lock_fd is not None

    def acquire(self, deadline: float) -> None:
        """Take the lock, waiting until `deadline` (time.monotonic) at most; else DatabaseBusy."""
        self.target.parent.mkdir(parents=True, exist_ok=True)
        gate_fd = os.open(self.gate_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            self._wait(gate_fd, deadline)
            lock_fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                self._wait(lock_fd, deadline)
            except BaseException:
                os.close(lock_fd)
                raise
            self._lock_fd = lock_fd
            self._write_holder(lock_fd)
        finally:
            os.close(gate_fd)  # closing drops the gate for the next process in line

    def release(self) -> None:
        """Let the lock go (no-op when not held)."""
        fd, self._lock_fd = self._lock_fd, None
        if fd is not None:
            try:
                os.ftruncate(fd, 0)
            finally:
                os.close(fd)

    def others_waiting(self) -> bool:
        """True when another process (or another FairFileLock) is queued at the gate."""
        try:
            fd = os.open(self.gate_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)
        return False

    def holder(self) -> str:
        """The label the current holder wrote, or 'unknown'."""
        try:
            text = self.lock_path.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            text = ""
        return text or "unknown"

    def _wait(self, fd: int, deadline: float) -> None:
        sleep = _FIRST_SLEEP
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise DatabaseBusy(
                        f"database busy: {self.target} is held by {self.holder()}; "
                        "try again shortly (RISKDESK_LOCK_TIMEOUT sets the wait)"
                    ) from None
                time.sleep(min(sleep, remaining))
                sleep = min(sleep * 2, _MAX_SLEEP)

    @staticmethod
    def _write_holder(fd: int) -> None:
        label = f"{_holder_label()} since {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}"
        os.ftruncate(fd, 0)
        os.pwrite(fd, label.encode("utf-8"), 0)
