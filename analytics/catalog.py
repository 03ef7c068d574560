"""What is loaded: tables, row counts, date ranges, files and their rejected rows."""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics.loaders import check_identifier, quote_ident
from analytics.sql import DuckDBRunner
from analytics.store import Store

# The column that dates each known table's rows (ad-hoc tables: their first time column).
TIME_COLUMNS = {
    "cashout_events": "event_time",
    "cashout_audits": "audited_at",
    "cashout_decisions": "decided_at",
    "lambda_transactions": "date_time",
    "lambda_errors": "date_time",
    "game_events": "event_time",
    "fraudsters": "last_flagged_at",
    "process_audit_log": "started_at",
    "players": "last_active_at",
    "player_transactions": "time",
    "wallet_ledger": "created_at",
    "drop_runs": "created_at",
    "drop_transactions": "timestamp",
    "drop_accounts": "blocked_at",
    "loaded_files": "loaded_at",
}


def _time_columns(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Each table's dating column: the known one, else its first time column (one catalog query)."""
    rows = con.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'main' "
        "AND (data_type LIKE 'TIMESTAMP%' OR data_type = 'DATE') ORDER BY table_name, ordinal_position"
    ).fetchall()
    found: dict[str, str] = {}
    for table, column in rows:
        found.setdefault(table, column)
    return {**found, **TIME_COLUMNS}


def overview(store: Store) -> pd.DataFrame:
    """One row per table: rows, columns, and the first and last time of its rows."""
    tables = DuckDBRunner(store).run("home/tables")
    out = []
    with store.connect() as con:
        time_columns = _time_columns(con)
        for table, n_cols in tables.itertuples(index=False):
            name = quote_ident(check_identifier(table))
            col = time_columns.get(table)
            if col:
                c = quote_ident(col)
                rows, first, last = con.execute(f"SELECT count(*), min({c}), max({c}) FROM {name}").fetchone()
            else:
                rows, first, last = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0], None, None
            out.append({"table": table, "rows": int(rows), "columns": int(n_cols),
                        "first": first, "last": last})
    return pd.DataFrame(out, columns=["table", "rows", "columns", "first", "last"])


def loaded_files(store: Store, limit: int = 200) -> pd.DataFrame:
    """The latest loaded files."""
    return DuckDBRunner(store).run("home/loaded_files", {"limit": limit})


def rejects(store: Store, file_id: str, limit: int = 1000) -> pd.DataFrame:
    """Rejected rows of one file."""
    return DuckDBRunner(store).run("home/load_rejects", {"file_id": file_id, "limit": limit})


BOOKKEEPING = {"loaded_files", "load_rejects"}


def totals(frame: pd.DataFrame) -> dict:
    """Headline figures of an overview: data tables (bookkeeping left out), their rows, files."""
    data = frame[~frame["table"].isin(BOOKKEEPING)]
    files = frame.loc[frame["table"] == "loaded_files", "rows"]
    return {
        "tables": len(data),
        "tables_with_data": int((data["rows"] > 0).sum()),
        "rows": int(data["rows"].sum()),
        "files": int(files.iloc[0]) if len(files) else 0,
    }
