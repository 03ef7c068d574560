"""What the page reads: filters, counts per pattern, the what-if table, text shown safely."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from analytics.fraud import views
from analytics.fraud.patterns import FLAGS
from analytics.fraud.whatif import WhatIf


def frame() -> pd.DataFrame:
    rows = []
    for pid, platform, install, flags, potential in (
        ("a", "ios", "2025-03-01 10:00", ["high_balance_flag"], True),
        ("b", "web", "2025-03-02 00:00", ["high_balance_flag", "penny_purchase_flag"], True),
        ("c", "android", "2025-03-03 23:59", ["suspicious_purchase_flag"], True),
        ("m", None, None, [], False),  # on the manual list only
    ):
        row = {
            "distinct_id": pid,
            "platform": platform,
            "install_time": pd.Timestamp(install) if install else pd.NaT,
            "potential": potential,
        }
        row.update({f: int(f in flags) for f in FLAGS})
        rows.append(row)
    return pd.DataFrame(rows)


def test_filter_by_pattern_platform_and_install_date() -> None:
    f = frame()
    assert views.filter_players(f, ["high_balance_flag"])["distinct_id"].tolist() == ["a", "b"]
    assert views.filter_players(f, ["penny_purchase_flag", "suspicious_purchase_flag"])[
        "distinct_id"
    ].tolist() == ["b", "c"]
    assert views.filter_players(f, platforms=["web", "android"])["distinct_id"].tolist() == ["b", "c"]
    # the end date is inclusive: c installed at 23:59 on the 3rd is kept; m has no install date
    got = views.filter_players(f, start=dt.date(2025, 3, 2), end=dt.date(2025, 3, 3))
    assert got["distinct_id"].tolist() == ["b", "c"]
    assert len(views.filter_players(f)) == 4


def test_flag_counts_count_potential_players_per_pattern() -> None:
    counts = views.flag_counts(frame()).set_index("pattern")["players"]
    assert counts[6] == 2 and counts[15] == 1 and counts[3] == 1 and counts.sum() == 4


def test_whatif_moves_table() -> None:
    result = WhatIf(
        live_version=1,
        last_run_id="r",
        changes=[],
        potential_enter=["x"],
        potential_leave=["y"],
        final_enter=[],
        final_leave=["y", "z"],
        stay_in_table=["y"],
    )
    moves = views.whatif_moves(result)
    assert moves.values.tolist() == [
        ["x", "potential", "enters", ""],
        ["y", "potential", "leaves", ""],
        ["y", "final", "leaves", "stays in the fraudsters table"],
        ["z", "final", "leaves", ""],
    ]


def test_text_from_files_is_escaped_for_markdown() -> None:
    assert views.md_text("id [x](http://evil) *b*") == r"id \[x\]\(http\://evil\) \*b\*"
