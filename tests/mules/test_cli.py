"""`simulate-drops`: the contract's JSON, the run folder and latest/, the stored run, exit status 2."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from analytics.cli import main
from analytics.identity import os_user
from tests.mules.helpers import default_mapping, write_yaml
from tests.test_cli import cli


def small_yaml(tmp_path: Path, **changes) -> Path:
    data = default_mapping()
    data["end"] = "2025-01-15T00:00:00Z"
    data.update(changes)
    return write_yaml(tmp_path / "drops.yaml", data)


def test_simulate_writes_the_run_and_stores_it(tmp_path: Path, cli_env, db_path: Path) -> None:
    config = small_yaml(tmp_path)
    args = ["simulate-drops", "--config", str(config), "--seed", "3", "--out", str(tmp_path / "out"),
            "--distributors", "4", "--purchasers", "2", "--legit-clients", "10", "--format", "json"]
    result = cli(cli_env, *args)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert list(payload) == ["run_id", "transactions", "drops", "legit_clients", "seconds"]
    assert payload["drops"] == 6 and payload["legit_clients"] == 10 and payload["seconds"] > 0
    run = tmp_path / "out" / payload["run_id"]
    lines = (run / "transactions.csv").read_text().splitlines()
    assert payload["transactions"] == len(lines) - 1
    assert (tmp_path / "out" / "latest" / "transactions.csv").read_bytes() == (run / "transactions.csv").read_bytes()
    assert len((run / "accounts.csv").read_text().splitlines()) == 1 + 6 + 10

    again = json.loads(cli(cli_env, *args).stdout)
    assert again["run_id"] == payload["run_id"]
    assert (run / "transactions.csv").read_text().splitlines() == lines
    with duckdb.connect(str(db_path), read_only=True) as con:
        runs = con.execute("SELECT run_id, seed, transactions, drops, legit_clients, created_by FROM drop_runs"
                           ).fetchall()
        stored = con.execute("SELECT count(*) FROM drop_transactions WHERE run_id = ?", [payload["run_id"]]
                             ).fetchone()[0]
        accounts = con.execute("SELECT count(*), sum(is_drop) FROM drop_accounts").fetchone()
        config_json = json.loads(con.execute("SELECT config FROM drop_runs").fetchone()[0])
    # the same run twice is stored once (replaced, not added)
    assert runs == [(payload["run_id"], 3, payload["transactions"], 6, 10, os_user())]
    assert stored == payload["transactions"]
    assert accounts == (16, 6)
    assert config_json["distributor"]["count"] == 4 and config_json["seed"] == 3


def test_parquet_and_the_default_config(tmp_path: Path, cli_env) -> None:
    result = cli(cli_env, "simulate-drops", "--out", str(tmp_path / "o"), "--parquet", "--distributors", "2",
                 "--purchasers", "1", "--legit-clients", "3", "--format", "json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["run_id"].startswith("s42-")  # the default config's seed
    assert sorted(p.name for p in (tmp_path / "o" / payload["run_id"]).iterdir()) == [
        "accounts.csv", "transactions.parquet"]


def test_bad_input_exits_2_with_one_line_naming_the_key(tmp_path: Path, cli_env, capsys) -> None:
    data = default_mapping()
    data["distributor"]["scenarios"]["split_transfers"] = 0.5
    bad = write_yaml(tmp_path / "bad.yaml", data)
    result = cli(cli_env, "simulate-drops", "--config", str(bad), "--out", str(tmp_path / "o"), "--format", "json")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "distributor.scenarios: Value error, probabilities sum to 1.1, not 1" in result.stderr
    for flags, expected in (
        (["--legit-clients", "-3"], "--legit-clients must not be negative, got -3"),
        (["--seed", "x"], "--seed must be a whole number, got 'x'"),
        (["--config", str(tmp_path / "missing.yaml")], "missing.yaml: no such file"),
    ):
        assert main(["simulate-drops", "--out", str(tmp_path / "o"), "--format", "json", *flags]) == 2
        out, err = capsys.readouterr()
        assert out == "" and expected in err and err.count("\n") == 1
    assert not (tmp_path / "o").exists(), "nothing is written for bad input"
