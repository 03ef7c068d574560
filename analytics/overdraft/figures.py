"""The contract's figures, read from the stored tables (contracts/lambda_logs.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from analytics import sql
from analytics.fileio import atomic_path
from analytics.overdraft.settings import OverdraftSettings
from analytics.sql import DuckDBRunner
from analytics.store import Store

# The JSON of `logs --format json`, in the contract's order.
REPORT_KEYS = (
    "files", "records", "transactions", "errors", "sync_errors", "malformed", "users",
    "overdraft_rows", "overdraft_users", "overdraft_rows_out_of_sync_share", "out_of_sync_users",
    "out_of_sync_precision", "median_lead_time_hours",
)
_COUNTS = ("files", "records", "transactions", "errors", "sync_errors", "users", "overdraft_rows",
           "overdraft_users", "out_of_sync_users")


def _value(value: Any) -> Any:
    return None if value is None or pd.isna(value) else value


def summary(store: Store) -> dict[str, Any]:
    """The headline figures over everything stored (shares as fractions, None when undefined)."""
    row = DuckDBRunner(store).run("overdraft/summary").iloc[0]
    out: dict[str, Any] = {}
    for key in REPORT_KEYS:
        if key == "malformed":
            continue
        value = _value(row[key])
        out[key] = int(value) if key in _COUNTS else (None if value is None else float(value))
    return out


def malformed(store: Store) -> list[dict[str, Any]]:
    """Every log block that could not be read: file, line, reason."""
    frame = DuckDBRunner(store).run("overdraft/malformed")
    return [{"file": r.file, "line": None if pd.isna(r.line) else int(r.line), "reason": r.reason}
            for r in frame.itertuples(index=False)]


def report(store: Store) -> dict[str, Any]:
    """The contract's JSON document for what is stored, keys in the contract's order."""
    figures = summary(store)
    figures["malformed"] = malformed(store)
    return {key: figures[key] for key in REPORT_KEYS}


def lead_times(store: Store) -> pd.DataFrame:
    """One row per overdraft user with the lead time in hours (NaN when none)."""
    return DuckDBRunner(store).run("overdraft/lead_times")


def at_risk(store: Store, cfg: OverdraftSettings) -> pd.DataFrame:
    """The at-risk list, soonest overdraft first."""
    return DuckDBRunner(store).run("overdraft/at_risk", {"window_days": cfg.at_risk.debit_window_days})


def export_csvs(store: Store, out_dir: Path, cfg: OverdraftSettings) -> list[Path]:
    """Write transactions.csv, errors.csv and at_risk.csv into `out_dir` (each atomically)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    jobs = (("transactions.csv", "overdraft/transactions", {}),
            ("errors.csv", "overdraft/errors", {}),
            ("at_risk.csv", "overdraft/at_risk", {"window_days": cfg.at_risk.debit_window_days}))
    written = []
    with store.connect() as con:
        for name, query_name, params in jobs:
            query = sql.load(query_name)
            query.check_params(params)
            with atomic_path(out_dir / name) as tmp:
                con.execute(
                    f"COPY (\n{query.text}\n) TO $out_path "
                    "(HEADER, FORMAT csv, timestampformat '%Y-%m-%dT%H:%M:%S.%gZ')",
                    {**params, "out_path": str(tmp)},
                )
            written.append(out_dir / name)
    return written
