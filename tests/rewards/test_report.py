"""Figures for the page and the API, from small hand-made tables."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pandas as pd
import pytest

from analytics.rewards import process, report, rule_store
from analytics.rewards.rules import parse_rules
from tests.rewards.conftest import evaluate, player, rule

# Three LOSING players with avg wager 200 (revenue 200 x 10 x 0.05 = 100 each) and one NEW player
# with avg 100 (revenue 100 x 4 x 0.05 = 20).
ROWS = [
    player("A", total_wagered=2000, total_won=1000, sessions=10),
    player("B", total_wagered=2000, total_won=1000, sessions=10),
    player("C", total_wagered=2000, total_won=1000, sessions=10),
    player("D", total_wagered=500, total_won=400, sessions=5),
]


def test_simulation_figures(cfg) -> None:
    table = evaluate(ROWS, [rule("R", formula="40")], cfg)  # every player: 40
    result = report.simulation(table, "R")
    # approved: LOSING 3 x 40 (ROI (100-40)/40 = 150 %); NEW: (20-40)/40 = -50 % declined
    assert (result["reached"], result["approved"]) == (4, 3)
    assert result["cost"] == 120.0 and result["expected_revenue"] == 300.0
    assert result["expected_profit"] == 180.0 and result["roi_percent"] == 150.0
    seg = result["by_segment"].set_index("segment")
    assert seg.loc["LOSING", ["players", "approved", "cost", "expected_revenue"]].tolist() == [
        3,
        3,
        120.0,
        300.0,
    ]
    assert seg.loc["NEW", ["players", "approved", "cost"]].tolist() == [1, 0, 0.0]
    assert pd.isna(seg.loc["NEW", "roi_percent"])
    assert result["declined"] == {"ROI below the minimum": 1}
    nothing = report.simulation(table, "NOPE")
    assert (nothing["reached"], nothing["cost"], nothing["roi_percent"]) == (0, 0.0, None)


def test_segment_counts_and_abuse_list(cfg) -> None:
    table = evaluate(ROWS, [], cfg)
    counts = report.segment_counts(table)
    assert counts["segment"].tolist() == ["NEW", "VIP", "WINNING", "LOSING", "BREAKEVEN"]
    assert counts["players"].tolist() == [1, 0, 0, 3, 0] and counts["share"].tolist() == [0.25, 0, 0, 0.75, 0]
    signals = pd.DataFrame(
        [
            {
                "player_id": "B",
                "has_ledger": True,
                "bonus_only": True,
                "fast_withdrawal": False,
                "bet_jump": False,
                "multi_accounting": True,
            }
        ]
    )
    flagged = report.abuse_list(evaluate(ROWS, [], cfg, signals=signals))
    assert flagged.to_dict("records") == [
        {
            "player_id": "B",
            "score": 70,
            "action": "INCREASED_WAGERING",
            "signals": "bonus_only, multi_accounting",
            "segment": "LOSING",
        }
    ]


def test_issued_summary_by_rule_and_segment(store, actor, cfg, tmp_path) -> None:
    from analytics import ingest
    from tests.conftest import write

    csv = write(
        tmp_path / "p.csv",
        "player_id,total_deposited,total_wagered,total_won,sessions,playtime_hours\n"
        "A,1,2000,1000,10,1\nB,1,2000,1000,10,1\nD,1,500,400,5,1\n",
    )
    ingest.load_one(store, csv, actor, contract="players")
    rules = parse_rules(
        [
            rule("L", conditions={"segment": "LOSING"}, formula="40"),
            rule("N", conditions={"segment": "NEW"}, formula="10"),
        ],
        cfg.formula,
    )
    rule_store.save_rules(store, rules, actor)
    process.run(store, rules, cfg, actor, issue=True)
    issued = report.issued(store)
    # L: 2 x 40 = 80 cost, 2 x 100 revenue; N: 10 cost, 20 revenue ((20 - 10) / 10 = 100 %)
    assert issued[["rule_id", "segment", "rewards", "cost", "expected_revenue"]].values.tolist() == [
        ["L", "LOSING", 2, 80.0, 200.0],
        ["N", "NEW", 1, 10.0, 20.0],
    ]
    assert issued["roi_percent"].tolist() == [150.0, 100.0]
    by_rule = report.issued_by(issued, "segment")
    assert by_rule["expected_profit"].tolist() == [120.0, 10.0]
    assert report.issued_by(issued.iloc[0:0], "rule_id").empty
    # together: 3 rewards, cost 90, revenue 220, profit 130, ROI 130 / 90 = 144.4 %
    totals = report.issued_totals(issued)
    assert (totals["rewards"], totals["cost"], totals["expected_revenue"]) == (3, 90.0, 220.0)
    assert totals["roi_percent"] == pytest.approx(144.4444, abs=1e-4)
    assert report.store_version(store)[3] == 2  # two rule versions stored
    assert report.transactions(store).empty


def test_every_decline_code_of_the_engine_has_a_label_and_a_reason(cfg) -> None:
    from analytics import sql

    text = sql.load("rewards/decide").text
    codes = set(re.findall(r"THEN '([a-z_]+)'", text[text.index("declined AS") :]))
    assert codes == set(report.DECLINE_LABELS)
    for code in codes:
        row = SimpleNamespace(
            decline_code=code,
            amount=10.0,
            roi_percent=-5.0,
            issued_day=995.0,
            issued_week=4995.0,
            undefined_why="division by zero",
        )
        assert process.reason_text(row, cfg)
    blocked = SimpleNamespace(decline_code="blocked", amount=1.0)
    assert process.reason_text(blocked, cfg) == "abuse: BLOCKED"
    daily = SimpleNamespace(decline_code="daily_cap", amount=10.0, issued_day=995.0)
    assert (
        process.reason_text(daily, cfg) == "daily cap 1,000: 995 already issued today, 10 more would pass it"
    )
