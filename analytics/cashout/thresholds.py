"""The audit's thresholds, read from config/cashout.yaml (every one can be changed by the user)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from analytics import config


class Thresholds(BaseModel):
    """Verdict thresholds and audit settings; the defaults are the contract's."""

    model_config = ConfigDict(extra="forbid")

    reject_invited_share: float = Field(0.50, ge=0, le=1)
    collusion_invited_share: float = Field(0.20, ge=0, le=1)
    device_sharing_min_accounts: int = Field(1, ge=1)
    high_winrate: float = Field(0.75, ge=0, le=1)
    high_winrate_min_games: int = Field(20, ge=0)
    admin_balance_share: float = Field(0.50, ge=0, le=1)
    fast_cashout_min_games: int = Field(5, ge=0)
    value_mismatch_share: float = Field(0.10, ge=0)
    outlier_percentile: float = Field(0.99, gt=0, lt=1)
    outlier_min_history: int = Field(30, ge=1)
    top_opponents: int = Field(3, ge=1, le=50)
    workers: int = Field(2, ge=1, le=16)

    @model_validator(mode="after")
    def _reject_implies_collusion(self) -> Thresholds:
        if self.reject_invited_share < self.collusion_invited_share:
            raise ValueError(
                "reject_invited_share must be at least collusion_invited_share, so that a rejected "
                "audit always names its collusion reason"
            )
        return self


def load() -> Thresholds:
    """The thresholds in config/cashout.yaml (the contract's defaults when there is no such file).

    A file that is there but invalid is a ConfigError naming the file and the key.
    """
    path = config.config_path("cashout")
    if not path.is_file():
        return Thresholds()
    return config.load("cashout", Thresholds, path)
