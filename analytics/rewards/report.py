"""Figures for the page and the API, computed from an engine table or the store (pure pandas)."""

from __future__ import annotations

import pandas as pd

from analytics import sql
from analytics.rewards.abuse import signal_names
from analytics.rewards.settings import SEGMENTS
from analytics.store import Store

DECLINE_LABELS = {
    "inactive": "player deactivated",
    "blocked": "abuse: BLOCKED",
    "undefined": "formula undefined",
    "zero": "amount is 0",
    "roi": "ROI below the minimum",
    "daily_cap": "daily cap",
    "weekly_cap": "weekly cap",
}


def segment_counts(table: pd.DataFrame) -> pd.DataFrame:
    """Players per segment (every segment listed, in the contract's order) and their share."""
    counts = table["segment"].value_counts().reindex(list(SEGMENTS), fill_value=0)
    total = int(counts.sum())
    return pd.DataFrame(
        {
            "segment": list(SEGMENTS),
            "players": counts.to_numpy().astype(int),
            "share": (counts / total).to_numpy() if total else 0.0,
        }
    )


def _money_rollup(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Sum cost and expected revenue by `by`; profit = revenue - cost, ROI = profit / cost x 100."""
    grouped = (
        frame.groupby(by, sort=True, dropna=False)
        .agg(
            players=("players", "sum"),
            approved=("approved", "sum"),
            cost=("cost", "sum"),
            expected_revenue=("expected_revenue", "sum"),
        )
        .reset_index()
    )
    grouped["expected_profit"] = grouped["expected_revenue"] - grouped["cost"]
    grouped["roi_percent"] = (grouped["expected_profit"] / grouped["cost"] * 100).where(grouped["cost"] > 0)
    return grouped


def simulation(table: pd.DataFrame, rule_id: str | None = None) -> dict:
    """What a rule (or every rule) does: players reached, approved, cost, expected revenue, profit
    and ROI in total and by segment, and why the others are declined."""
    matched = table[table["rule_id"].notna()] if rule_id is None else table[table["rule_id"] == rule_id]
    approved = matched["approved"].astype(bool)
    rows = pd.DataFrame(
        {
            "segment": matched["segment"],
            "players": 1,
            "approved": approved.astype(int),
            "cost": matched["amount"].where(approved, 0.0),
            "expected_revenue": matched["expected_revenue"].where(approved, 0.0),
        }
    )
    by_segment = (
        _money_rollup(rows, ["segment"])
        if len(rows)
        else _money_rollup(
            pd.DataFrame(columns=["segment", "players", "approved", "cost", "expected_revenue"]), ["segment"]
        )
    )
    by_segment = by_segment.set_index("segment").reindex([s for s in SEGMENTS if s in set(rows["segment"])])
    totals = by_segment[["players", "approved", "cost", "expected_revenue"]].sum()
    cost, revenue = float(totals["cost"]), float(totals["expected_revenue"])
    declined = matched["decline_code"].dropna().map(DECLINE_LABELS).value_counts()
    return {
        "players": len(table),
        "reached": int(totals["players"]),
        "approved": int(totals["approved"]),
        "cost": cost,
        "expected_revenue": revenue,
        "expected_profit": revenue - cost,
        "roi_percent": (revenue - cost) / cost * 100 if cost > 0 else None,
        "by_segment": by_segment.reset_index(),
        "declined": {str(k): int(v) for k, v in declined.items()},
    }


def issued(store: Store) -> pd.DataFrame:
    """Issued rewards by rule and segment (rewards, players, cost, expected revenue, profit, ROI)."""
    frame = sql.DuckDBRunner(store).run("rewards/issued_summary")
    frame["roi_percent"] = (frame["expected_profit"] / frame["cost"] * 100).where(frame["cost"] > 0)
    return frame


def issued_by(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """An issued summary rolled up by `by` (rule_id or segment), ROI from the sums."""
    if frame.empty:
        return pd.DataFrame(
            columns=[by, "rewards", "cost", "expected_revenue", "expected_profit", "roi_percent"]
        )
    out = (
        frame.groupby(by, sort=True)
        .agg(rewards=("rewards", "sum"), cost=("cost", "sum"), expected_revenue=("expected_revenue", "sum"))
        .reset_index()
    )
    out["expected_profit"] = out["expected_revenue"] - out["cost"]
    out["roi_percent"] = (out["expected_profit"] / out["cost"] * 100).where(out["cost"] > 0)
    return out


def issued_totals(frame: pd.DataFrame) -> dict:
    """All issued rewards together: count, cost, expected revenue, profit and ROI (from the sums)."""
    cost, revenue = float(frame["cost"].sum()), float(frame["expected_revenue"].sum())
    return {
        "rewards": int(frame["rewards"].sum()),
        "cost": cost,
        "expected_revenue": revenue,
        "expected_profit": revenue - cost,
        "roi_percent": (revenue - cost) / cost * 100 if cost > 0 else None,
    }


def abuse_list(table: pd.DataFrame) -> pd.DataFrame:
    """Players with at least one abuse signal, highest score first: score, action, signals, segment."""
    flagged = table[table["abuse_score"] > 0]
    out = pd.DataFrame(
        {
            "player_id": flagged["player_id"],
            "score": flagged["abuse_score"].astype(int),
            "action": flagged["abuse_action"],
            "signals": [", ".join(signal_names(r)) for r in flagged.itertuples(index=False)],
            "segment": flagged["segment"],
        }
    )
    return out.sort_values(["score", "player_id"], ascending=[False, True], ignore_index=True)


def action_counts(table: pd.DataFrame) -> dict[str, int]:
    """Players per abuse action."""
    return {str(k): int(v) for k, v in table["abuse_action"].value_counts().items()}


def transactions(store: Store) -> pd.DataFrame:
    """The stored ledger by type (the API's transactions analytics)."""
    return sql.DuckDBRunner(store).run("rewards/transactions_summary")


def store_version(store: Store) -> tuple:
    """A fingerprint that changes whenever what the rewards views read changes."""
    return tuple(int(v) for v in sql.DuckDBRunner(store).run("rewards/store_version").iloc[0])
