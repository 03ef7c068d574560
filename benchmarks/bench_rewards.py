"""Rewards engine speed: 20 rules over 1,000,000 generated players, against a pandas/numpy version.

Both sides get the same players (a pandas DataFrame), the same 20 parsed rules (conditions, formulas
with every operator, priorities, max amounts), the same abuse signals and rewards already issued
(so caps and abuse decline some rewards), and must give every player the same rule, amount, EV,
ROI and decision. The pandas version compiles each formula's checked tree to numpy operations
(never eval) and evaluates each rule only on the players it picked.

Run: .venv/bin/python benchmarks/bench_rewards.py [--players N] [--repeat R]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics.rewards import engine, formula
from analytics.rewards.rules import NULLABLE_FIELDS, Rule, ordered, parse_rules
from analytics.rewards.settings import SEGMENTS, SIGNALS, RewardsConfig, load_config

SEED = 20261123
SEG_CODE = {name: i for i, name in enumerate(SEGMENTS)}
DECLINES = ("inactive", "blocked", "undefined", "zero", "roi", "daily_cap", "weekly_cap")


def rule(rule_id: str, priority: int, conditions: dict, kind: str, formula_text: str, cap: float) -> dict:
    config = {"type": kind, "formula": formula_text, "max_amount": cap}
    if kind == "BONUS_BALANCE":
        config |= {"wagering_requirement": 10, "expiry_hours": 48}
    return {"rule_id": rule_id, "priority": priority, "conditions": conditions, "reward_config": config}


RULES = [
    rule(
        "VIP_POINTS",
        5,
        {"segment": "VIP", "session_count_min": 50},
        "LOYALTY_POINTS",
        "round(avg_wager_per_session * 0.2, 2)",
        1000,
    ),
    rule(
        "HIGH_ROLLER",
        3,
        {"segment": ["LOSING", "BREAKEVEN"], "total_wagered_min": 50000, "net_loss_min": 1000},
        "CASHBACK",
        "round(min(net_loss * 0.05, abs(net_pnl) * 0.04 + 100), 2)",
        1000,
    ),
    rule(
        "LOSING_CASHBACK",
        10,
        {"segment": "LOSING", "net_loss_min": 100, "session_count_min": 3},
        "BONUS_BALANCE",
        "net_loss * 0.10",
        500,
    ),
    rule(
        "LOSING_SMALL",
        11,
        {"segment": "LOSING", "net_loss_max": 100},
        "REWARD_POINTS",
        "net_loss / 2 + 1",
        40,
    ),
    rule(
        "NEW_TICKETS",
        15,
        {"segment": "NEW", "total_deposited_min": 10, "sessions_min": 1},
        "TICKETS",
        "min(2 + sessions * 2, 10)",
        10,
    ),
    rule("NEW_IDLE", 16, {"segment": "NEW", "sessions": 0}, "TICKETS", "1", 1),
    rule(
        "BREAKEVEN_POINTS",
        20,
        {"segment": "BREAKEVEN", "sessions_min": 5},
        "REWARD_POINTS",
        "round(total_wagered * 0.002, 2)",
        300,
    ),
    rule(
        "WINNING_RELOAD",
        30,
        {"segment": "WINNING", "total_deposited_min": 200},
        "BONUS_BALANCE",
        "max(total_deposited * 0.25, 50)",
        250,
    ),
    rule(
        "PER_SESSION",
        9,
        {"segment": "LOSING", "sessions_min": 4, "sessions_max": 40},
        "REWARD_POINTS",
        "net_loss / (sessions - 4)",
        200,
    ),  # sessions = 4: division by zero
    rule(
        "LONG_PLAY",
        25,
        {"playtime_hours_min": 200, "segment": ["BREAKEVEN", "WINNING"]},
        "LOYALTY_POINTS",
        "round(playtime_hours / 10)",
        80,
    ),
    rule("RATIO_BONUS", 26, {"win_loss_ratio_max": 0.5}, "REWARD_POINTS", "(1 - win_loss_ratio) * 100", 90),
    rule(
        "WITHDRAWN",
        27,
        {"total_withdrawn_min": 5000},
        "LOYALTY_POINTS",
        "-net_pnl * 0.01 + bonus_received / 100",
        120,
    ),
    rule(
        "DEPOSIT_MATCH",
        28,
        {"total_deposited_min": 1000, "total_deposited_max": 20000},
        "BONUS_BALANCE",
        "round(total_deposited * 0.05, -1)",
        400,
    ),
    rule(
        "VIP_LOSS", 4, {"segment": "VIP", "net_loss_min": 5000}, "CASHBACK", "round(net_loss * 0.02, 2)", 900
    ),
    rule(
        "AVG_BIG",
        35,
        {"avg_wager_per_session_min": 300},
        "REWARD_POINTS",
        "avg_wager_per_session * 0.1 - 5",
        100,
    ),
    rule("FEW_SESSIONS", 40, {"sessions": [1, 2, 3]}, "TICKETS", "3 - sessions / 2", 3),
    rule(
        "NEG_GUARD", 45, {"net_pnl_min": 0, "segment": "NEW"}, "REWARD_POINTS", "-(net_pnl) * 0.01", 50
    ),  # <= 0
    rule(
        "WAGERED_MID",
        50,
        {"total_wagered_min": 1000, "total_wagered_max": 5000, "segment": "WINNING"},
        "REWARD_POINTS",
        "max(min(total_wagered / 100, 30), 2)",
        30,
    ),
    rule(
        "BONUS_TAKERS",
        2,
        {"bonus_received_min": 500, "segment": "WINNING"},
        "LOYALTY_POINTS",
        "abs(bonus_received - 150) / 3",
        60,
    ),
    rule("CATCH_ALL", 99, {}, "LOYALTY_POINTS", "round(total_wagered / 1000 + 1, 1)", 25),
]


def players(n: int) -> pd.DataFrame:
    """n players in cents-precise amounts, spread over every segment."""
    rng = np.random.default_rng(SEED)
    wagered = np.round(np.exp(rng.normal(8.3, 2.0, n)), 2)
    wagered[rng.random(n) < 0.03] = 0.0
    ratio = np.clip(rng.normal(0.95, 0.12, n), 0.0, 1.6)
    won = np.round(wagered * ratio, 2)
    sessions = np.maximum(rng.poisson(np.clip(wagered / 800, 0.5, 300)), 0)
    return pd.DataFrame(
        {
            "player_id": [f"B{i:07d}" for i in range(n)],
            "total_deposited": np.round(
                np.maximum(wagered - won, 0) * rng.uniform(0.5, 1.5, n) + rng.uniform(0, 500, n), 2
            ),
            "total_wagered": wagered,
            "total_won": won,
            "sessions": sessions.astype(np.int64),
            "playtime_hours": np.round(sessions * rng.uniform(0.2, 3.0, n), 2),
            "total_withdrawn": np.round(won * rng.uniform(0, 0.9, n), 2),
            "bonus_received": np.round(rng.choice([0, 0, 0, 50, 100, 200, 500], n), 2),
        }
    )


def side_inputs(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Abuse signals for 3 % of players and rewards already issued for 5 %."""
    rng = np.random.default_rng(SEED + 1)
    n = len(frame)
    flagged = rng.choice(n, n * 3 // 100, replace=False)
    signals = pd.DataFrame({"player_id": frame["player_id"].to_numpy()[flagged], "has_ledger": True})
    for name in ("bonus_only", "fast_withdrawal", "bet_jump", "multi_accounting"):
        signals[name] = rng.random(len(flagged)) < 0.45
    paid = rng.choice(n, n * 5 // 100, replace=False)
    day = np.round(rng.uniform(0, 1000, len(paid)), 2)
    issued = pd.DataFrame(
        {
            "player_id": frame["player_id"].to_numpy()[paid],
            "issued_day": day,
            "issued_week": np.round(day + rng.uniform(0, 4200, len(paid)), 2),
        }
    )
    return signals, issued


# -- the pandas / numpy implementation -------------------------------------------------------
def half_away(y: np.ndarray) -> np.ndarray:
    """std::round: to the nearest integer, halves away from zero (what DuckDB's round does)."""
    return np.where(y >= 0, np.floor(y + 0.5), np.ceil(y - 0.5))


def rnd(x: np.ndarray, digits: int) -> np.ndarray:
    """DuckDB's round(x, digits) on doubles."""
    if digits >= 0:
        scale = 10.0**digits
        return half_away(x * scale) / scale
    scale = 10.0**-digits
    return half_away(x / scale) * scale


def numpy_formula(
    node: formula.Node, fields: dict[str, np.ndarray], undefined: list[np.ndarray]
) -> np.ndarray:
    """A checked formula tree as numpy operations on the picked players' fields."""
    if isinstance(node, formula.Num):
        return np.float64(node.value)
    if isinstance(node, formula.Field):
        values = fields[node.name]
        if node.name in NULLABLE_FIELDS:
            undefined.append(np.isnan(values))
        return values
    if isinstance(node, formula.Neg):
        return -numpy_formula(node.operand, fields, undefined)
    if isinstance(node, formula.Bin):
        left = numpy_formula(node.left, fields, undefined)
        right = numpy_formula(node.right, fields, undefined)
        if node.op == "+":
            return left + right
        if node.op == "-":
            return left - right
        if node.op == "*":
            return left * right
        undefined.append(np.asarray(right == 0))
        with np.errstate(divide="ignore", invalid="ignore"):
            return left / right
    args = [numpy_formula(a, fields, undefined) for a in node.args]
    if node.func == "min":
        return np.minimum.reduce(np.broadcast_arrays(*args))
    if node.func == "max":
        return np.maximum.reduce(np.broadcast_arrays(*args))
    if node.func == "abs":
        return np.abs(args[0])
    return rnd(args[0] * formula.ROUND_NUDGE, node.digits)


def condition_mask(rule: Rule, fields: dict[str, np.ndarray], segment: np.ndarray) -> np.ndarray:
    mask = np.ones(len(segment), dtype=bool)
    for cond in rule.conditions:
        if cond.field == "segment":
            codes = [SEG_CODE[v] for v in (cond.value if cond.op == "in" else [cond.value])]
            mask &= np.isin(segment, codes)
            continue
        values = fields[cond.field]
        if cond.op == "min":
            mask &= values >= cond.value
        elif cond.op == "max":
            mask &= values <= cond.value
        elif cond.op == "in":
            mask &= np.isin(values, cond.value)
        else:
            mask &= values == cond.value
    return mask


def pandas_engine(
    frame: pd.DataFrame, rules: list[Rule], cfg: RewardsConfig, signals: pd.DataFrame, issued: pd.DataFrame
) -> pd.DataFrame:
    """The same decisions as the DuckDB engine, with pandas and numpy."""
    n = len(frame)
    wagered = frame["total_wagered"].to_numpy(np.float64)
    won = frame["total_won"].to_numpy(np.float64)
    sessions = frame["sessions"].to_numpy(np.float64)
    net_pnl = won - wagered
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(wagered > 0, won / wagered, np.nan)
    fields = {
        "total_deposited": frame["total_deposited"].to_numpy(np.float64),
        "total_wagered": wagered,
        "total_won": won,
        "sessions": sessions,
        "session_count": sessions,
        "playtime_hours": frame["playtime_hours"].to_numpy(np.float64),
        "total_withdrawn": frame["total_withdrawn"].to_numpy(np.float64),
        "bonus_received": frame["bonus_received"].to_numpy(np.float64),
        "net_pnl": net_pnl,
        "net_loss": np.maximum(wagered - won, 0.0),
        "avg_wager_per_session": wagered / np.maximum(sessions, 1),
        "win_loss_ratio": ratio,
    }
    seg = cfg.segments
    segment = np.select(
        [
            wagered < seg.new_wagered_below,
            (wagered >= seg.vip_wagered_min) & (sessions >= seg.vip_sessions_min),
            net_pnl > seg.winning_share * wagered,
            net_pnl < -seg.losing_share * wagered,
        ],
        [SEG_CODE["NEW"], SEG_CODE["VIP"], SEG_CODE["WINNING"], SEG_CODE["LOSING"]],
        SEG_CODE["BREAKEVEN"],
    )

    active = ordered(rules)
    masks = [condition_mask(r, fields, segment) for r in active]
    rule_no = np.select(masks, np.arange(1, len(active) + 1), 0) if active else np.zeros(n, dtype=np.int64)
    value = np.full(n, np.nan)
    undefined = np.zeros(n, dtype=bool)
    max_amount = np.full(n, np.nan)
    for k, rule in enumerate(active, start=1):
        idx = np.flatnonzero(rule_no == k)
        if not len(idx):
            continue
        flags: list[np.ndarray] = []
        picked = {name: values[idx] for name, values in fields.items()}
        value[idx] = numpy_formula(rule.tree, picked, flags)
        undefined[idx] = (
            np.logical_or.reduce([np.broadcast_to(f, idx.shape) for f in flags]) if flags else False
        )
        max_amount[idx] = rule.max_amount

    # abuse
    points = cfg.abuse.points
    position = pd.Index(frame["player_id"]).get_indexer(signals["player_id"])
    has_ledger = np.zeros(n, dtype=bool)
    has_ledger[position] = True
    sig = {name: np.zeros(n, dtype=bool) for name in SIGNALS}
    for name in ("fast_withdrawal", "bet_jump", "multi_accounting", "bonus_only"):
        sig[name][position] = signals[name].to_numpy(bool)
    export_bonus_only = (fields["total_deposited"] == 0) & (fields["bonus_received"] > 0)
    sig["bonus_only"] = np.where(has_ledger, sig["bonus_only"], export_bonus_only)
    sig["abnormal_win_rate"] = np.nan_to_num(ratio, nan=0.0) > cfg.abuse.abnormal_win_rate
    score = np.minimum(100, sum(np.where(sig[name], points[name], 0) for name in SIGNALS))
    bands = cfg.abuse.bands
    action = np.select(
        [
            score <= bands.no_action_max,
            score <= bands.reduced_rewards_max,
            score <= bands.increased_wagering_max,
        ],
        [0, 1, 2],
        3,
    )

    # amounts, EV, ROI
    matched = rule_no > 0
    bad = matched & (undefined | ~np.isfinite(value))
    factor = np.where(action == 1, cfg.abuse.reduced_rewards_factor, 1.0)
    with np.errstate(invalid="ignore"):
        capped = np.minimum(np.maximum(value, 0.0), max_amount)
    amount = np.where(bad, 0.0, rnd(capped * factor * formula.ROUND_NUDGE, 4) + 0.0)
    amount = np.where(matched, amount, np.nan)
    mult = np.array([cfg.profit.retention_multipliers[s] for s in SEGMENTS])[segment]
    avg = fields["avg_wager_per_session"]
    expected_wager = rnd(avg * mult * formula.ROUND_NUDGE, 4) + 0.0
    expected_revenue = rnd(avg * mult * cfg.profit.house_edge * formula.ROUND_NUDGE, 4) + 0.0
    expected_profit = rnd(expected_revenue - amount, 4) + 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        roi = np.where(amount > 0, rnd(expected_profit / amount * 100 * formula.ROUND_NUDGE, 4) + 0.0, np.nan)

    # caps against rewards already issued
    day = np.zeros(n)
    week = np.zeros(n)
    paid = pd.Index(frame["player_id"]).get_indexer(issued["player_id"])
    day[paid] = issued["issued_day"].to_numpy(np.float64)
    week[paid] = issued["issued_week"].to_numpy(np.float64)
    code = np.select(
        [
            ~matched,
            action == 3,
            bad,
            amount <= 0,
            roi < cfg.profit.min_roi_percent,
            rnd(day + amount, 4) > cfg.caps.daily,
            rnd(week + amount, 4) > cfg.caps.weekly,
        ],
        [-1, 2, 3, 4, 5, 6, 7],
        0,
    )  # the codes of DECLINES, numbered from 1 (1 = inactive: none here)
    return pd.DataFrame(
        {
            "player_id": frame["player_id"],
            "rule_no": rule_no,
            "amount": amount,
            "expected_wager": expected_wager,
            "expected_revenue": expected_revenue,
            "roi_percent": roi,
            "decline": code,
            "approved": matched & (code == 0),
        }
    )


# -- the run --------------------------------------------------------------------------------
def timed(fn) -> tuple[float, float, object]:
    """Wall-clock and CPU seconds (all of the process's threads) of one call, and its result."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, out


def compare(duck: pd.DataFrame, pand: pd.DataFrame) -> dict:
    """How many players get the same rule, amount, revenue, ROI and decision from both."""
    duck = duck.set_index("player_id").reindex(pand["player_id"])
    code = duck["decline_code"].map({c: i for i, c in enumerate(DECLINES, start=1)}).fillna(0).to_numpy()
    code = np.where(duck["rule_no"].isna().to_numpy(), -1, code)
    same_rule = duck["rule_no"].fillna(0).to_numpy(np.int64) == pand["rule_no"].to_numpy()

    def close(a: pd.Series, b: pd.Series) -> np.ndarray:
        x, y = a.to_numpy(np.float64, na_value=np.nan), b.to_numpy(np.float64)
        return (np.isnan(x) & np.isnan(y)) | (np.abs(x - y) <= 1e-9)

    def exact(a: pd.Series, b: pd.Series) -> np.ndarray:
        x, y = a.to_numpy(np.float64, na_value=np.nan), b.to_numpy(np.float64)
        return (np.isnan(x) & np.isnan(y)) | (x == y)

    return {
        "players": len(pand),
        "same_rule": int(same_rule.sum()),
        "same_amount": int(close(duck["amount"], pand["amount"]).sum()),
        "amount_bit_identical": int(exact(duck["amount"], pand["amount"]).sum()),
        "same_expected_wager": int(close(duck["expected_wager"], pand["expected_wager"]).sum()),
        "same_expected_revenue": int(close(duck["expected_revenue"], pand["expected_revenue"]).sum()),
        "same_roi": int(close(duck["roi_percent"], pand["roi_percent"]).sum()),
        "same_decision": int((code == pand["decline"].to_numpy()).sum()),
    }


def engine_threads() -> int:
    """The threads DuckDB uses on this machine (its default)."""
    import duckdb

    con = duckdb.connect()
    try:
        return int(con.execute("SELECT current_setting('threads')").fetchone()[0])
    finally:
        con.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    cfg = load_config()
    rules = parse_rules(RULES, cfg.formula, "benchmark rules")
    assert len(rules) == 20
    t0 = time.perf_counter()
    frame = players(args.players)
    signals, issued = side_inputs(frame)
    print(f"generated {len(frame):,} players in {time.perf_counter() - t0:.1f} s; load {os.getloadavg()}")

    duck_times, duck_cpu, pand_times, pand_cpu = [], [], [], []
    for _ in range(args.repeat):  # alternate, so both see the same machine load
        wall, cpu, duck = timed(lambda: engine.evaluate(frame, rules, cfg, signals=signals, issued=issued))
        duck_times.append(wall)
        duck_cpu.append(cpu)
        wall, cpu, pand = timed(lambda: pandas_engine(frame, rules, cfg, signals, issued))
        pand_times.append(wall)
        pand_cpu.append(cpu)
    duck_df = duck.to_pandas()
    check = compare(duck_df, pand)
    best_duck, best_pand = min(duck_times), min(pand_times)
    med_duck, med_pand = statistics.median(duck_times), statistics.median(pand_times)
    print(
        f"engine (DuckDB): wall best {best_duck:.3f} s, median {med_duck:.3f} s; "
        f"CPU best {min(duck_cpu):.3f} s ({args.repeat} runs, {engine_threads()} threads)"
    )
    print(
        f"pandas/numpy   : wall best {best_pand:.3f} s, median {med_pand:.3f} s; "
        f"CPU best {min(pand_cpu):.3f} s"
    )
    print(
        f"ratio pandas / engine: wall best {best_pand / best_duck:.2f}x, median {med_pand / med_duck:.2f}x; "
        f"CPU {min(pand_cpu) / min(duck_cpu):.2f}x"
    )
    print("agreement: " + ", ".join(f"{k} {v:,}" for k, v in check.items()))
    matched = duck_df["rule_id"].notna()
    print(
        f"rules used: {duck_df.loc[matched, 'rule_id'].nunique()}, matched {int(matched.sum()):,}, approved "
        f"{int(duck_df['approved'].sum()):,}, declined by code: "
        + ", ".join(f"{k} {v:,}" for k, v in duck_df["decline_code"].value_counts().items())
    )
    print(f"load after: {os.getloadavg()}")
    everyone = check["players"]
    ok = all(check[k] == everyone for k in check if k.startswith("same_"))
    if not ok:
        print("MISMATCH between the engine and the pandas version")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
