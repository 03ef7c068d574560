"""Rendered GET answers kept while nothing they read changed: the database file (and its WAL) and the
YAML settings are stat'ed at each request, and an answer is reused only while they are unchanged.

Every committed write, by this process, the app or a cron job, appends to the database's WAL (or
checkpoints into the file), so a write anywhere makes the earlier answers stale at once; an edited
setting does too. Answers also expire after `read_cache_seconds` (figures that depend on the clock,
such as a reward's daily cap, are at most that old), and every write through the API empties the
cache as it answers.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool

from analytics import settings
from analytics.api.responses import JSON
from analytics.jsonutil import dumps


def _stat(path: Path) -> tuple:
    try:
        st = os.stat(path)
    except OSError:
        return ()
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def freshness(db: Path) -> tuple:
    """What an answer depends on besides the request: the database file, its WAL and the settings."""
    config = settings.config_dir()
    try:
        names = sorted(os.listdir(config))
    except OSError:
        names = []
    yamls = tuple((n, _stat(config / n)) for n in names if n.endswith((".yaml", ".yml")))
    return _stat(db), _stat(db.with_name(db.name + ".wal")), yamls


class ReadCache:
    """Rendered answers by request and freshness, kept `ttl` seconds at most (bounded, LRU)."""

    def __init__(self, ttl: float, size: int = 1024, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.size, self.clock = ttl, size, clock
        self._items: OrderedDict[tuple, tuple[float, tuple, int, bytes]] = OrderedDict()
        self._guard = threading.Lock()
        self.generation = 0

    def clear(self) -> None:
        """Forget every answer (after a write)."""
        with self._guard:
            self._items.clear()
            self.generation += 1

    async def answer(self, key: tuple, compute: Callable[[], Any], version: Callable[[], tuple],
                     status: int = 200) -> JSON:
        """The kept answer for `key` while `version()` is unchanged, else `compute()`'s (then kept).
        A kept answer is sent from the event loop; a computation runs in a worker thread."""
        if self.ttl <= 0:
            return JSON(await run_in_threadpool(compute), status_code=status)
        now, stamp = self.clock(), version()  # stamp first: the answer is at least this fresh
        with self._guard:
            hit = self._items.get(key)
            if hit and hit[1] == stamp and now - hit[0] < self.ttl:
                self._items.move_to_end(key)
                return JSON(hit[3], status_code=hit[2])
            generation = self.generation
        content = await run_in_threadpool(lambda: dumps(compute()).encode("utf-8"))
        with self._guard:
            if generation == self.generation:
                self._items[key] = (now, stamp, status, content)
                self._items.move_to_end(key)
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
        return JSON(content, status_code=status)
