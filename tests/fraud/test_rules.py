"""The platform/date rules of the fraudsters table, one case per rule and each cut-off's edge."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.fraud import rules
from analytics.fraud.patterns import BY_NUMBER, FLAGS
from analytics.fraud.settings import Rules


def player(platform: str, install: str, last_purchase: str | None, *flags: int) -> dict:
    row = {
        "distinct_id": f"{platform}-{install}-{flags}",
        "platform": platform,
        "install_time": pd.Timestamp(install),
        "last_purchase_time": pd.Timestamp(last_purchase) if last_purchase else pd.NaT,
    }
    row.update({f: 0 for f in FLAGS})
    row.update({BY_NUMBER[n].flag: 1 for n in flags})
    return row


CASES = [
    # ios: installed or last purchased on/after 2025-08-13 -> only flags 14 or 15
    ("ios installed on the cut-off, flag 1", player("ios", "2025-08-13 00:00:00", None, 1), False),
    ("ios installed a second before, flag 1", player("ios", "2025-08-12 23:59:59", None, 1), True),
    (
        "ios last purchase on the cut-off, flag 6",
        player("ios", "2025-06-01", "2025-08-13 00:00:00", 6),
        False,
    ),
    ("ios late with flag 14", player("ios", "2025-09-01", None, 1, 14), True),
    ("ios late with flag 15", player("ios", "2025-09-01", None, 3, 15), True),
    ("ios early, flag 3", player("ios", "2025-05-01", "2025-06-01", 3), True),
    # android: on/after 2025-04-17 -> only 14 or 15; before: any flag except 3, 4, 5
    ("android installed on the cut-off, flag 7", player("android", "2025-04-17 00:00:00", None, 7), False),
    ("android installed a second before, flag 7", player("android", "2025-04-16 23:59:59", None, 7), True),
    ("android late by purchase, flag 14", player("android", "2025-01-01", "2025-05-01", 14), True),
    ("android early, flag 3 only", player("android", "2025-01-01", "2025-02-01", 3), False),
    ("android early, flags 4 and 5 only", player("android", "2025-01-01", None, 4, 5), False),
    ("android early, flags 3 and 11", player("android", "2025-01-01", None, 3, 11), True),
    # web: any flag
    ("web late, flag 3", player("web", "2025-10-01", "2025-10-02", 3), True),
    ("web, flag 9", player("web", "2025-01-01", None, 9), True),
]


@pytest.mark.parametrize(("label", "row", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_platform_and_date_rule(label: str, row: dict, expected: bool) -> None:
    assert rules.by_rules(pd.DataFrame([row]), Rules()).tolist() == [expected], label


def test_rules_come_from_settings() -> None:
    frame = pd.DataFrame([player("android", "2025-01-01", None, 3)])
    assert rules.by_rules(frame, Rules()).tolist() == [False]
    assert rules.by_rules(frame, Rules(android_excluded_flags=[4, 5])).tolist() == [True]
    late = pd.DataFrame([player("ios", "2025-09-01", None, 1)])
    assert rules.by_rules(late, Rules(ios_cutoff="2025-10-01")).tolist() == [True]


def test_reason_names_the_rule() -> None:
    row = pd.Series(player("android", "2025-05-01", None, 7))
    assert "on/after 2025-04-17: only flags 14, 15 count" in rules.reason(row, Rules())
    assert (
        rules.reason(pd.Series(player("web", "2025-05-01", None, 7)), Rules())
        == "web player: every flag counts"
    )
