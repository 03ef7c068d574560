"""Files a run writes: CSVs with a header (UTC times as ...Z, flags 0/1) and JSON, atomically."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import IO

import pandas as pd

from analytics.fileio import atomic_open
from analytics.jsonutil import dumps, iso_utc


def _atomic_write(path: Path, write: Callable[[IO], object]) -> Path:
    with atomic_open(path, "w", newline="") as fh:
        write(fh)
    return path


def csv_text_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with times as ISO 8601 UTC text (…Z) and blanks for missing values."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = [iso_utc(v.to_pydatetime()) if pd.notna(v) else "" for v in out[col]]
    return out


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write `frame` as CSV with a header row, atomically."""
    text = csv_text_frame(frame)
    return _atomic_write(path, lambda fh: text.to_csv(fh, index=False, lineterminator="\n"))


def write_json(payload: object, path: Path) -> Path:
    """Write `payload` as JSON (the project's encoding), atomically."""
    return _atomic_write(path, lambda fh: fh.write(dumps(payload, indent=1) + "\n"))
