"""One JSON encoding for the CLI, the API and the stored audits: UTC times with Z, plain numbers."""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal
from typing import Any


def iso_utc(value: dt.datetime) -> str:
    """A timestamp as ISO 8601 UTC with Z (naive values are UTC already)."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    text = value.isoformat(timespec="milliseconds" if value.microsecond else "seconds")
    return f"{text}Z"


def jsonable(value: Any) -> Any:
    """`value` made of JSON types only (NaN and infinities become None)."""
    if value is None or isinstance(value, bool | str):
        return value
    if type(value).__name__ in {"NaTType", "NAType"}:  # pandas' missing values
        return None
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return iso_utc(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy and pandas scalars
        try:
            return jsonable(value.item())
        except (TypeError, ValueError):
            pass
    return str(value)


def dumps(value: Any, indent: int | None = None) -> str:
    """JSON text of `value` (UTF-8 characters kept)."""
    return json.dumps(jsonable(value), indent=indent, ensure_ascii=False)
