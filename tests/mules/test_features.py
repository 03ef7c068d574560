"""Account features on a run written by hand, every figure worked out in the comments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.mules import detectors, features
from tests.mules.handmade import T0, A, B, C, D, handmade_run

T0_TS = int(pd.Timestamp(T0).timestamp())


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    settings = features.load_settings()
    rows, _ = features.load_rows(handmade_run(), "handmade", settings)
    detectors.rule_flags(rows, settings.rules)  # fills flagged_links
    return rows


def test_whole_history_features_of_the_drop(rows: pd.DataFrame) -> None:
    a = features.last_rows(rows).loc[A]
    # in: 1000 + 500 approved (the blocked 700 is declined); out: 600 + 400 + 500 (the 100 is declined)
    assert (a["in_cents"], a["out_cents"]) == (150_000, 150_000)
    assert a["pass_through"] == 1.0
    assert a["atm_share"] == pytest.approx(400 / 1500) and a["crypto_share"] == pytest.approx(500 / 1500)
    assert a["online_share"] == 0 and a["everyday_share"] == 0
    # drained after 2 h (1000 in at 02:00, balance 0 at 04:00) and after 1 h (500 at 12:00, 0 at 13:00)
    assert a["drained"] == 2 and a["drain_hours"] == 1.5 and a["fast_drains"] == 2
    # counterparties over every attempt: X1, B, X3, X4, X5 (the ATM and crypto rows have none)
    assert a["counterparties"] == 5
    assert a["declines"] == 2 and a["inbound_transfers"] == 2
    # 7 operations at 02, 03, 04, 12, 13, 14, 15 h UTC: three in [0, 6)
    assert a["operations"] == 7 and a["night_share"] == pytest.approx(3 / 7)
    assert a["flagged_links"] == 0  # its only in-bank counterparty, B, is not flagged by line 1


def test_the_ordinary_clients(rows: pd.DataFrame) -> None:
    last = features.last_rows(rows)
    b, c = last.loc[B], last.loc[C]
    # B: 600 in from A, 600 out 2 h later (a fast drain of a transfer), 10 by card
    assert b["pass_through"] == pytest.approx(610 / 600) and b["fast_drains"] == 1
    assert b["everyday_share"] == pytest.approx(10 / 610)
    assert b["flagged_links"] == 1  # A was flagged at T0 + 11 h, B's next row is at T0 + 20 h
    # C: salary 3000, card 100: never drained, so the cap stands for its drain time
    assert c["drained"] == 0 and c["drain_hours"] == 720 and c["pass_through"] == pytest.approx(100 / 3000)
    assert c["everyday_share"] == 1.0 and c["fast_drains"] == 0


def test_prefix_features_grow_with_the_history(rows: pd.DataFrame) -> None:
    a = rows[rows["account_id"] == A]
    # after each of A's rows: fast drains known by then
    assert a["fast_drains"].tolist() == [0, 0, 1, 1, 2, 2, 2]
    assert a["pass_through"].round(4).tolist() == [0, 0.6, 1, 0.6667, 1, 1, 1]
    assert a["counterparties"].tolist() == [1, 2, 2, 3, 3, 4, 5]
    b = rows[rows["account_id"] == B]
    assert b["flagged_links"].tolist() == [0, 0, 1]  # the link counts from A's flag time on


def test_drain_events_follow_the_balance_back_to_its_level() -> None:
    # one account: +100 (level 0), +50 (level 100), -60 -> 90: the 50 is drained; -100 -> -10: the 100 too
    frame = pd.DataFrame({
        "code": [0, 0, 0, 0, 1], "ts": [0, 3600, 7200, 36000, 0], "ok": [True, True, True, True, True],
        "direction": ["in", "in", "out", "out", "in"], "txn_type": ["salary_in", "transfer_in", "card_payment",
                                                                      "card_payment", "transfer_in"],
        "cents": [100, 50, 60, 100, 5],
    })
    events = features.drain_events(frame)
    assert events["code"].tolist() == [0, 0]
    assert events["drained_ts"].tolist() == [7200, 36000]
    assert events["hours"].tolist() == [1.0, 10.0]  # the 50 after 1 h, the 100 after 10 h
    assert events["transfer"].tolist() == [True, False]


def test_running_counts_count_each_accounts_own_events_up_to_each_row() -> None:
    row_code = np.array([0, 0, 1, 1])
    row_ts = np.array([10, 20, 10, 20])
    key = row_code * features.KEY_SHIFT + row_ts
    counts, sums = features.running_counts(key, row_code, np.array([0, 1, 1]), np.array([15, 5, 20]),
                                           np.array([2.0, 3.0, 4.0]))
    assert counts.tolist() == [0, 1, 1, 2] and sums.tolist() == [0.0, 2.0, 3.0, 7.0]


def test_the_same_features_from_the_store(store, actor) -> None:
    from analytics.mules import runs

    run = handmade_run()
    runs.save_run(store, run, actor)
    settings = features.load_settings()
    stored, accounts = features.load_rows(store, "handmade", settings)
    memory, _ = features.load_rows(run, "handmade", settings)
    pd.testing.assert_frame_equal(stored.drop(columns=["txn_id"]), memory.drop(columns=["txn_id"]))
    assert accounts["account_id"].tolist() == [A, B, C, D]
