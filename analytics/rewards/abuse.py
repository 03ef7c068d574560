"""Abuse signals read from the stored transaction ledger, and how a player's signals are named."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analytics import sql
from analytics.rewards.settings import SIGNALS, RewardsConfig
from analytics.store import Store

HOUR = 3600


def ledger_params(cfg: RewardsConfig) -> dict[str, Any]:
    """Parameters of queries/rewards/ledger_signals.sql."""
    abuse = cfg.abuse
    return {
        "fast_withdrawal_seconds": abuse.fast_withdrawal_hours * HOUR,
        "wagering_requirement": abuse.bet_jump.wagering_requirement,
        "bet_jump_factor": abuse.bet_jump.factor,
        "bet_jump_window_seconds": abuse.bet_jump.window_hours * HOUR,
    }


def ledger_signals(store: Store, cfg: RewardsConfig, player_id: str | None = None) -> pd.DataFrame:
    """Per ledger player (or for one): has_ledger, bonus_only, fast_withdrawal, bet_jump,
    multi_accounting."""
    params = ledger_params(cfg) | {"player_id": player_id}
    return sql.DuckDBRunner(store).run("rewards/ledger_signals", params)


def shared_identities(store: Store) -> pd.DataFrame:
    """Devices and ips shared between players: player_id, kind, ident, players, other_player."""
    return sql.DuckDBRunner(store).run("rewards/shared_identities")


def signal_names(row: Any) -> list[str]:
    """The names of the signals a decision row (engine output) carries, in the contract's order."""
    return [name for name in SIGNALS if bool(getattr(row, f"sig_{name}"))]


def evidence(shared: pd.DataFrame, player_id: str) -> list[str]:
    """Lines saying which device or ip a player shares and with whom."""
    rows = shared[shared["player_id"] == player_id]
    out = []
    for (kind, ident), group in rows.groupby(["kind", "ident"], sort=True):
        others = ", ".join(sorted(group["other_player"]))
        out.append(f"{kind} {ident} shared with {others}")
    return out
