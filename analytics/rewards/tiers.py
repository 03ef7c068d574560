"""Loyalty tiers (Bronze to Platinum by default) from lifetime loyalty points earned."""

from __future__ import annotations

import pandas as pd

from analytics import sql
from analytics.errors import InputError
from analytics.identity import Actor, require
from analytics.rewards.settings import RewardsConfig, Tier, check_tiers
from analytics.store import Store


def list_tiers(store: Store, cfg: RewardsConfig) -> list[Tier]:
    """The stored tiers, or the configured defaults when none are stored."""
    frame = sql.DuckDBRunner(store).run("rewards/tiers")
    if frame.empty:
        return list(cfg.tiers)
    return [
        Tier(name=n, min_points=float(p)) for n, p in zip(frame["name"], frame["min_points"], strict=True)
    ]


def save_tier(store: Store, name: str, min_points: float, actor: Actor, cfg: RewardsConfig) -> list[Tier]:
    """Create or change one tier (by name, case-insensitive); the whole list must stay valid."""
    require(actor, "rules.edit")
    if not isinstance(name, str) or not name.strip():
        raise InputError("a tier needs a name")
    try:
        tier = Tier(name=name.strip(), min_points=min_points)
    except ValueError as exc:
        raise InputError(
            f"tier {name!r}: {exc.errors()[0]['msg'] if hasattr(exc, 'errors') else exc}"
        ) from None
    current = [t for t in list_tiers(store, cfg) if t.name.lower() != tier.name.lower()]
    tiers = sorted([*current, tier], key=lambda t: t.min_points)
    try:
        check_tiers(tiers)
    except ValueError as exc:
        raise InputError(f"tier {tier.name!r}: {exc}") from None
    with store.connect() as con:
        con.execute("DELETE FROM reward_tiers")
        con.executemany(
            "INSERT INTO reward_tiers VALUES (?, ?, now()::TIMESTAMP, ?)",
            [[t.name, t.min_points, actor.name] for t in tiers],
        )
    return tiers


def tier_for(points: float, tiers: list[Tier]) -> str | None:
    """The highest tier whose threshold `points` reaches (None below the lowest)."""
    reached = [t for t in tiers if points >= t.min_points]
    return reached[-1].name if reached else None


def loyalty_points(store: Store, player_id: str | None = None) -> pd.DataFrame:
    """Lifetime loyalty points earned: player_id, points."""
    return sql.DuckDBRunner(store).run("rewards/loyalty_earned", {"player_id": player_id})
