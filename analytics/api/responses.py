"""Answers: the project's one JSON encoding and list pages."""

from __future__ import annotations

from typing import Any

import pandas as pd
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
    """One page of a list: `limit` items after `offset`."""

    def __init__(self, limit: int = DEFAULT_LIMIT, offset: int = 0) -> None:
        self.limit, self.offset = limit, offset

    def page(self, items: list, **extra: Any) -> dict:
        """`{"items": [...], "total": N}` (plus `extra` keys) for one page of `items`."""
        return {"items": items[self.offset: self.offset + self.limit], "total": len(items), **extra}
