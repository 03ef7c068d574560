"""One test per pattern: a player who trips it and players just on the other side of its threshold.

The events are made by hand; the thresholds are the contract's defaults unless a test says so.
"""

from __future__ import annotations

from analytics.fraud.settings import FraudSettings
from tests.fraud.conftest import ev, evidence, flagged, insert_events


def test_p1_fast_progression(store) -> None:
    insert_events(
        store,
        [
            ev("trip", "2025-06-01T23:59:59", "harvest", chapter=20),  # 24 h - 1 s after install
            ev("late", "2025-06-02T00:00:01", "harvest", chapter=20),  # 24 h + 1 s
            ev("ch19", "2025-06-01T05:00:00", "harvest", chapter=19),  # chapter 19 only
            ev("bought", "2025-06-01T01:00:00", "purchase_success", chapter=2, price_usd=0.99),
            ev("bought", "2025-06-01T02:00:00", "harvest", chapter=20),  # a purchase before it
        ],
    )
    assert flagged(store)[1] == {"trip"}
    rows = evidence(store, 1)
    assert rows["value"].round(4).tolist() == [round(23 + 59 / 60 + 59 / 3600, 4)]  # hours since install


def test_p2_excessive_harvests(store) -> None:
    def day(pid: str, date: str, quantities: list) -> list[dict]:
        return [ev(pid, f"{date}T10:{i:02d}:00", "harvest", quantity=q) for i, q in enumerate(quantities)]

    # trip: 22 net harvests (10 + 10 + blank=1 + 2 - 1) on three UTC days
    rows = []
    for d in ("2025-06-10", "2025-06-11", "2025-06-13"):
        rows += day("trip", d, [10, 10, None, 2, -1])
    # near: 22 on two days, 21 on the third (the reversal counts)
    for d in ("2025-06-10", "2025-06-11"):
        rows += day("near", d, [11, 11])
    rows += day("near", "2025-06-12", [11, 11, -1])
    insert_events(store, rows)
    assert flagged(store)[2] == {"trip"}
    assert set(evidence(store, 2)["value"]) == {22.0}


def test_p3_suspicious_purchase(store) -> None:
    insert_events(
        store,
        [
            ev("trip", "2025-06-05T10:00:00", "purchase_success", price_usd=0.01),
            ev("near", "2025-06-05T10:00:00", "purchase_success", price_usd=0.02),
            ev("near", "2025-06-05T11:00:00", "purchase_click", price_usd=0.01),  # a click is no purchase
        ],
    )
    assert flagged(store)[3] == {"trip"}


def test_p4_rapid_purchases(store) -> None:
    def pair(pid: str, seconds: int, pay2: str = "apple") -> list[dict]:
        return [
            ev(
                pid,
                "2025-06-05T10:00:00",
                "purchase_success",
                "ios",
                price_usd=0.99,
                payment_platform="apple",
            ),
            ev(
                pid,
                f"2025-06-05T10:00:{seconds:02d}",
                "purchase_success",
                "ios",
                price_usd=0.99,
                payment_platform=pay2,
            ),
        ]

    insert_events(
        store,
        pair("trip7", 7)
        + pair("trip1", 1)
        + pair("near8", 8)
        + pair("near0", 0)[:1]
        + pair("stash", 3, "stash"),
    )
    assert flagged(store)[4] == {"trip7", "trip1"}
    assert sorted(evidence(store, 4)["value"]) == [1.0, 7.0]  # seconds since the previous purchase


def test_p5_purchase_flow_anomaly(store) -> None:
    insert_events(
        store,
        [
            ev("trip", "2025-06-05T10:00:00", "purchase_click", price_usd=1.99),
            ev("trip", "2025-06-05T10:00:20", "purchase_success", price_usd=1.99),
            ev("trip", "2025-06-05T10:01:00", "purchase_success", price_usd=4.99),  # no click before it
            ev("near", "2025-06-05T10:00:20", "purchase_success", price_usd=1.99),
            ev("near", "2025-06-05T10:00:40", "purchase_click", price_usd=4.99),
            ev("near", "2025-06-05T10:01:00", "purchase_success", price_usd=4.99),
        ],
    )
    assert flagged(store)[5] == {"trip"}
    assert evidence(store, 5)["value"].tolist() == [40.0]


def test_p6_high_balance(store) -> None:
    insert_events(
        store,
        [
            ev("trip_c", "2025-06-05T10:00:00", "harvest", credits_balance=245_001, metapoints_balance=0),
            ev("trip_m", "2025-06-05T10:00:00", "harvest", credits_balance=10, metapoints_balance=850_001),
            ev("near", "2025-06-05T10:00:00", "harvest", credits_balance=245_000, metapoints_balance=850_000),
        ],
    )
    assert flagged(store)[6] == {"trip_c", "trip_m"}


