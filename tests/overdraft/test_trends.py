"""Order spikes, holidays, currency mix, top subscribers, gaps, error bursts, balance spans: by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from analytics.overdraft import importer, trends
from analytics.overdraft.settings import ErrorSettings, Holiday, OverdraftSettings
from tests.overdraft import logkit as k
from tests.overdraft import scenario
from tests.overdraft.scenario import U


def test_spikes_against_the_median_of_the_days_before() -> None:
    days = pd.date_range("2024-04-01", periods=6, freq="D")
    daily = pd.Series([10, 12, 10, 30, 14, 0], index=days)
    out = trends.mark_spikes(daily, window_days=3, factor=1.5, min_history=2)
    # day 3: median(10, 12) = 11 -> 10 no; day 4: median(10, 12, 10) = 10 -> 30 >= 15 spike;
    # day 5: median(12, 10, 30) = 12 -> 14 < 18 no; day 6: median(10, 30, 14) = 14 -> 0 no
    assert out["baseline"].tolist()[2:] == [11, 10, 12, 14]
    assert out["spike"].tolist() == [False, False, False, True, False, False]
    assert out["baseline"].isna().tolist()[:2] == [True, True]  # fewer than 2 days before
    # after quiet days (median 0) an order is not a spike: there is no usual level to compare with
    sparse = trends.mark_spikes(pd.Series([0, 0, 0, 3], index=days[:4]), 3, 1.5, 2)
    assert sparse["spike"].tolist() == [False, False, False, False]


def test_holidays_overlapping_the_range() -> None:
    eid = Holiday(name="Eid al-Fitr", start=dt.date(2024, 4, 10), end=dt.date(2024, 4, 12))
    adha = Holiday(name="Eid al-Adha", start=dt.date(2024, 6, 16), end=dt.date(2024, 6, 19))
    assert trends.holidays_between([eid, adha], dt.date(2024, 3, 1), dt.date(2024, 4, 10)) == [eid]
    assert trends.holidays_between([eid, adha], dt.date(2024, 4, 13), dt.date(2024, 6, 15)) == []


def test_shipped_calendar_has_both_eids_for_2023_to_2027() -> None:
    from analytics.overdraft import settings

    cfg = settings.load()
    years = {(h.name, h.start.year) for h in cfg.holidays}
    assert years == {(n, y) for n in ("Eid al-Fitr", "Eid al-Adha") for y in range(2023, 2028)}
    assert dt.date(2024, 4, 10) in {h.start for h in cfg.holidays}  # Eid al-Fitr 2024 (the sample's spike)


def test_unusual_gaps_beyond_the_iqr_fence() -> None:
    gaps = pd.DataFrame({"gap_seconds": [300.0, 400, 500, 600, 5000]})
    out, limit = trends.mark_unusual_gaps(gaps, iqr_factor=1.5)
    # Q1 400, Q3 600 (linear quantiles of 5 values): fence 600 + 1.5 * 200 = 900
    assert limit == pytest.approx(900) and out["unusual"].tolist() == [False, False, False, False, True]
    empty, none = trends.mark_unusual_gaps(pd.DataFrame({"gap_seconds": []}), 1.5)
    assert none is None and empty.empty


def test_error_kinds() -> None:
    kinds = {"timeout": "Task timed out", "conditional_check": "ConditionalCheckFailedException"}
    assert trends.error_kind("Task timed out after 6.01 seconds", False, kinds) == "timeout"
    assert trends.error_kind("x conditionalcheckfailedexception y", False, kinds) == "conditional_check"
    assert trends.error_kind("Subscription balance ... not in sync", True, kinds) == "sync"
    assert trends.error_kind("boom", False, kinds) == "other"


def test_error_bursts() -> None:
    h = pd.Timestamp("2024-03-01 08:00")
    hourly = pd.DataFrame({"hour": [h, h + pd.Timedelta(hours=1), h + pd.Timedelta(hours=3), h],
                           "kind": ["sync", "sync", "sync", "timeout"], "errors": [1, 6, 1, 1]})
    out = trends.error_bursts(hourly, ErrorSettings(burst_min_count=4, burst_factor=2))
    sync = out[out["kind"] == "sync"]
    # sync: 8 errors over the 4 hours 08:00-11:00 -> mean 2; 6 >= 4 and 6 >= 2 x 2: a burst
    assert sync["mean"].tolist() == [2.0, 2.0, 2.0] and sync["burst"].tolist() == [False, True, False]
    assert out[out["kind"] == "timeout"]["burst"].tolist() == [False]


def test_out_of_sync_spans() -> None:
    t = pd.to_datetime(["2024-03-01", "2024-03-02", "2024-03-03", "2024-03-04", "2024-03-05"])
    timeline = pd.DataFrame({"date_time": t, "in_sync": [True, False, False, True, False]})
    assert trends.out_of_sync_spans(timeline) == [(t[1], t[3]), (t[4], t[4])]


@pytest.fixture
def loaded(store, actor, tmp_path: Path):
    paths = scenario.write(tmp_path / "logs")
    extra = tmp_path / "logs" / "c.log"  # an order with no currency and one with a null currency
    extra.write_text(k.one_request("2024-03-05T12:00:00.000Z", "rc1", {**k.transaction("T71", U[2], 1), "currency": None})
                     + k.one_request("2024-03-05T13:00:00.000Z", "rc2",
                                     {key: v for key, v in k.transaction("T72", U[2], 0).items() if key != "currency"}))
    importer.load_logs(store, [(p, p.name) for p in [*paths, extra]], actor, workers=1)
    return store


def test_currency_mix_shows_unknown(loaded) -> None:
    mix = trends.currency_mix(loaded, OverdraftSettings()).set_index("currency")
    # debits: 11 BHD in the scenario (its 12 transactions but the credit T31), plus the two without
    assert mix.loc["BHD", "orders"] == 11 and mix.loc["unknown", "orders"] == 2
    assert mix.loc["unknown", "share"] == pytest.approx(2 / 13)


def test_daily_orders_and_excluded_sources(loaded) -> None:
    daily, amounts = trends.daily_orders(loaded, OverdraftSettings())
    by_day = dict(zip(daily["day"].dt.strftime("%m-%d"), daily["orders"], strict=True))
    # 03-05: T34, T51, T71, T72; the range starts with the first order (T32, 02-03); 02-04 has none
    assert by_day["03-05"] == 4 and by_day["02-04"] == 0 and by_day["02-03"] == 1 and len(by_day) == 32
    cfg = OverdraftSettings(orders={"exclude_sources": ["MANUAL_DEDUCTION"]})
    assert trends.daily_orders(loaded, cfg)[0].empty  # every debit here is a manual deduction
    assert amounts[amounts["day"] == pd.Timestamp("2024-03-05")]["amount"].sum() == 35 + 8 + 5 + 5


def test_top_subscribers_by_average_amount(loaded) -> None:
    top = trends.top_subscribers(loaded, OverdraftSettings(top_subscribers=2))
    # u3: debits 40, 5, 35 -> 26.67; u1: 5, 20, 35 -> 20; u2: 5, 12, 5, 5 -> 6.75; u4 5; u5 8
    assert top["user_id"].tolist() == [U[3], U[1]]
    assert top["avg_amount"].tolist() == pytest.approx([80 / 3, 20.0])


def test_balance_timeline_of_one_subscriber(loaded) -> None:
    timeline = trends.user_timeline(loaded, U[1])
    assert timeline["id"].tolist() == ["T11", "T12", "T13"]
    assert timeline["in_sync"].tolist() == [True, False, False]
    spans = trends.out_of_sync_spans(timeline)
    assert [(a.strftime("%m-%d %H"), b.strftime("%m-%d %H")) for a, b in spans] == [("03-02 10", "03-04 10")]


def test_evidence_shares(loaded) -> None:
    ev = trends.evidence(loaded).set_index(["group", "state"])
    # overdraft rows: T13, T51 out of sync, T22 in sync; others: 11 of which T12, T34, T41 out of sync
    assert ev.loc[("overdraft rows", "out of sync"), "share"] == pytest.approx(2 / 3)
    assert ev.loc[("other rows", "out of sync"), "transactions"] == 3
    assert ev.loc[("other rows", "in sync"), "transactions"] == 8
