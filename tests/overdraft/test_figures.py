"""Every contract figure computed from the hand-made scenario (see scenario.py for the arithmetic)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from analytics.overdraft import figures, importer
from analytics.overdraft import settings as ws_settings
from tests.overdraft import scenario
from tests.overdraft.scenario import U


@pytest.fixture
def loaded(store, actor, tmp_path: Path):
    paths = scenario.write(tmp_path / "logs")
    outcomes = importer.load_logs(store, [(p, p.name) for p in paths], actor, workers=1)
    assert [o.status for o in outcomes] == ["loaded", "loaded"]
    return store


def test_report_figures(loaded) -> None:
    report = figures.report(loaded)
    assert list(report) == list(figures.REPORT_KEYS)
    assert report["files"] == 2
    # 12 requests of 5 records (START, transaction, published, END, REPORT), 5 of them with a sync
    # error record (6 records), and the timed-out request: START, Processing, ERROR, END, REPORT
    assert report["records"] == 12 * 5 + 5 + 5
    assert report["transactions"] == 12
    assert report["errors"] == 6 and report["sync_errors"] == 5
    assert report["malformed"] == []
    assert report["users"] == 5
    assert report["overdraft_rows"] == 3  # T13, T22, T51
    assert report["overdraft_users"] == 3  # u1, u2, u5
    assert report["overdraft_rows_out_of_sync_share"] == pytest.approx(2 / 3)  # T13 and T51 of 3
    assert report["out_of_sync_users"] == 4  # u1, u3, u4, u5
    assert report["out_of_sync_precision"] == pytest.approx(2 / 4)  # u1 and u5 reached overdraft
    assert report["median_lead_time_hours"] == pytest.approx(24.0)  # median of 48 and 0


def test_lead_times_per_user(loaded) -> None:
    frame = figures.lead_times(loaded).set_index("user_id")
    assert frame.loc[U[1], "lead_time_hours"] == pytest.approx(48.0)
    assert frame.loc[U[5], "lead_time_hours"] == 0
    assert frame["lead_time_hours"].isna().tolist().count(True) == 1 and pd_isna(frame.loc[U[2], "lead_time_hours"])


def pd_isna(value) -> bool:
    return value != value  # NaN is the only value unequal to itself


def test_at_risk_list(loaded) -> None:
    frame = figures.at_risk(loaded, ws_settings.OverdraftSettings())
    assert frame["user_id"].tolist() == [U[3]]
    row = frame.iloc[0]
    assert row["payment_balance"] == 20 and row["debits_in_window"] == 2 and row["debit_sum_in_window"] == 40
    assert row["avg_daily_debit"] == pytest.approx(40 / 30)
    assert row["days_to_overdraft"] == pytest.approx(15.0)
    assert str(row["out_of_sync_since"]).startswith("2024-03-05 09:00")


def test_a_shorter_window_changes_days_to_overdraft(loaded) -> None:
    cfg = ws_settings.OverdraftSettings(at_risk={"debit_window_days": 1})
    row = figures.at_risk(loaded, cfg).iloc[0]
    # only the 35 debit of 03-05 lies in the day up to it: 20 / (35 / 1)
    assert row["days_to_overdraft"] == pytest.approx(20 / 35)


def test_csv_files_have_the_contract_columns(loaded, tmp_path: Path) -> None:
    written = figures.export_csvs(loaded, tmp_path / "out", ws_settings.OverdraftSettings())
    assert [p.name for p in written] == ["transactions.csv", "errors.csv", "at_risk.csv"]
    with open(tmp_path / "out" / "transactions.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["date_time", "request_id", "message_id", "id", "type", "source", "action", "user_id",
                             "payment_balance", "update_payment_balance", "currency", "amount", "vat",
                             "old_balance", "new_balance", "metadata", "in_sync"]
    assert len(rows) == 12 and rows[0]["id"] == "T31" and rows[0]["date_time"] == "2024-02-01T09:00:00.000Z"
    with open(tmp_path / "out" / "errors.csv", newline="") as fh:
        errors = list(csv.DictReader(fh))
    assert list(errors[0]) == ["date_time", "request_id", "message_id", "user_id", "message", "is_sync_error",
                               "file", "line"]
    assert sum(e["is_sync_error"] == "true" for e in errors) == 5
    timeout = next(e for e in errors if e["request_id"] == "req-timeout")
    assert (timeout["file"], timeout["message_id"], timeout["user_id"]) == ("b.log", "m-t", "")
    with open(tmp_path / "out" / "at_risk.csv", newline="") as fh:
        at_risk = list(csv.DictReader(fh))
    assert [(r["user_id"], float(r["days_to_overdraft"])) for r in at_risk] == [(U[3], 15.0)]
    assert not list((tmp_path / "out").glob(".*.tmp"))


def test_loading_the_same_content_again_adds_nothing(loaded, actor, tmp_path: Path) -> None:
    again = scenario.write(tmp_path / "again")
    renamed = tmp_path / "renamed.log"
    renamed.write_bytes(again[0].read_bytes())
    outcomes = importer.load_logs(loaded, [(p, p.name) for p in [*again, renamed]], actor, workers=1)
    assert [o.status for o in outcomes] == ["duplicate", "duplicate", "duplicate"]
    assert figures.report(loaded)["transactions"] == 12 and figures.report(loaded)["files"] == 2


def test_an_overlapping_export_counts_each_transaction_once(loaded, actor, tmp_path: Path) -> None:
    # another export holding u5's request again plus a new one: only the new transaction is added
    text = scenario.texts()["b"].split("2024-03-03T15:00:00.000Z START")[0]  # u4 and u5 again
    extra = scenario.k.one_request("2024-03-06T10:00:00.000Z", "req-new",
                                   scenario.k.transaction("T60", U[4], 20))
    path = tmp_path / "overlap.log"
    path.write_text(text + extra)
    assert [o.status for o in importer.load_logs(loaded, [(path, path.name)], actor, workers=1)] == ["loaded"]
    report = figures.report(loaded)
    assert report["files"] == 3 and report["transactions"] == 13 and report["sync_errors"] == 5


def test_parallel_parsing_gives_the_same_figures(store, actor, tmp_path: Path) -> None:
    paths = scenario.write(tmp_path / "logs")
    progress = []
    importer.load_logs(store, [(p, p.name) for p in paths], actor, workers=2,
                       progress=lambda done, total, name: progress.append((done, total)))
    assert sorted(progress) == [(1, 2), (2, 2)]
    assert figures.report(store)["median_lead_time_hours"] == pytest.approx(24.0)


def test_empty_store_reports_zeros_and_nulls(store) -> None:
    report = figures.report(store)
    assert report["transactions"] == 0 and report["overdraft_rows_out_of_sync_share"] is None
    assert report["out_of_sync_precision"] is None and report["median_lead_time_hours"] is None


def test_importing_needs_the_role(store, tmp_path: Path) -> None:
    from analytics.errors import PermissionDenied
    from analytics.identity import Actor

    paths = scenario.write(tmp_path / "logs")
    with pytest.raises(PermissionDenied):
        importer.load_logs(store, [(paths[0], "a.log")], Actor("viewer1", "viewer"), workers=1)