def test_p7_negative_balance(store) -> None:
    insert_events(
        store,
        [
            ev("trip", "2025-06-05T10:00:00", "building_upgrade", credits_balance=-1, metapoints_balance=5),
            ev("trip_m", "2025-06-05T10:00:00", "booster", credits_balance=5, metapoints_balance=-20),
            ev("near", "2025-06-05T10:00:00", "building_upgrade", credits_balance=0, metapoints_balance=0),
        ],
    )
    assert flagged(store)[7] == {"trip", "trip_m"}


def _jump(
    pid: str, rise: int, after: tuple[str, ...], jump_name: str = "harvest", meta: bool = False
) -> list[dict]:
    base_c, base_m = 10_000, 100_000
    c, m = (base_c, base_m + rise) if meta else (base_c + rise, base_m)
    rows = [
        ev(pid, "2025-06-05T10:00:00", "harvest", credits_balance=base_c, metapoints_balance=base_m),
        ev(pid, "2025-06-05T10:01:00", "shop_view"),  # no balances: the rise is from the harvest
        ev(pid, "2025-06-05T10:02:00", jump_name, credits_balance=c, metapoints_balance=m),
    ]
    for i, name in enumerate(after):
        rows.append(ev(pid, f"2025-06-05T10:0{3 + i}:00", name, credits_balance=c, metapoints_balance=m))
    return rows


def test_p8_large_jump(store) -> None:
    quiet = ("harvest", "building_upgrade")
    insert_events(
        store,
        _jump("trip", 40_000, quiet)
        + _jump("trip_m", 100_000, quiet, meta=True)
        + _jump("near_small", 39_999, quiet)
        + _jump("near_m", 99_999, quiet, meta=True)
        + _jump("near_reward2", 45_000, ("harvest", "reward_claim"))  # reward as 2nd next event
        + _jump("near_itself", 45_000, quiet, jump_name="offerwall_reward")
        + _jump("trip_reward3", 45_000, ("harvest", "harvest", "daily_bonus")),
    )  # 3rd next: too far
    assert flagged(store)[8] == {"trip", "trip_m", "trip_reward3"}
    rows = evidence(store, 8).set_index("distinct_id")
    assert rows.loc["trip", "value"] == 40_000 and rows.loc["trip", "detail"] == "credits"
    assert rows.loc["trip_m", "detail"] == "metapoints"


def test_p9_privacy_abandonment(store) -> None:
    insert_events(
        store,
        [
            ev("trip", "2025-06-05T10:00:00", "privacy_impression"),
            ev("trip", "2025-06-06T10:00:00", "privacy_impression"),
            ev("near", "2025-06-05T10:00:00", "privacy_impression"),
            ev("near", "2025-06-07T10:00:00", "privacy_agree_click"),  # agreed two days later
        ],
    )
    assert flagged(store)[9] == {"trip"}


def _chapters(pid: str, count: int, per_chapter: int) -> list[dict]:
    rows = [ev(pid, "2025-06-05T01:00:00", "session_start", credits_balance=1_000)]
    for i in range(count):
        rows.append(
            ev(
                pid,
                f"2025-06-05T0{2 + i}:00:00",
                "chapter_complete",
                chapter=11 + i,
                credits_balance=1_000 + per_chapter * (i + 1),
            )
        )
    return rows


def test_p10_rapid_chapter_progression_is_off_by_default(store) -> None:
    insert_events(
        store, _chapters("trip", 6, 499) + _chapters("near5", 5, 0) + _chapters("near_rich", 6, 500)
    )
    assert flagged(store)[10] == set()  # disabled: the column exists and is 0
    cfg = FraudSettings()
    cfg.patterns.rapid_chapter_progression.enabled = True
    assert flagged(store, cfg)[10] == {"trip"}  # 6 chapters, 6 * 499 credits earned: 499 per chapter


def _refunder(pid: str, buys: int, refunds: int, platform: str = "android") -> list[dict]:
    rows = []
    for i in range(buys):
        rows.append(
            ev(
                pid,
                f"2025-06-{10 + i:02d}T10:00:00",
                "purchase_success",
                platform,
                price_usd=0.99,
                google_order_number=f"{pid}-{i}" if platform == "android" else None,
                checkout_id=f"{pid}-{i}" if platform == "web" else None,
            )
        )
    for i in range(refunds):
        rows.append(ev(pid, f"2025-06-{10 + i:02d}T12:00:00", "purchase_refund", platform, price_usd=0.99))
    return rows


def test_p11_refund_abuse(store) -> None:
    insert_events(
        store,
        _refunder("trip", 6, 2)  # 6 purchases, 2/6 = 0.33
        + _refunder("near_ratio", 8, 2)  # 2/8 = 0.25, not above
        + _refunder("near_few", 5, 3)  # only 5 purchases
        + _refunder("near_web", 8, 4, "web"),
    )  # not android
    assert flagged(store)[11] == {"trip"}
    assert set(evidence(store, 11)["value"].round(4)) == {round(2 / 6, 4)}


