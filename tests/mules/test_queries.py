"""The run queries behind the page, on the hand-made run stored: every figure counted by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.mules import runs
from tests.mules.handmade import T0, A, B, D, handmade_run


@pytest.fixture
def stored(store, actor):
    runs.save_run(store, handmade_run(), actor)
    return store


def test_drop_summary(stored) -> None:
    got = runs.run_query(stored, "drop_summary", "handmade").set_index("account_id")
    assert got.index.tolist() == [A, D]
    a, d = got.loc[A], got.loc[D]
    # A: 7 rows from T0, 2 approved inbounds (1000 + 500), 2 declines, all in period 1, blocked at T0 + 13 h
    assert (a["transactions"], a["batches"], a["declines"], a["periods"]) == (7, 2, 2, 1)
    assert float(a["received"]) == 1500 and a["first_seen"] == pd.Timestamp(T0)
    assert a["blocked_at"] == pd.Timestamp(T0) + pd.Timedelta(hours=13)
    assert (d["transactions"], d["batches"], d["declines"], float(d["received"])) == (2, 1, 0, 500)
    assert pd.isna(d["blocked_at"])


def test_scenario_and_type_counts(stored) -> None:
    scenarios = runs.run_query(stored, "scenario_counts", "handmade")
    # batches: A's 1000 (partial withdrawal) and 500 (single transfer), D's 500 (single purchase)
    assert scenarios[["kind", "scenario", "batches"]].values.tolist() == [
        ["distributor", "partial_withdrawal", 1], ["distributor", "single_transfer", 1],
        ["purchaser", "single_purchase", 1]]
    types = runs.run_query(stored, "type_counts", "handmade")
    counts = {(r.txn_type, r.kind, r.status): r.transactions for r in types.itertuples()}
    assert counts == {
        ("atm_withdrawal", "distributor", "approved"): 1,
        ("card_payment", "ordinary", "approved"): 2,  # C's 100 and B's 10
        ("crypto_purchase", "distributor", "approved"): 1,
        ("online_purchase", "purchaser", "approved"): 1,
        ("salary_in", "ordinary", "approved"): 1,
        ("transfer_in", "distributor", "approved"): 2,
        ("transfer_in", "distributor", "declined"): 1,
        ("transfer_in", "ordinary", "approved"): 1,  # B receives 600 from A
        ("transfer_in", "purchaser", "approved"): 1,
        ("transfer_out", "distributor", "approved"): 1,
        ("transfer_out", "distributor", "declined"): 1,
        ("transfer_out", "ordinary", "approved"): 1,  # B sends 600 on
    }
    assert sum(counts.values()) == 14


def test_transfer_edges_and_one_accounts_rows(stored) -> None:
    edges = runs.run_query(stored, "transfer_edges", "handmade")
    # only A's 600 to B is an approved in-bank transfer sent by a drop (its declined 100 went outside)
    assert edges[["source", "target", "source_kind", "target_kind", "transfers"]].values.tolist() == [
        [A, B, "distributor", "ordinary", 1]]
    assert float(edges["amount"].iloc[0]) == 600
    rows = runs.run_query(stored, "account_transactions", "handmade", account_id=B)
    assert rows["amount"].astype(float).tolist() == [600, 600, 10]
