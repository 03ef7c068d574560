"""Parquet input: typed columns checked against the contract with the CSV rules, rejects by row number."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analytics import contracts, ingest
from analytics.errors import InputError
from analytics.loaders import parse_file


def staged(parsed) -> pd.DataFrame:
    return duckdb.sql(f"SELECT * FROM read_parquet('{parsed.staged}')").df()


def write_parquet(path: Path, columns: dict) -> Path:
    pq.write_table(pa.table(columns), path)
    return path


def typed_events(path: Path) -> Path:
    """Four typed rows; row 2 has a non-whole credits balance, row 3 no player, row 4 a bad platform."""
    utc = dt.UTC
    return write_parquet(path, {
        "Distinct_ID": ["p1", "p2", None, "p4"],
        "event_time": pa.array([dt.datetime(2025, 6, 5, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))] * 4,
                               pa.timestamp("us", tz="+02:00")),
        "event_name": ["harvest"] * 4,
        "platform": ["IOS", "web", "web", "windows"],
        "install_time": pa.array([dt.datetime(2025, 6, 1, tzinfo=utc)] * 4, pa.timestamp("ms", tz="UTC")),
        "credits_balance": [100.0, 3.5, 1.0, 2.0],
        "quantity": pa.array([1, None, 2, 3], pa.int32()),
        "price_usd": [None, None, 0.99, None],
        "note": ["x", "y", "z", "w"],
    })


def test_typed_parquet_is_checked_like_csv(tmp_path: Path) -> None:
    parsed = parse_file(typed_events(tmp_path / "events.parquet"))
    assert parsed.contract is contracts.GAME_EVENTS
    assert parsed.rows == 1
    assert [(r.line, r.reason) for r in parsed.rejects] == [
        (2, "credits_balance: '3.5' is not a whole number"),
        (3, "distinct_id is empty"),
        (4, "platform: 'windows' is not one of ios/android/web"),
    ]
    assert '"distinct_id": "p2"' in parsed.rejects[0].raw
    assert parsed.warnings == ["events.parquet: extra columns kept out of the table: note"]
    row = staged(parsed).iloc[0]
    assert row["platform"] == "ios"  # allowed values stored lower-case
    assert row["event_time"] == pd.Timestamp("2025-06-05 10:00:00")  # +02:00 converted to UTC
    assert row["install_time"] == pd.Timestamp("2025-06-01 00:00:00")
    assert row["credits_balance"] == 100 and row["quantity"] == 1


def test_text_parquet_gets_the_text_rules(tmp_path: Path) -> None:
    path = write_parquet(tmp_path / "text.parquet", {
        "distinct_id": ["p1", "p2"], "event_time": ["2025-06-05T10:00:00Z", "yesterday"],
        "event_name": ["harvest", "harvest"], "platform": ["web", "web"],
        "install_time": ["2025-06-01 00:00:00", "2025-06-01T00:00:00+00:00"], "credits_balance": ["7", " "],
    })
    parsed = parse_file(path)
    assert parsed.rows == 1
    assert [(r.line, r.reason) for r in parsed.rejects] == [
        (2, "event_time: 'yesterday' is not an ISO 8601 timestamp")]
    assert staged(parsed)["credits_balance"].tolist() == [7]


def test_a_column_of_the_wrong_type_is_refused_by_name(tmp_path: Path) -> None:
    path = write_parquet(tmp_path / "bad.parquet", {
        "distinct_id": ["p1"], "event_time": [1_717_000_000], "event_name": ["harvest"], "platform": ["web"],
        "install_time": ["2025-06-01T00:00:00Z"]})
    with pytest.raises(InputError, match=r"bad\.parquet: column event_time is BIGINT in the Parquet file; "
                                         r"expected timestamp"):
        parse_file(path)


def test_not_parquet_and_adhoc_parquet(tmp_path: Path) -> None:
    fake = tmp_path / "fake.parquet"
    fake.write_bytes(b"not parquet at all")
    with pytest.raises(InputError, match=r"fake\.parquet: cannot be read as Parquet"):
        parse_file(fake)
    parsed = parse_file(write_parquet(tmp_path / "Budget 2025.parquet", {"Month": ["Jan", "Feb"], "Spend": [1, 2]}))
    assert parsed.contract is None and parsed.table == "adhoc_budget_2025" and parsed.rows == 2
    assert parsed.columns == ["month", "spend"]


def test_loading_parquet_stores_rows_and_rejects(tmp_path: Path, store, actor) -> None:
    outcome = ingest.load_one(store, typed_events(tmp_path / "events.parquet"), actor)
    assert outcome.status == "loaded" and outcome.rows_loaded == 1 and outcome.rows_rejected == 3
    with store.connect() as con:
        assert con.execute("SELECT distinct_id, platform, event_time FROM game_events").fetchall() == [
            ("p1", "ios", dt.datetime(2025, 6, 5, 10, 0))]
        assert con.execute("SELECT line FROM load_rejects ORDER BY line").fetchall() == [(2,), (3,), (4,)]
    again = ingest.load_one(store, tmp_path / "events.parquet", actor)
    assert again.status == "duplicate"


def clean_events(path: Path, platform: str = "web", player: str = "p2") -> Path:
    """A Parquet file already in the store's shape: contract names and types, clean text."""
    return write_parquet(path, {
        "distinct_id": ["p1", player],
        "event_time": pa.array([dt.datetime(2025, 6, 5, 10), dt.datetime(2025, 6, 5, 11)], pa.timestamp("us")),
        "event_name": ["harvest", "purchase_success"],
        "platform": ["web", platform],
        "install_time": pa.array([dt.datetime(2025, 6, 1)] * 2, pa.timestamp("ms")),
        "credits_balance": pa.array([10, None], pa.int64()),
        "price_usd": [None, 0.99],
    })


def test_a_clean_parquet_file_is_inserted_as_it_is(tmp_path: Path, store, actor) -> None:
    path = clean_events(tmp_path / "clean.parquet")
    parsed = parse_file(path)
    assert parsed.staged == path and parsed.rows == 2 and parsed.rejects == []  # no copy made
    outcome = ingest.load_one(store, path, actor)
    assert outcome.rows_loaded == 2
    with store.connect() as con:
        rows = con.execute("SELECT distinct_id, event_time, credits_balance, price_usd FROM game_events "
                           "ORDER BY distinct_id").fetchall()
    assert rows[0][:3] == ("p1", dt.datetime(2025, 6, 5, 10), 10)
    assert float(rows[1][3]) == 0.99 and rows[1][2] is None


def test_text_needing_care_is_copied_typed(tmp_path: Path) -> None:
    path = clean_events(tmp_path / "padded.parquet", platform=" Web ")
    parsed = parse_file(path)
    assert parsed.staged != path  # a typed copy, with the value trimmed and lower-cased
    assert staged(parsed)["platform"].tolist() == ["web", "web"]
    padded = parse_file(clean_events(tmp_path / "padded_id.parquet", player="p2 "))
    assert padded.staged != padded.path and staged(padded)["distinct_id"].tolist() == ["p1", "p2"]
    blank = parse_file(clean_events(tmp_path / "blank_id.parquet", player=""))
    assert [(r.line, r.reason) for r in blank.rejects] == [(2, "distinct_id is empty")]
