"""Simulator runs in the store: save a run (replacing an earlier copy of the same run), read runs back."""

from __future__ import annotations

import json

import pandas as pd

from analytics.identity import Actor, require
from analytics.mules.codes import ACCOUNT_COLUMNS, TRANSACTION_COLUMNS
from analytics.mules.runner import SimulationResult
from analytics.sql import DuckDBRunner
from analytics.store import Store

RUN_LIST_LIMIT = 200


def save_run(store: Store, result: SimulationResult, actor: Actor) -> None:
    """Store the run's accounts and transactions (the same run id again replaces its rows)."""
    require(actor, "drops.simulate")
    txn_cols = ", ".join(f'"{c}"' for c in TRANSACTION_COLUMNS)
    acct_cols = ", ".join(ACCOUNT_COLUMNS)
    with store.connect() as con:
        for table in ("drop_transactions", "drop_accounts", "drop_runs"):
            con.execute(f"DELETE FROM {table} WHERE run_id = ?", [result.run_id])
        con.register("new_drop_transactions", result.transactions)
        con.register("new_drop_accounts", result.accounts)
        try:
            con.execute(
                f"INSERT INTO drop_transactions (run_id, {txn_cols}) "
                f"SELECT ?, {txn_cols} FROM new_drop_transactions",
                [result.run_id],
            )
            con.execute(
                f"INSERT INTO drop_accounts (run_id, {acct_cols}) "
                f"SELECT ?, {acct_cols} FROM new_drop_accounts",
                [result.run_id],
            )
        finally:
            con.unregister("new_drop_transactions")
            con.unregister("new_drop_accounts")
        con.execute(
            "INSERT INTO drop_runs VALUES (?, ?, ?, ?, ?, ?, now()::TIMESTAMP, ?)",
            [
                result.run_id,
                result.config.seed,
                json.dumps(result.config.effective(), sort_keys=True),
                result.transactions.num_rows,
                result.drops,
                result.legit_clients,
                actor.name,
            ],
        )


def list_runs(store: Store, limit: int = RUN_LIST_LIMIT) -> pd.DataFrame:
    """Stored runs, newest first."""
    return DuckDBRunner(store).run("mules/runs", {"limit": limit})


def run_query(store: Store, name: str, run_id: str, **params: object) -> pd.DataFrame:
    """One of the run queries in queries/mules/ for `run_id`."""
    return DuckDBRunner(store).run(f"mules/{name}", {"run_id": run_id, **params})