def test_p12_high_tutorial_balance(store) -> None:
    insert_events(
        store,
        [
            ev("trip", "2025-06-05T10:00:00", "reward_claim", chapter=3, credits_balance=4_951),
            ev("near", "2025-06-05T10:00:00", "reward_claim", chapter=3, credits_balance=4_950),
            ev("near_ch4", "2025-06-05T10:00:00", "reward_claim", chapter=4, credits_balance=9_000),
            ev("near_paid", "2025-06-05T09:00:00", "purchase_success", chapter=2, price_usd=0.99),
            ev("near_paid", "2025-06-05T10:00:00", "reward_claim", chapter=2, credits_balance=6_000),
        ],
    )
    assert flagged(store)[12] == {"trip"}


def test_p13_multiple_chapter1_purchases(store) -> None:
    def buyer(pid: str, install: str, chapters: tuple[int, ...]) -> list[dict]:
        return [
            ev(
                pid,
                f"2025-06-0{2 + i}T10:00:00",
                "purchase_success",
                install=install,
                chapter=c,
                price_usd=0.99,
                checkout_id=f"{pid}-{i}",
            )
            for i, c in enumerate(chapters)
        ]

    insert_events(
        store,
        buyer("trip", "2025-03-01T00:00:00", (1, 1))  # installed on the cut-off
        + buyer("near_early", "2025-02-28T23:59:59", (1, 1))  # a second before it
        + buyer("near_one", "2025-05-01T00:00:00", (1, 2)),
    )  # one chapter-1 purchase
    assert flagged(store)[13] == {"trip"}


def test_p14_duplicate_transaction(store) -> None:
    insert_events(
        store,
        [
            ev(
                "trip_a",
                "2025-06-05T10:00:00",
                "purchase_success",
                "android",
                price_usd=4.99,
                google_order_number="GPA.1",
            ),
            ev(
                "trip_b",
                "2025-06-09T10:00:00",
                "purchase_success",
                "android",
                price_usd=4.99,
                google_order_number="GPA.1",
            ),
            ev(
                "trip_self",
                "2025-06-05T10:00:00",
                "purchase_success",
                "ios",
                price_usd=4.99,
                transaction_id="2000",
            ),
            ev(
                "trip_self",
                "2025-06-05T10:05:00",
                "purchase_success",
                "ios",
                price_usd=4.99,
                transaction_id="2000",
            ),
            ev(
                "near",
                "2025-06-05T10:00:00",
                "purchase_success",
                "android",
                price_usd=4.99,
                google_order_number="GPA.9",
            ),
            ev(
                "near",
                "2025-06-07T10:00:00",
                "purchase_refund",
                "android",
                price_usd=4.99,
                google_order_number="GPA.9",
            ),
            ev("near_click", "2025-06-05T10:00:00", "purchase_click", price_usd=4.99, checkout_id="chk_1"),
            ev("near_click", "2025-06-05T10:00:20", "purchase_success", price_usd=4.99, checkout_id="chk_1"),
        ],
    )
    assert flagged(store)[14] == {"trip_a", "trip_b", "trip_self"}
    rows = evidence(store, 14)
    assert set(rows.loc[rows["distinct_id"] == "trip_a", "purchase_id"]) == {"GPA.1"}
    assert set(rows["value"]) == {2.0}


def test_p15_penny_purchase(store) -> None:
    insert_events(
        store,
        [
            ev("trip", "2025-06-05T10:00:00", "purchase_success", price_usd=0.01, checkout_id="c1"),
            ev("trip", "2025-06-05T10:10:00", "purchase_success", price_usd=0.01, checkout_id="c2"),
            ev("near", "2025-06-05T10:00:00", "purchase_success", price_usd=0.01, checkout_id="c3"),
            ev("near", "2025-06-05T10:10:00", "purchase_click", price_usd=0.01, checkout_id="c4"),
        ],
    )
    assert flagged(store)[15] == {"trip"}
    assert flagged(store)[3] == {"trip", "near"}  # one penny purchase is pattern 3, not 15


def test_identical_purchase_rows_from_overlapping_files_count_once(store) -> None:
    row = ev(
        "copy", "2025-06-05T10:00:00", "purchase_success", "android", price_usd=4.99, google_order_number="G1"
    )
    insert_events(store, [row, dict(row)])  # the same event loaded from two files
    found = flagged(store)
    assert found[14] == set() and found[5] == set()


def test_thresholds_are_bound_from_settings(store) -> None:
    insert_events(store, [ev("p", "2025-06-05T10:00:00", "harvest", credits_balance=200_000)])
    cfg = FraudSettings()
    assert flagged(store, cfg)[6] == set()
    cfg.patterns.high_balance.credits_above = 199_999
    assert flagged(store, cfg)[6] == {"p"}


def test_as_of_ignores_later_events(store) -> None:
    import datetime as dt

    insert_events(store, [ev("p", "2025-06-05T10:00:00", "harvest", credits_balance=-5)])
    assert flagged(store, until=dt.datetime(2025, 6, 5))[7] == set()
    assert flagged(store, until=dt.datetime(2025, 6, 6))[7] == {"p"}
