"""Rows of a parsed log file written to Parquet in batches (bounded memory), ready for the store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from analytics.overdraft.logparse import ERROR_COLUMNS, GAP_COLUMNS, TX_COLUMNS

_TS = pa.timestamp("ms")
TX_SCHEMA = pa.schema([
    ("date_time", _TS), ("request_id", pa.string()), ("message_id", pa.string()), ("id", pa.string()),
    ("type", pa.string()), ("source", pa.string()), ("action", pa.string()), ("user_id", pa.string()),
    ("payment_balance", pa.float64()), ("update_payment_balance", pa.bool_()),
    ("currency", pa.string()), ("amount", pa.float64()), ("vat", pa.float64()),
    ("old_balance", pa.float64()), ("new_balance", pa.float64()), ("metadata", pa.string()),
    ("in_sync", pa.bool_()),
])
ERROR_SCHEMA = pa.schema([
    ("date_time", _TS), ("request_id", pa.string()), ("message_id", pa.string()),
    ("user_id", pa.string()), ("message", pa.string()), ("is_sync_error", pa.bool_()),
    ("file", pa.string()), ("line", pa.int64()),
])
GAP_SCHEMA = pa.schema([
    ("gap_start", _TS), ("gap_end", _TS), ("gap_seconds", pa.float64()), ("file", pa.string()),
    ("line", pa.int64()),
])
FILE_SCHEMA = pa.schema([
    ("file", pa.string()), ("records", pa.int64()), ("lines", pa.int64()),
    ("transactions", pa.int64()), ("errors", pa.int64()), ("sync_errors", pa.int64()),
    ("malformed", pa.int64()), ("first_time", _TS), ("last_time", _TS),
])
assert tuple(TX_SCHEMA.names) == TX_COLUMNS and tuple(ERROR_SCHEMA.names) == ERROR_COLUMNS
assert tuple(GAP_SCHEMA.names) == GAP_COLUMNS


class ParquetSink:
    """Collects rows (lists in schema order) and writes them to one Parquet file in batches."""

    def __init__(self, path: Path, schema: pa.Schema, batch_rows: int) -> None:
        self.path = path
        self.schema = schema
        self.batch_rows = batch_rows
        self.rows = 0
        self._pending: list[list[Any]] = []
        self._writer = pq.ParquetWriter(str(path), schema, compression="zstd")

    def append(self, row: list[Any]) -> None:
        """Add one row; a full batch is written out."""
        self._pending.append(row)
        if len(self._pending) >= self.batch_rows:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        columns = list(zip(*self._pending, strict=True))
        arrays = [pa.array(col, type=f.type) for col, f in zip(columns, self.schema, strict=True)]
        self._writer.write_table(pa.Table.from_arrays(arrays, schema=self.schema))
        self.rows += len(self._pending)
        self._pending = []

    def close(self) -> None:
        """Write what is left and the file's footer."""
        self._flush()
        self._writer.close()

    def abort(self) -> None:
        """Close without caring for the content (the file is thrown away)."""
        self._pending = []
        self._writer.close()
