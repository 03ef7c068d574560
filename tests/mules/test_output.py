"""Run folders: byte-identical files for the same settings and seed, atomic replacement of latest/."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from analytics.mules import output
from analytics.mules.runner import Runner, run_id_for
from tests.mules.helpers import small_config


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("parquet", [False, True])
def test_same_settings_and_seed_give_byte_identical_files(tmp_path: Path, parquet: bool) -> None:
    cfg = small_config()
    first = output.write_run(Runner(cfg).run(), tmp_path / "a", parquet=parquet)
    second = output.write_run(Runner(small_config()).run(), tmp_path / "b", parquet=parquet)
    assert first.name == second.name == run_id_for(cfg)
    assert digests(first) == digests(second)
    assert digests(first) == digests(tmp_path / "a" / "latest")
    names = {"accounts.csv", "transactions.parquet" if parquet else "transactions.csv"}
    assert set(digests(first)) == names
    other = output.write_run(Runner(small_config(seed=43)).run(), tmp_path / "c", parquet=parquet)
    assert other.name != first.name
    assert digests(other)["accounts.csv"] != digests(first)["accounts.csv"]


def test_csv_holds_the_contract_columns_and_iso_times(tmp_path: Path) -> None:
    result = Runner(small_config()).run()
    folder = output.write_run(result, tmp_path)
    lines = (folder / "transactions.csv").read_text().splitlines()
    assert lines[0] == ("txn_id,timestamp,account_id,counterparty,amount,direction,txn_type,status,merchant_id,"
                        "lat,lon,ip,city,device_id,channel,is_fraud,fraud_type,scenario,period,rule")
    assert len(lines) == result.transactions.num_rows + 1
    first = lines[1].split(",")
    assert first[0] == "T000000001" and first[1].endswith("Z") and "T" in first[1]
    accounts = (folder / "accounts.csv").read_text().splitlines()
    assert accounts[0] == "account_id,client_id,is_drop,drop_type,blocked_at"
    assert len(accounts) == 6 + 4 + 20 + 1  # 6 distributors, 4 purchasers, 20 ordinary clients, header
    blocked = [row.split(",")[4] for row in accounts[1:] if row.split(",")[4]]
    assert blocked and all(b.endswith("Z") for b in blocked)


def test_parquet_reads_back_as_the_same_rows(tmp_path: Path) -> None:
    result = Runner(small_config()).run()
    folder = output.write_run(result, tmp_path, parquet=True)
    table = pq.read_table(folder / "transactions.parquet")
    assert table.column_names == result.transactions.column_names
    assert table.num_rows == result.transactions.num_rows
    assert str(table.schema.field("timestamp").type) == "timestamp[ms, tz=UTC]"
    assert table.column("amount").to_pylist() == result.transactions.column("amount").to_pylist()


def test_latest_is_replaced_and_old_runs_stay(tmp_path: Path) -> None:
    a = output.write_run(Runner(small_config()).run(), tmp_path)
    b = output.write_run(Runner(small_config(seed=5)).run(), tmp_path, parquet=True)
    assert a.is_dir() and b.is_dir()
    assert sorted(p.name for p in (tmp_path / "latest").iterdir()) == ["accounts.csv", "transactions.parquet"]
    assert digests(tmp_path / "latest") == digests(b)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "no temporary folder is left"


def test_a_failed_swap_puts_the_previous_latest_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = output.write_run(Runner(small_config()).run(), tmp_path)
    before = digests(tmp_path / "latest")
    real_replace = output.os.replace

    def failing(src, dst) -> None:
        if Path(dst).name == "latest" and ".latest.new-" in str(src):
            raise OSError("disk full")
        real_replace(src, dst)

    monkeypatch.setattr(output.os, "replace", failing)
    with pytest.raises(OSError, match="disk full"):
        output.write_run(Runner(small_config(seed=9)).run(), tmp_path, parquet=True)
    monkeypatch.undo()
    assert digests(tmp_path / "latest") == before == digests(first)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "temporary folders are removed"


def test_csv_refuses_a_value_that_would_need_quotes() -> None:
    import pyarrow as pa

    with pytest.raises(pa.ArrowInvalid):
        output.csv_bytes(pa.table({"city": ["a,b"]}))
    assert output.csv_bytes(pa.table({"city": ["ab", None]})) == b"city\nab\n\n"
    assert io.BytesIO(output.csv_bytes(pa.table({"n": [1]}))).read() == b"n\n1\n"
