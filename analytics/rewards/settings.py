"""Settings of the Rewards & ROI workspace: config/rewards.yaml validated with pydantic."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from analytics import config

SEGMENTS = ("NEW", "VIP", "WINNING", "LOSING", "BREAKEVEN")
ACTIONS = ("NO_ACTION", "REDUCED_REWARDS", "INCREASED_WAGERING", "BLOCKED")
SIGNALS = ("bonus_only", "fast_withdrawal", "bet_jump", "multi_accounting", "abnormal_win_rate")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Segments(_Strict):
    """Thresholds of the five segments."""

    new_wagered_below: float = Field(ge=0)
    vip_wagered_min: float = Field(ge=0)
    vip_sessions_min: int = Field(ge=0)
    winning_share: float = Field(ge=0)
    losing_share: float = Field(ge=0)


class Profit(_Strict):
    """Expected value: retention multipliers, house edge and the least ROI approved."""

    house_edge: float = Field(ge=0, le=1)
    min_roi_percent: float
    retention_multipliers: dict[str, float]

    @field_validator("retention_multipliers")
    @classmethod
    def _every_segment(cls, value: dict[str, float]) -> dict[str, float]:
        if set(value) != set(SEGMENTS):
            raise ValueError(f"needs exactly the segments {', '.join(SEGMENTS)}")
        if any(v < 0 for v in value.values()):
            raise ValueError("multipliers must be >= 0")
        return value


class Caps(_Strict):
    """Per-player limits on issued rewards."""

    daily: float = Field(gt=0)
    weekly: float = Field(gt=0)


class Bands(_Strict):
    """Upper score of each action band (BLOCKED above the last)."""

    no_action_max: int = Field(ge=0, le=100)
    reduced_rewards_max: int = Field(ge=0, le=100)
    increased_wagering_max: int = Field(ge=0, le=100)

    @model_validator(mode="after")
    def _ascending(self) -> Bands:
        if not self.no_action_max <= self.reduced_rewards_max <= self.increased_wagering_max:
            raise ValueError(
                "bands must ascend: no_action_max <= reduced_rewards_max <= increased_wagering_max"
            )
        return self


class BetJump(_Strict):
    """How a bet jump after a bonus's wagering is read from the ledger."""

    wagering_requirement: float = Field(gt=0)
    factor: float = Field(gt=0)
    window_hours: float = Field(gt=0)


class Abuse(_Strict):
    """Abuse points, bands and the parameters of the ledger signals."""

    points: dict[str, int]
    bands: Bands
    reduced_rewards_factor: float = Field(ge=0, le=1)
    increased_wagering_factor: float = Field(ge=1)
    fast_withdrawal_hours: float = Field(gt=0)
    abnormal_win_rate: float = Field(ge=0)
    bet_jump: BetJump

    @field_validator("points")
    @classmethod
    def _every_signal(cls, value: dict[str, int]) -> dict[str, int]:
        if set(value) != set(SIGNALS):
            raise ValueError(f"needs exactly the signals {', '.join(SIGNALS)}")
        if any(v < 0 for v in value.values()):
            raise ValueError("points must be >= 0")
        return value


class Tier(_Strict):
    """A loyalty tier and the lifetime loyalty points it starts at."""

    name: str = Field(min_length=1, max_length=40)
    min_points: float = Field(ge=0)


class FormulaLimits(_Strict):
    """Size limits on a rule's formula."""

    max_length: int = Field(gt=0)
    max_nodes: int = Field(gt=0)
    max_depth: int = Field(gt=0)
    max_number: float = Field(gt=0)


class RewardsConfig(_Strict):
    """Everything config/rewards.yaml holds."""

    segments: Segments
    profit: Profit
    caps: Caps
    abuse: Abuse
    tiers: list[Tier]
    formula: FormulaLimits

    @field_validator("tiers")
    @classmethod
    def _tiers_ascend(cls, value: list[Tier]) -> list[Tier]:
        return check_tiers(value)


def check_tiers(tiers: list[Tier]) -> list[Tier]:
    """Tiers with unique names, ascending thresholds, the first at 0; ValueError otherwise."""
    if not tiers:
        raise ValueError("at least one tier is needed")
    names = [t.name.lower() for t in tiers]
    if len(set(names)) != len(names):
        raise ValueError("tier names must be unique")
    points = [t.min_points for t in tiers]
    if points[0] != 0 or points != sorted(points) or len(set(points)) != len(points):
        raise ValueError("tier thresholds must start at 0 and strictly ascend")
    return tiers


def load_config(path: Path | None = None) -> RewardsConfig:
    """The workspace's settings (config/rewards.yaml, or `path`)."""
    return config.load("rewards", RewardsConfig, path)
