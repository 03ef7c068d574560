"""Run the enabled patterns' SQL on the store and collect their evidence and per-player flags.

`detect` fills the temporary table `fraud_hits` (pattern + the evidence columns) on an open
connection; `flags_frame` turns it into one row per player with the 15 flag columns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import duckdb
import pandas as pd

from analytics import sql
from analytics.fraud.patterns import EVIDENCE_COLUMNS, PATTERNS, Pattern
from analytics.fraud.settings import FraudSettings

FAR_FUTURE = dt.datetime(9999, 12, 31)
HITS = "fraud_hits"


def until_of(date: dt.date | None) -> dt.datetime:
    """Events before this time are used: the end of `date` (UTC), or every event when None."""
    return FAR_FUTURE if date is None else dt.datetime.combine(date + dt.timedelta(days=1), dt.time())


def enabled(cfg: FraudSettings) -> list[Pattern]:
    """The patterns switched on."""
    return [p for p in PATTERNS if p.settings(cfg).enabled]


def detect(
    con: duckdb.DuckDBPyConnection,
    cfg: FraudSettings,
    until: dt.datetime,
    progress: Callable[[Pattern], None] | None = None,
) -> dict[int, int]:
    """Fill temp table fraud_hits with every enabled pattern's evidence; return rows per pattern.

    DuckDB runs them within cfg.engine's memory cap and threads (restored afterwards).
    """
    with engine(con, cfg):
        return _detect(con, cfg, until, progress)


@contextmanager
def engine(con: duckdb.DuckDBPyConnection, cfg: FraudSettings) -> Iterator[None]:
    """Apply the engine settings (validated by the settings model) for the duration of the block."""
    if cfg.engine.memory_limit:
        con.execute(f"SET memory_limit = '{cfg.engine.memory_limit}'")
    if cfg.engine.threads:
        con.execute(f"SET threads = {int(cfg.engine.threads)}")
    try:
        yield
    finally:
        con.execute("RESET memory_limit")
        con.execute("RESET threads")


def _detect(
    con: duckdb.DuckDBPyConnection,
    cfg: FraudSettings,
    until: dt.datetime,
    progress: Callable[[Pattern], None] | None,
) -> dict[int, int]:
    cols = ", ".join(EVIDENCE_COLUMNS)
    con.execute(f"DROP TABLE IF EXISTS {HITS}")
    con.execute(
        f"CREATE TEMP TABLE {HITS} (pattern INTEGER, distinct_id VARCHAR, event_time TIMESTAMP, "
        "event_name VARCHAR, chapter BIGINT, credits_balance BIGINT, metapoints_balance BIGINT, "
        "quantity BIGINT, price_usd DECIMAL(12, 4), payment_platform VARCHAR, purchase_id VARCHAR, "
        "detail VARCHAR, value DOUBLE)"
    )
    counts = {}
    for pattern in enabled(cfg):
        if progress:
            progress(pattern)
        query = sql.load(pattern.query)
        params = pattern.params(cfg, until)
        query.check_params(params)
        # the query text comes from our own file; every value is bound
        before = con.execute(f"SELECT count(*) FROM {HITS}").fetchone()[0]
        con.execute(f"INSERT INTO {HITS} SELECT {pattern.number}, {cols} FROM ({query.text}\n) AS q", params)
        counts[pattern.number] = con.execute(f"SELECT count(*) FROM {HITS}").fetchone()[0] - before
    return counts


def flags_sql() -> str:
    """SELECT of one row per flagged player with the 15 flag columns (0/1), from fraud_hits."""
    flags = ", ".join(
        f"CAST(max(CASE WHEN pattern = {p.number} THEN 1 ELSE 0 END) AS TINYINT) AS {p.flag}"
        for p in PATTERNS
    )
    return f"SELECT distinct_id, {flags} FROM {HITS} GROUP BY distinct_id"


def flags_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per flagged player: distinct_id and the 15 flag columns."""
    return con.execute(flags_sql() + " ORDER BY distinct_id").df()


def drop(con: duckdb.DuckDBPyConnection) -> None:
    """Remove the temporary hits table."""
    con.execute(f"DROP TABLE IF EXISTS {HITS}")
