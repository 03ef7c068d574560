"""Answers: the project's one JSON encoding, list pages, and a brief cache of read answers."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import pandas as pd
from fastapi import Query
from starlette.responses import JSONResponse

from analytics.jsonutil import dumps, jsonable

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100


class JSON(JSONResponse):
    """JSON through `analytics.jsonutil` (UTC times with Z, NaN as null), as the CLI prints it."""

    def render(self, content: Any) -> bytes:
        """The body bytes."""
        return content if isinstance(content, bytes) else dumps(content).encode("utf-8")


def records(frame: pd.DataFrame) -> list[dict]:
    """A DataFrame's rows as JSON-ready dicts."""
    return jsonable(frame.to_dict(orient="records"))


class Paging:
    """The `limit` and `offset` every list endpoint takes."""

    def __init__(
        self,
        limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="items per page (at most 1000)"),
        offset: int = Query(0, ge=0, le=2**53, description="items skipped"),
    ) -> None:
        self.limit, self.offset = limit, offset

    def page(self, items: list, **extra: Any) -> dict:
        """`{"items": [...], "total": N}` (plus `extra` keys) for one page of `items`."""
        return {"items": items[self.offset: self.offset + self.limit], "total": len(items), **extra}


class ReadCache:
    """Rendered GET answers kept for `ttl` seconds (bounded, least recently used out first)."""

    def __init__(self, ttl: float, size: int = 512) -> None:
        self.ttl, self.size = ttl, size
        self._items: OrderedDict[tuple, tuple[float, int, bytes]] = OrderedDict()
        self._guard = threading.Lock()
        self.generation = 0

    def clear(self) -> None:
        """Forget every answer (after a write)."""
        with self._guard:
            self._items.clear()
            self.generation += 1

    def answer(self, key: tuple, compute: Callable[[], Any], status: int = 200) -> JSON:
        """The cached answer for `key`, else `compute()`'s (kept when no write happened meanwhile)."""
        if self.ttl <= 0:
            return JSON(compute(), status_code=status)
        now = time.monotonic()
        with self._guard:
            hit = self._items.get(key)
            if hit and now - hit[0] < self.ttl:
                self._items.move_to_end(key)
                return JSON(hit[2], status_code=hit[1])
            generation = self.generation
        content = dumps(compute()).encode("utf-8")
        with self._guard:
            if generation == self.generation:
                self._items[key] = (now, status, content)
                self._items.move_to_end(key)
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
        return JSON(content, status_code=status)
