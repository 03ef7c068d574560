"""Run folders: DIR/<run id>/ and DIR/latest/ with transactions (CSV or Parquet) and accounts.csv.

Files are built in a hidden temporary folder next to the target, then renamed into place; an
older folder of the same name is moved aside first and removed only after the new one is in
place. The same tables always give the same bytes (no times or hash order in the files).
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from analytics.errors import InputError
from analytics.mules.runner import SimulationResult

LATEST = "latest"


def csv_bytes(table: pa.Table) -> bytes:
    """The table as CSV: a header, ISO 8601 UTC times with Z, no quoting (values never need it)."""
    columns = []
    for field, column in zip(table.schema, table.columns, strict=True):
        if pa.types.is_timestamp(field.type):  # "2025-01-01 00:00:00" -> "2025-01-01T00:00:00Z"
            text = pc.replace_substring(pc.cast(column, pa.string()), " ", "T")
            column = pc.binary_join_element_wise(text, "Z", "")
        columns.append(column)
    text = pa.table(columns, names=table.column_names)
    out = io.BytesIO()
    out.write((",".join(table.column_names) + "\n").encode())
    pacsv.write_csv(text, out, pacsv.WriteOptions(include_header=False, quoting_style="none"))
    return out.getvalue()


def parquet_bytes(table: pa.Table) -> bytes:
    """The table as Parquet (times as UTC timestamps), written the same way every time."""
    columns = [
        pc.cast(c, pa.timestamp("s", tz="UTC")) if pa.types.is_timestamp(f.type) else c
        for f, c in zip(table.schema, table.columns, strict=True)
    ]
    out = io.BytesIO()
    pq.write_table(
        pa.table(columns, names=table.column_names),
        out,
        compression="zstd",
        write_statistics=True,
        use_dictionary=True,
    )
    return out.getvalue()


def run_files(result: SimulationResult, parquet: bool) -> dict[str, bytes]:
    """File name -> content of one run folder."""
    txns = (
        ("transactions.parquet", parquet_bytes(result.transactions))
        if parquet
        else ("transactions.csv", csv_bytes(result.transactions))
    )
    return {txns[0]: txns[1], "accounts.csv": csv_bytes(result.accounts)}


def write_run(result: SimulationResult, out_dir: Path, parquet: bool = False) -> Path:
    """Write DIR/<run id>/ and DIR/latest/; return the run folder."""
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--out {out_dir}: cannot create the folder ({exc.strerror})") from None
    if not out_dir.is_dir():
        raise InputError(f"--out {out_dir}: not a folder")
    files = run_files(result, parquet)
    target = out_dir / result.run_id
    for name in (result.run_id, LATEST):
        _publish(out_dir, name, files)
    return target


def _publish(out_dir: Path, name: str, files: dict[str, bytes]) -> None:
    """Build the folder under a temporary name, then swap it in for `name` (the old one back on failure)."""
    staging = Path(tempfile.mkdtemp(dir=out_dir, prefix=f".{name}.new-"))
    aside = Path(tempfile.mkdtemp(dir=out_dir, prefix=f".{name}.old-"))
    target, kept = out_dir / name, aside / name
    try:
        for file_name, data in files.items():
            with open(staging / file_name, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(staging, 0o755)  # noqa: S103 - a results folder others may read (mkdtemp makes it 0700)
        if target.is_symlink() or target.exists():
            os.replace(target, kept)
        try:
            os.replace(staging, target)
        except BaseException:
            if kept.is_symlink() or kept.exists():
                os.replace(kept, target)
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(aside, ignore_errors=True)
