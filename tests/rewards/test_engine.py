"""The engine: segment boundaries, derived state, expected value and ROI, caps, abuse score and action."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analytics.rewards import engine
from tests.rewards.conftest import evaluate, frame, one, player, rule


@pytest.mark.parametrize(
    ("wagered", "won", "sessions", "segment"),
    [
        (999.99, 0, 5, "NEW"),  # below 1,000
        (1000, 850, 8, "LOSING"),  # exactly 1,000 is not NEW
        (0, 0, 0, "NEW"),  # never wagered
        (100000, 96000, 50, "VIP"),  # 100,000 and 50 sessions
        (100000, 93000, 49, "LOSING"),  # 49 sessions: not VIP
        (99999.99, 98000, 80, "BREAKEVEN"),  # just under 100,000: not VIP
        (20000, 21000, 30, "BREAKEVEN"),  # net_pnl exactly +5% is not WINNING
        (20000, 21000.01, 30, "WINNING"),  # +5% and a cent
        (20000, 19000, 25, "BREAKEVEN"),  # exactly -5% is not LOSING
        (20000, 18999.99, 28, "LOSING"),  # -5% and a cent
        (300000, 400000, 60, "VIP"),  # VIP comes before WINNING
        (1234.5678, 1296.2962, 3, "WINNING"),  # 61.7284 > 5% of 1,234.5678 = 61.72839
        (1234.5678, 1296.2961, 3, "BREAKEVEN"),  # 61.7283 < 61.72839
    ],
)
def test_segment_boundaries(wagered: float, won: float, sessions: int, segment: str, cfg) -> None:
    assert (
        one([player(total_wagered=wagered, total_won=won, sessions=sessions)], [], cfg)["segment"] == segment
    )


def test_derived_state(cfg) -> None:
    row = one([player(total_wagered=6000, total_won=3000, sessions=10)], [], cfg)
    assert (row["net_pnl"], row["net_loss"], row["avg_wager_per_session"]) == (-3000.0, 3000.0, 600.0)
    assert row["win_loss_ratio"] == 0.5
    row = one([player(total_wagered=100, total_won=250, sessions=0)], [], cfg)
    assert (row["net_pnl"], row["net_loss"]) == (150.0, 0.0)  # a winner has no loss
    assert row["avg_wager_per_session"] == 100.0  # divided by max(sessions, 1)
    assert pd.isna(one([player()], [], cfg)["win_loss_ratio"])  # nothing wagered: null


def test_thresholds_come_from_the_settings(cfg) -> None:
    strict = cfg.model_copy(update={"segments": cfg.segments.model_copy(update={"new_wagered_below": 5000})})
    assert one([player(total_wagered=2000, total_won=1000, sessions=3)], [], strict)["segment"] == "NEW"


CASHBACK = {
    "rule_id": "LOSING_PLAYER_CASHBACK",
    "name": "Losing Player 10% Cashback",
    "priority": 10,
    "is_active": True,
    "conditions": {"segment": "LOSING", "net_loss_min": 100, "session_count_min": 3},
    "reward_config": {
        "type": "BONUS_BALANCE",
        "formula": "net_loss * 0.10",
        "max_amount": 500,
        "wagering_requirement": 10,
        "expiry_hours": 48,
        "eligible_games": ["slots", "roulette"],
    },
}


def test_the_contract_ev_example(cfg) -> None:
    # P001: wagered 6,000, won 3,000, 10 sessions -> net_loss 3,000, avg 600; LOSING.
    row = one([player("P001", total_wagered=6000, total_won=3000, sessions=10)], [CASHBACK], cfg)
    assert row["amount"] == 300.0  # 3,000 x 0.10 (under max 500)
    assert row["expected_wager"] == 6000.0  # 600 x 10 (LOSING)
    assert row["expected_revenue"] == 300.0  # 6,000 x 0.05
    assert row["expected_profit"] == 0.0  # 300 - 300
    assert row["roi_percent"] == 0.0  # 0 / 300 x 100: >= min_roi 0, approved
    assert row["approved"] and pd.isna(row["decline_code"])


@pytest.mark.parametrize(
    ("segment_row", "multiplier"),
    [
        ({"total_wagered": 500, "total_won": 100, "sessions": 5}, 4),  # NEW
        ({"total_wagered": 2000, "total_won": 1000, "sessions": 5}, 10),  # LOSING
        ({"total_wagered": 2000, "total_won": 2000, "sessions": 5}, 6),  # BREAKEVEN
        ({"total_wagered": 2000, "total_won": 3000, "sessions": 5}, 3),  # WINNING
        ({"total_wagered": 200000, "total_won": 190000, "sessions": 50}, 12),  # VIP
    ],
)
def test_retention_multiplier_per_segment(segment_row: dict, multiplier: int, cfg) -> None:
    row = one([player(**segment_row)], [rule(formula="1")], cfg)
    avg = segment_row["total_wagered"] / segment_row["sessions"]
    assert row["expected_wager"] == pytest.approx(avg * multiplier)
    assert row["expected_revenue"] == pytest.approx(avg * multiplier * 0.05)
    assert row["roi_percent"] == pytest.approx((avg * multiplier * 0.05 - 1) / 1 * 100)


def test_roi_below_the_minimum_is_declined(cfg) -> None:
    # LOSING, avg 200 -> revenue 200 x 10 x 0.05 = 100; amount 150 -> profit -50, ROI -33.3333 %
    row = one([player(total_wagered=2000, total_won=1000, sessions=10)], [rule(formula="150")], cfg)
    assert row["expected_profit"] == -50.0 and row["roi_percent"] == -33.3333
    assert row["decline_code"] == "roi" and not row["approved"]
    higher = cfg.model_copy(update={"profit": cfg.profit.model_copy(update={"min_roi_percent": 50})})
    row = one([player(total_wagered=2000, total_won=1000, sessions=10)], [rule(formula="80")], higher)
    assert row["roi_percent"] == 25.0 and row["decline_code"] == "roi"  # (100 - 80) / 80 = 25 % < 50 %


def issued(day: float, week: float) -> pd.DataFrame:
    return pd.DataFrame({"player_id": ["P1"], "issued_day": [day], "issued_week": [week]})


# LOSING, avg 20,000 / 2 = 10,000 -> revenue 5,000: ROI never stops these amounts.
RICH = {"total_wagered": 20000, "total_won": 10000, "sessions": 2}


@pytest.mark.parametrize(
    ("day", "week", "amount", "code"),
    [
        (0, 0, 1000, None),  # exactly the daily cap is allowed
        (0, 0, 1000.01, "daily_cap"),  # a cent more is not
        (900, 900, 100, None),  # 900 + 100 = 1,000
        (900, 900, 100.5, "daily_cap"),
        (700.1, 700.1, 299.9, None),  # 700.1 + 299.9 is 1,000 (no float surprise)
        (0, 4500, 500, None),  # week 4,500 + 500 = 5,000
        (0, 4500, 600, "weekly_cap"),
    ],
)
def test_daily_and_weekly_caps(day: float, week: float, amount: float, code: str | None, cfg) -> None:
    row = one([player(**RICH)], [rule(formula=str(amount), max_amount=2000)], cfg, issued=issued(day, week))
    assert (None if pd.isna(row["decline_code"]) else row["decline_code"]) == code
    assert row["approved"] == (code is None)


def test_the_same_reward_issued_before_does_not_count_against_itself(cfg) -> None:
    keys = pd.DataFrame(
        {
            "player_id": ["P1"],
            "rule_id": ["R1"],
            "source_file": ["f1"],
            "day_amount": [800.0],
            "week_amount": [800.0],
        }
    )
    rows = [player(**RICH, source_file="f1")]
    row = one(rows, [rule(formula="800")], cfg, issued=issued(800, 800), issued_keys=keys)
    assert row["approved"] and row["already_issued"] and row["issued_day"] == 0.0
    other = keys.assign(source_file="f0")  # an earlier snapshot's reward counts
    row = one(rows, [rule(formula="800")], cfg, issued=issued(800, 800), issued_keys=other)
    assert row["decline_code"] == "daily_cap" and not row["already_issued"]


def signals(**flags: bool) -> pd.DataFrame:
    base = {
        "player_id": "P1",
        "has_ledger": True,
        "bonus_only": False,
        "fast_withdrawal": False,
        "bet_jump": False,
        "multi_accounting": False,
    }
    return pd.DataFrame([{**base, **flags}])


@pytest.mark.parametrize(
    ("flags", "won", "score", "action"),
    [
        ({}, 1000, 0, "NO_ACTION"),
        ({"bonus_only": True}, 1000, 30, "NO_ACTION"),  # 30: top of NO_ACTION
        ({"bonus_only": True}, 2450, 55, "REDUCED_REWARDS"),  # + win rate 25
        ({"multi_accounting": True}, 1000, 40, "REDUCED_REWARDS"),
        ({"multi_accounting": True, "bet_jump": True}, 1000, 60, "REDUCED_REWARDS"),  # 60: top of the band
        ({"multi_accounting": True, "fast_withdrawal": True}, 1000, 65, "INCREASED_WAGERING"),
        ({"multi_accounting": True, "fast_withdrawal": True}, 2450, 90, "BLOCKED"),
        ({"bonus_only": True, "fast_withdrawal": True, "bet_jump": True}, 1000, 75, "INCREASED_WAGERING"),
        ({"multi_accounting": True, "fast_withdrawal": True, "bet_jump": True}, 1000, 85, "BLOCKED"),
        (
            {"bonus_only": True, "fast_withdrawal": True, "bet_jump": True, "multi_accounting": True},
            2450,
            100,
            "BLOCKED",
        ),  # 140 capped at 100
    ],
)
def test_abuse_score_and_action(flags: dict, won: float, score: int, action: str, cfg) -> None:
    # wagered 2,000: won 2,450 -> win_loss_ratio 1.225 > 1.2 (abnormal win rate, 25 points)
    row = one([player(total_wagered=2000, total_won=won, sessions=5)], [], cfg, signals=signals(**flags))
    assert (row["abuse_score"], row["abuse_action"]) == (score, action)


def test_band_edges_61_and_80_and_81(cfg) -> None:
    custom = {**cfg.abuse.points, "bonus_only": 61, "fast_withdrawal": 80, "bet_jump": 81}
    changed = cfg.model_copy(update={"abuse": cfg.abuse.model_copy(update={"points": custom})})
    for flag, action in (
        ("bonus_only", "INCREASED_WAGERING"),
        ("fast_withdrawal", "INCREASED_WAGERING"),
        ("bet_jump", "BLOCKED"),
    ):
        row = one(
            [player(total_wagered=2000, total_won=1000, sessions=5)],
            [],
            changed,
            signals=signals(**{flag: True}),
        )
        assert row["abuse_action"] == action, flag


def test_abnormal_win_rate_is_strictly_above(cfg) -> None:
    row = one([player(total_wagered=2000, total_won=2400, sessions=5)], [], cfg)  # exactly 1.2
    assert row["abuse_score"] == 0 and not row["sig_abnormal_win_rate"]


def test_bonus_only_from_the_export_when_no_ledger(cfg) -> None:
    row = one(
        [player(total_deposited=0, bonus_received=50, total_wagered=500, total_won=400, sessions=3)], [], cfg
    )
    assert row["sig_bonus_only"] and row["abuse_score"] == 30
    # the ledger, when the player has one, decides instead of the export
    row = one(
        [player(total_deposited=0, bonus_received=50, total_wagered=500, total_won=400, sessions=3)],
        [],
        cfg,
        signals=signals(bonus_only=False),
    )
    assert not row["sig_bonus_only"]


def test_blocked_players_get_nothing_and_actions_change_rewards(cfg) -> None:
    losing = {"total_wagered": 6000, "total_won": 3000, "sessions": 10}  # revenue 300, cashback 300
    blocked = one(
        [player(**losing)],
        [CASHBACK],
        cfg,
        signals=signals(multi_accounting=True, fast_withdrawal=True, bet_jump=True),
    )
    assert not blocked["approved"] and blocked["decline_code"] == "blocked"
    assert blocked["amount"] == 300.0  # the entry still shows what the rule would give
    reduced = one([player(**losing)], [CASHBACK], cfg, signals=signals(multi_accounting=True))
    assert reduced["abuse_action"] == "REDUCED_REWARDS" and reduced["amount"] == 150.0  # 300 x 0.5
    assert reduced["roi_percent"] == 100.0  # (300 - 150) / 150
    more = one(
        [player(**losing)], [CASHBACK], cfg, signals=signals(multi_accounting=True, fast_withdrawal=True)
    )
    assert more["abuse_action"] == "INCREASED_WAGERING" and more["amount"] == 300.0
    assert more["wagering_requirement"] == 20.0  # 10 x 2


def test_deactivated_players_are_declined(cfg) -> None:
    row = one([player(total_wagered=6000, total_won=3000, sessions=10, player_active=False)], [CASHBACK], cfg)
    assert row["decline_code"] == "inactive" and not row["approved"]


def test_no_rules_and_missing_columns(cfg) -> None:
    table = evaluate([player("A"), player("B")], [], cfg)
    assert table["rule_id"].isna().all() and not table["approved"].any()
    bare = frame([player("A")]).drop_columns(["total_withdrawn", "bonus_received"])
    out = engine.evaluate(bare, [], cfg).to_pandas()  # optional columns may be absent
    assert out["segment"].tolist() == ["NEW"]
    with pytest.raises(Exception, match="missing required column sessions"):
        engine.evaluate(frame([player("A")]).drop_columns(["sessions"]), [], cfg)
    assert math.isclose(engine.decide_params(cfg)["house_edge"], 0.05)


def test_evaluations_at_once_in_threads_keep_to_their_own_players(cfg) -> None:
    """Sessions of the shared engine database do not see each other's tables: 8 threads, each
    with its own players (wagered 1,000 x its number), each gets exactly its own rows back."""
    from concurrent.futures import ThreadPoolExecutor

    def run(n: int) -> list[tuple[str, float]]:
        rows = [player(f"T{n}-{i}", total_wagered=1000 * n, total_won=0, sessions=5) for i in range(3)]
        table = evaluate(rows, [rule(formula="net_loss / 100")], cfg)
        return list(zip(table["player_id"], table["amount"], strict=True))

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(run, range(1, 17)))
    for n, got in enumerate(results, start=1):
        assert got == [(f"T{n}-{i}", 10.0 * n) for i in range(3)]   # net_loss 1,000 n / 100
