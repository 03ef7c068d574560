"""The foundation's reader hook for Lambda log files (listed in `ingest.SPECIAL_READERS`).

`parse` stages four tables from one file: the transactions (the main table) and, in
`ParsedFile.extra`, the errors, the silences between records and one row describing the file.
Malformed blocks become the file's rejects (kept in `load_rejects` with their lines).
"""

from __future__ import annotations

import gzip
import re
import zlib
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from analytics.loaders import ParsedFile, Reject, file_sha256, safe_identifier
from analytics.overdraft import settings as ws_settings
from analytics.overdraft.logparse import FileSummary, parse_log
from analytics.overdraft.settings import ParserSettings
from analytics.overdraft.staging import ERROR_SCHEMA, FILE_SCHEMA, GAP_SCHEMA, TX_SCHEMA, ParquetSink

KIND = "lambda_logs"
TX_TABLE = "lambda_transactions"
ERROR_TABLE = "lambda_errors"
GAP_TABLE = "lambda_gaps"
FILE_TABLE = "lambda_log_files"
LOG_SUFFIXES = (".log", ".log.gz")
_SNIFF = re.compile(
    rb'^\s*(?:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\S* (?:INIT_START|START|\d{4}-)|\{"(?:time|timestamp)")')


def matches(path: Path) -> bool:
    """True for `.log` / `.log.gz` files, and for other `.gz` files holding Lambda log lines."""
    name = path.name.lower()
    if name.endswith(LOG_SUFFIXES):
        return True
    if not name.endswith(".gz"):
        return False
    try:
        with gzip.open(path, "rb") as fh:
            head = fh.read(4096)
    except (OSError, EOFError, zlib.error):
        return False
    return bool(_SNIFF.match(head))


def parse(path: Path, workdir: Path, label: str, cfg: ParserSettings | None = None,
          sha256: str | None = None) -> ParsedFile:
    """Parse one log file and stage its tables as Parquet files in `workdir` (`sha256`: the
    content hash when the caller has it already)."""
    cfg = cfg or ws_settings.load().parser
    stem = safe_identifier(Path(label).stem)[:40]
    n = len(list(workdir.iterdir()))
    paths = {name: workdir / f"{stem}.{n}.{name}.parquet" for name in ("tx", "errors", "gaps", "file")}
    sinks = {
        "tx": ParquetSink(paths["tx"], TX_SCHEMA, cfg.batch_rows),
        "errors": ParquetSink(paths["errors"], ERROR_SCHEMA, cfg.batch_rows),
        "gaps": ParquetSink(paths["gaps"], GAP_SCHEMA, cfg.batch_rows),
    }
    try:
        summary = parse_log(path, label, cfg, sinks["tx"].append, sinks["errors"].append,
                            sinks["gaps"].append)
    except BaseException:
        for sink in sinks.values():
            sink.abort()
        raise
    for sink in sinks.values():
        sink.close()
    _write_file_row(paths["file"], summary)
    return ParsedFile(
        path=path, file_name=label, sha256=sha256 or file_sha256(path), contract=None, table=TX_TABLE,
        staged=paths["tx"], rows=summary.transactions, columns=list(TX_SCHEMA.names),
        rejects=[Reject(m.line, m.reason, m.raw) for m in summary.malformed],
        warnings=summary.warnings,
        extra={ERROR_TABLE: paths["errors"], GAP_TABLE: paths["gaps"], FILE_TABLE: paths["file"]},
        kind=KIND,
    )


def _write_file_row(path: Path, s: FileSummary) -> None:
    row = {"file": [s.file], "records": [s.records], "lines": [s.lines], "transactions": [s.transactions],
           "errors": [s.errors], "sync_errors": [s.sync_errors], "malformed": [len(s.malformed)],
           "first_time": [s.first_time], "last_time": [s.last_time]}
    pq.write_table(pa.Table.from_pydict(row, schema=FILE_SCHEMA), str(path))
