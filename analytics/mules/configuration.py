"""drops.yaml: the simulator's settings (contracts/drops.md), validated with errors naming the key."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from analytics import config
from analytics.errors import ConfigError

DISTRIBUTOR_SCENARIOS = ("split_transfers", "single_transfer", "full_withdrawal", "partial_withdrawal")
PURCHASER_SCENARIOS = ("single_purchase", "split_purchases")
SUM_TOLERANCE = 1e-9


def _pair(value: Any) -> Any:
    """A range is a list of two values."""
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ValueError(f"a range is written [min, max], got {value!r}")
    return value


def _ordered(value: tuple[float, float]) -> tuple[float, float]:
    """min <= max."""
    lo, hi = value
    if lo > hi:
        raise ValueError(f"bad range: min {lo:g} is greater than max {hi:g}")
    return value


def _non_negative(value: tuple[float, float]) -> tuple[float, float]:
    """min >= 0."""
    if value[0] < 0:
        raise ValueError(f"bad range: min {value[0]:g} must not be negative")
    return value


def _positive(value: tuple[float, float]) -> tuple[float, float]:
    """min > 0."""
    if value[0] <= 0:
        raise ValueError(f"bad range: min {value[0]:g} must be greater than 0")
    return value


def _at_least_two(value: tuple[int, int]) -> tuple[int, int]:
    """Parts are several: min >= 2."""
    if value[0] < 2:
        raise ValueError(f"bad range: min {value[0]} must be at least 2 (parts means several)")
    return value


def _share_range(value: tuple[float, float]) -> tuple[float, float]:
    """Both ends are shares in [0, 1]."""
    if value[0] < 0 or value[1] > 1:
        raise ValueError("bad range: shares lie in [0, 1]")
    return value


Range = Annotated[tuple[float, float], BeforeValidator(_pair), AfterValidator(_ordered)]
PositiveRange = Annotated[
    tuple[float, float], BeforeValidator(_pair), AfterValidator(_ordered), AfterValidator(_positive)
]
NonNegativeRange = Annotated[
    tuple[float, float], BeforeValidator(_pair), AfterValidator(_ordered), AfterValidator(_non_negative)
]
CountRange = Annotated[
    tuple[int, int], BeforeValidator(_pair), AfterValidator(_ordered), AfterValidator(_non_negative)
]
PartsRange = Annotated[
    tuple[int, int], BeforeValidator(_pair), AfterValidator(_ordered), AfterValidator(_at_least_two)
]
ShareRange = Annotated[
    tuple[float, float], BeforeValidator(_pair), AfterValidator(_ordered), AfterValidator(_share_range)
]
Share = Annotated[float, Field(ge=0, le=1)]


class Strict(BaseModel):
    """Unknown keys are refused (a typo is named instead of silently ignored)."""

    model_config = ConfigDict(extra="forbid")


class Limits(Strict):
    """Counts of approved transactions: per activity period and over the drop's life."""

    period_in: int = Field(ge=1)
    period_out: int = Field(ge=1)
    total_in: int = Field(ge=1)
    total_out: int = Field(ge=1)


class KindSettings(Strict):
    """What both kinds of drop share."""

    count: int = Field(ge=0)
    limits: Limits
    gap_minutes: PositiveRange
    pause_hours: NonNegativeRange
    jitter_minutes: Range
    attempts: CountRange
    inbound_amount: PositiveRange
    parts: PartsRange
    scenarios: dict[str, float]

    scenario_names: ClassVar[tuple[str, ...]] = ()

    @field_validator("scenarios")
    @classmethod
    def _probabilities(cls, value: dict[str, float]) -> dict[str, float]:
        """Exactly this kind's scenarios, each in [0, 1], summing to 1."""
        names = cls.scenario_names
        missing = [n for n in names if n not in value]
        unknown = [n for n in value if n not in names]
        if missing or unknown:
            parts = [f"missing scenario {', '.join(missing)}"] if missing else []
            parts += [f"unknown scenario {', '.join(unknown)}"] if unknown else []
            raise ValueError(f"{'; '.join(parts)} (the scenarios are {', '.join(names)})")
        for name, p in value.items():
            if not isinstance(p, int | float) or math.isnan(p) or not 0 <= p <= 1:
                raise ValueError(f"{name}: a probability lies in [0, 1], got {p!r}")
        total = sum(value.values())
        if abs(total - 1) > SUM_TOLERANCE:
            raise ValueError(f"probabilities sum to {total:g}, not 1")
        return value

    def probabilities(self, names: tuple[str, ...]) -> list[float]:
        """Scenario probabilities in the order of `names`."""
        return [float(self.scenarios[n]) for n in names]


