"""config/daily.yaml: which parts the daily job runs and where the cashout notes go."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from analytics import config
from analytics.store import MAX_LINGER

PARTS = ("fraud", "cashout", "overdraft")


class Strict(BaseModel):
    """Unknown keys are refused."""

    model_config = ConfigDict(extra="forbid")


class FraudPart(Strict):
    """The fraud pipeline part."""

    send_cohort: bool = False


class CashoutPart(Strict):
    """The cashout pull part."""

    source: Literal["auto", "athena", "store"] = "auto"
    fetch_workers: int = Field(default=2, ge=1, le=32)


class AdminPush(Strict):
    """Where and how audit notes are pushed."""

    endpoint: str | None = Field(default=None, pattern=r"^https?://")
    retries: int = Field(default=3, ge=0, le=20)
    backoff_seconds: float = Field(default=2.0, ge=0, le=600)
    timeout_seconds: float = Field(default=10, gt=0, le=600)


class OverdraftPart(Strict):
    """The overdraft check part."""

    alert: bool = True


class DailySettings(Strict):
    """The whole daily.yaml."""

    parts: list[Literal["fraud", "cashout", "overdraft"]] = Field(default_factory=lambda: list(PARTS))
    store_linger_seconds: float = Field(default=0.25, ge=0, le=MAX_LINGER)
    fraud: FraudPart = FraudPart()
    cashout: CashoutPart = CashoutPart()
    admin_push: AdminPush = AdminPush()
    overdraft: OverdraftPart = OverdraftPart()


def load() -> DailySettings:
    """config/daily.yaml (defaults when absent); errors name the key."""
    path = config.config_path("daily")
    return config.load("daily", DailySettings) if path.exists() else DailySettings()
