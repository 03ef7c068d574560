"""The mule lab's sample: the contract's example settings with fewer clients, valid, stored by init-db."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analytics.mules.configuration import from_mapping
from analytics.samples import mules as gen
from analytics.settings import sample_dir
from tests.mules.helpers import check_invariants, default_mapping, simulate


def test_the_sample_settings_are_the_default_ones_with_fewer_clients() -> None:
    shipped = default_mapping()
    sample = gen.sample_mapping()
    for key in ("seed", "start"):
        assert sample[key] == shipped[key]
    for kind in ("distributor", "purchaser"):
        for key, value in sample[kind].items():
            if key != "count":
                assert value == shipped[kind][key], (kind, key)
    assert (sample["legit_clients"], sample["distributor"]["count"], sample["purchaser"]["count"]) == (60, 12, 6)
    assert from_mapping(gen.CONTRACT_EXAMPLE).effective() == from_mapping(shipped).effective()


def test_the_sample_keeps_the_contract_invariants(tmp_path: Path) -> None:
    files = gen.generate(tmp_path)
    assert [f.name for f in files] == ["accounts.csv", "drops.yaml", "transactions.csv"]
    cfg = gen.sample_config()
    result, df, accounts = simulate(cfg)
    seen = check_invariants(cfg, df, accounts)
    assert seen["drops"] == 18
    written = pd.read_csv(tmp_path / "mules" / "transactions.csv")
    assert len(written) == result.transactions.num_rows
    assert written["is_fraud"].sum() == (df["is_fraud"] == 1).sum()
    assert (sample_dir() / "mules" / "transactions.csv").stat().st_size < 1024 * 1024


def test_init_db_stores_the_sample_run(store, actor) -> None:
    from analytics.data_commands import init_db
    from analytics.mules import runs

    summary = init_db(store, sample_dir(), actor)
    derived = summary["derived"]["mules"]
    committed = pd.read_csv(sample_dir() / "mules" / "transactions.csv")
    assert derived["transactions"] == len(committed) and derived["drops"] == 18
    stored = runs.run_query(store, "run_transactions", derived["run_id"])
    assert stored["txn_id"].tolist() == committed["txn_id"].tolist()
    assert stored["amount"].astype(float).round(2).tolist() == committed["amount"].round(2).tolist()
    assert runs.list_runs(store)["run_id"].tolist() == [derived["run_id"]]