class DistributorSettings(KindSettings):
    """Distributors: transfers, ATM withdrawals and crypto purchases."""

    crypto_share: Share
    in_bank_share: Share
    # Beyond the contract's keys (optional): where in-bank transfers go, the ATM part of a partial withdrawal.
    in_bank_drop_share: Share = 0.1
    withdrawal_share: ShareRange = (0.3, 0.7)

    scenario_names: ClassVar[tuple[str, ...]] = DISTRIBUTOR_SCENARIOS


class PurchaserSettings(KindSettings):
    """Purchasers: online purchases to resell."""

    scenario_names: ClassVar[tuple[str, ...]] = PURCHASER_SCENARIOS


class LegitSettings(Strict):
    """Ordinary clients (optional section; the defaults are in config/drops.yaml too)."""

    salary_amount: PositiveRange = (1500.0, 6000.0)
    budget_share: ShareRange = (0.6, 1.0)
    card_per_day: NonNegativeRange = (0.3, 2.0)
    card_amount: PositiveRange = (3.0, 150.0)
    bills_per_month: NonNegativeRange = (1.0, 4.0)
    bill_amount: PositiveRange = (20.0, 300.0)
    transfers_out_per_month: NonNegativeRange = (0.0, 3.0)
    transfers_in_per_month: NonNegativeRange = (0.0, 2.0)
    transfer_amount: PositiveRange = (20.0, 800.0)
    atm_per_month: NonNegativeRange = (0.0, 4.0)
    atm_amount: PositiveRange = (20.0, 400.0)
    online_per_month: NonNegativeRange = (0.0, 5.0)
    online_amount: PositiveRange = (10.0, 300.0)
    crypto_per_month: NonNegativeRange = (1.0, 4.0)
    crypto_amount: PositiveRange = (20.0, 500.0)
    freelancer_share: Share = 0.1
    saver_share: Share = 0.1
    cash_user_share: Share = 0.1
    transit_share: Share = 0.01
    crypto_client_share: Share = 0.05
    night_worker_share: Share = 0.05
    receiver_share: Share = 0.05
    decline_share: Share = 0.005


class DropsConfig(Strict):
    """The whole drops.yaml."""

    seed: int = Field(ge=0)
    start: str
    end: str
    legit_clients: int = Field(ge=0)
    distributor: DistributorSettings
    purchaser: PurchaserSettings
    legit: LegitSettings = LegitSettings()

    @field_validator("start", "end")
    @classmethod
    def _timestamp(cls, value: str) -> str:
        """An ISO 8601 timestamp."""
        parse_time(value)
        return value

    @model_validator(mode="after")
    def _window(self) -> DropsConfig:
        """The window is not empty."""
        if self.start_ts >= self.end_ts:
            raise ValueError(f"end ({self.end}) must be after start ({self.start})")
        return self

    @property
    def start_ts(self) -> int:
        """Start of the window, epoch seconds."""
        return parse_time(self.start)

    @property
    def end_ts(self) -> int:
        """End of the window (exclusive), epoch seconds."""
        return parse_time(self.end)

    def kind(self, name: Literal["distributor", "purchaser"]) -> KindSettings:
        """The settings of one kind of drop."""
        return self.distributor if name == "distributor" else self.purchaser

    def effective(self) -> dict[str, Any]:
        """Every setting, defaults filled in: what a run records and its id hashes."""
        return self.model_dump(mode="json")


def parse_time(value: str) -> int:
    """ISO 8601 text as epoch seconds (no offset: UTC)."""
    try:
        moment = datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 timestamp") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def load_drops(path: Path | None = None) -> DropsConfig:
    """drops.yaml (default config/drops.yaml) as validated settings."""
    return config.load("drops", DropsConfig, path)


def from_mapping(data: dict[str, Any], source: str = "drops settings") -> DropsConfig:
    """Settings from a mapping (the page's form), with the same errors as the file."""
    return config.validate(DropsConfig, data, source)


def with_overrides(
    cfg: DropsConfig,
    seed: int | None = None,
    distributors: int | None = None,
    purchasers: int | None = None,
    legit_clients: int | None = None,
) -> DropsConfig:
    """A copy with the command line's counts and seed applied (validated again)."""
    data = cfg.effective()
    for key, value in (("seed", seed), ("legit_clients", legit_clients)):
        if value is not None:
            data[key] = value
    for kind, value in (("distributor", distributors), ("purchaser", purchasers)):
        if value is not None:
            data[kind]["count"] = value
    try:
        return from_mapping(data, "command line")
    except ConfigError as exc:
        raise ConfigError(
            str(exc)
            .replace("legit_clients", "--legit-clients")
            .replace("distributor.count", "--distributors")
            .replace("purchaser.count", "--purchasers")
        ) from None
