"""The workspace's settings (config/overdraft.yaml), validated; errors name the key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import BaseModel, Field, model_validator

from analytics import config


class ParserSettings(BaseModel):
    """How log files are read."""

    sync_error_phrases: list[str] = Field(default=["not in sync", "out of sync"], min_length=1)
    chunk_mb: float = Field(default=2, gt=0, le=256)
    max_record_mb: float = Field(default=16, gt=0)
    batch_rows: int = Field(default=5_000, ge=100)
    workers: int = Field(default=2, ge=1, le=64)
    max_open_requests: int = Field(default=10_000, ge=1)
    gap_min_seconds: float = Field(default=300, gt=0)


class AtRiskSettings(BaseModel):
    """The at-risk list."""

    debit_window_days: int = Field(default=30, ge=1)


class AlertSettings(BaseModel):
    """When alerts go out."""

    days_to_overdraft_limit: float = Field(default=7, gt=0)
    out_of_sync_lookback_days: float = Field(default=7, ge=0)


class OrderSettings(BaseModel):
    """What an order is, and when a day's orders are a spike."""

    type: str = "DEBIT"
    exclude_sources: list[str] = Field(default_factory=list)
    spike_window_days: int = Field(default=14, ge=1)
    spike_factor: float = Field(default=1.5, gt=0)
    spike_min_history_days: int = Field(default=7, ge=1)


class GapSettings(BaseModel):
    """Unusual silences between log records."""

    iqr_factor: float = Field(default=1.5, ge=0)


class ErrorSettings(BaseModel):
    """Error kinds and bursts."""

    kinds: dict[str, str] = Field(default_factory=dict)
    burst_min_count: int = Field(default=4, ge=1)
    burst_factor: float = Field(default=3, ge=0)


class Holiday(BaseModel):
    """A holiday drawn on the order chart (first and last day, inclusive)."""

    name: str = Field(min_length=1)
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Holiday:
        if self.end < self.start:
            raise ValueError(f"{self.name}: end {self.end} is before start {self.start}")
        return self


class OverdraftSettings(BaseModel):
    """config/overdraft.yaml."""

    parser: ParserSettings = ParserSettings()
    at_risk: AtRiskSettings = AtRiskSettings()
    alerts: AlertSettings = AlertSettings()
    orders: OrderSettings = OrderSettings()
    top_subscribers: int = Field(default=10, ge=1)
    gaps: GapSettings = GapSettings()
    errors: ErrorSettings = ErrorSettings()
    holidays: list[Holiday] = Field(default_factory=list)


def load(path: Path | None = None) -> OverdraftSettings:
    """The settings of config/overdraft.yaml (defaults when the file is absent)."""
    target = path or config.config_path("overdraft")
    if not target.exists():
        return OverdraftSettings()
    return config.load("overdraft", OverdraftSettings, target)
