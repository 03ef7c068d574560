"""Helpers for the Rewards & ROI tests: hand-made players and rules, the engine on them."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from analytics.rewards import engine
from analytics.rewards.rules import parse_rules
from analytics.rewards.settings import RewardsConfig, load_config

MONEY = ("total_deposited", "total_wagered", "total_won", "total_withdrawn", "bonus_received")


@pytest.fixture(scope="session")
def cfg() -> RewardsConfig:
    """The shipped settings (the contract's defaults)."""
    return load_config()


def player(player_id: str = "P1", **values) -> dict:
    """A player export row: 1,000 deposited, nothing else unless given."""
    row = {
        "player_id": player_id,
        "total_deposited": 1000,
        "total_wagered": 0,
        "total_won": 0,
        "sessions": 0,
        "playtime_hours": 0,
        "total_withdrawn": 0,
        "bonus_received": 0,
    }
    row.update(values)
    return row


def frame(rows: list[dict]) -> pa.Table:
    """Rows as the store gives them: money as exact DECIMAL(18, 4)."""
    data = pd.DataFrame(rows)
    schema = []
    for col in data.columns:
        if col in MONEY:
            schema.append(pa.field(col, pa.decimal128(18, 4)))
        elif col == "sessions":
            schema.append(pa.field(col, pa.int64()))
        elif col == "playtime_hours":
            schema.append(pa.field(col, pa.float64()))
        elif col == "player_active":
            schema.append(pa.field(col, pa.bool_()))
        elif col in ("registered_at", "last_active_at"):
            schema.append(pa.field(col, pa.timestamp("us")))
        else:
            schema.append(pa.field(col, pa.string()))
    arrays = {}
    for field in schema:
        values = [None if pd.isna(v) else v for v in data[field.name].tolist()]
        if pa.types.is_decimal(field.type):
            values = [None if v is None else Decimal(str(v)) for v in values]
        elif pa.types.is_timestamp(field.type):
            values = [None if v is None else pd.Timestamp(v).tz_convert(None).to_pydatetime() for v in values]
        arrays[field.name] = pa.array(values, type=field.type)
    return pa.table(arrays)


def rule(
    rule_id: str = "R1",
    priority: int = 10,
    conditions: dict | None = None,
    formula: str = "10",
    max_amount: float = 1000,
    kind: str = "REWARD_POINTS",
    **config,
) -> dict:
    """A rule definition (JSON shape); BONUS_BALANCE gets wagering 10 and expiry 48 h by default."""
    reward = {"type": kind, "formula": formula, "max_amount": max_amount, **config}
    if kind == "BONUS_BALANCE":
        reward.setdefault("wagering_requirement", 10)
        reward.setdefault("expiry_hours", 48)
    return {
        "rule_id": rule_id,
        "name": rule_id,
        "priority": priority,
        "is_active": True,
        "conditions": conditions or {},
        "reward_config": reward,
    }


def evaluate(rows: list[dict], rules: list[dict], cfg: RewardsConfig, **inputs) -> pd.DataFrame:
    """The engine over hand-made rows, one row per player in player_id order."""
    parsed = parse_rules(rules, cfg.formula) if rules else []
    table = engine.evaluate(frame(rows), parsed, cfg, **inputs).to_pandas()
    return table.sort_values("player_id", ignore_index=True)


def one(rows: list[dict], rules: list[dict], cfg: RewardsConfig, **inputs) -> pd.Series:
    """The engine's row for the only player."""
    return evaluate(rows, rules, cfg, **inputs).iloc[0]


def write_rules(path: Path, rules: list[dict] | dict) -> Path:
    """Rules as a JSON file."""
    path.write_text(json.dumps(rules), encoding="utf-8")
    return path
