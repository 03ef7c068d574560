"""config/fraud.yaml: the 15 patterns' thresholds, the platform/date rules and the cohort export.

`patterns` and `rules` decide who is flagged and are versioned (see thresholds.py); `cohort`
and `evidence_per_flag` only shape the output. The file is rewritten with its comments.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from analytics import config
from analytics.errors import ConfigError
from analytics.fileio import atomic_write

NAME = "fraud"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class P1(_Strict):
    """Pattern 1: fast progression."""

    enabled: bool = True
    min_chapter: int = Field(20, ge=1, description="an event with chapter >= this ...")
    within_hours: float = Field(24, gt=0, description="... within this many hours of install_time")


class P2(_Strict):
    """Pattern 2: excessive harvests."""

    enabled: bool = True
    min_daily_net_harvests: int = Field(22, description="net harvests in a UTC day >= this ...")
    more_than_days: int = Field(2, ge=0, description="... on more than this many days")


class P3(_Strict):
    """Pattern 3: suspicious purchase."""

    enabled: bool = True
    price_usd: float = Field(0.01, ge=0, description="a purchase_success at exactly this price")


class P4(_Strict):
    """Pattern 4: rapid purchases."""

    enabled: bool = True
    min_seconds: float = Field(
        1, ge=0, description="consecutive purchase_success at least this far apart ..."
    )
    max_seconds: float = Field(7, ge=0, description="... and at most this far apart (inclusive)")
    payment_platform: str = Field("apple", description="both paid through this platform")


class P5(_Strict):
    """Pattern 5: purchase flow anomaly (no threshold)."""

    enabled: bool = True


class P6(_Strict):
    """Pattern 6: high balance."""

    enabled: bool = True
    credits_above: int = Field(245_000, description="credits_balance > this ...")
    metapoints_above: int = Field(850_000, description="... or metapoints_balance > this")


class P7(_Strict):
    """Pattern 7: negative balance."""

    enabled: bool = True
    credits_below: int = Field(0, description="credits_balance < this ...")
    metapoints_below: int = Field(0, description="... or metapoints_balance < this")


DEFAULT_REWARDS = ["purchase_success", "reward_claim", "offerwall_reward", "daily_bonus"]


class P8(_Strict):
    """Pattern 8: large balance jump."""

    enabled: bool = True
    credits_rise: int = Field(
        40_000, gt=0, description="credits rise by >= this from the previous event carrying them ..."
    )
    metapoints_rise: int = Field(100_000, gt=0, description="... or metapoints by >= this")
    next_events: int = Field(2, ge=0, description="no reward event at the jump nor in this many next events")
    reward_events: list[str] = Field(
        default_factory=lambda: list(DEFAULT_REWARDS), description="events that count as rewards"
    )


class P9(_Strict):
    """Pattern 9: privacy abandonment (no threshold)."""

    enabled: bool = True


class P10(_Strict):
    """Pattern 10: rapid chapter progression (off by default: the column exists and is 0)."""

    enabled: bool = False
    more_than_chapters: int = Field(
        5, ge=0, description="more than this many chapter_complete in a UTC day ..."
    )
    credits_per_chapter_below: float = Field(
        500, description="... with fewer credits earned per chapter than this"
    )


class P11(_Strict):
    """Pattern 11: refund abuse."""

    enabled: bool = True
    platform: str = Field("android", description="players of this platform ...")
    more_than_purchases: int = Field(5, ge=0, description="... with more purchase_success than this ...")
    refund_ratio_above: float = Field(
        0.25, ge=0, description="... and purchase_refund / purchase_success above this"
    )


class P12(_Strict):
    """Pattern 12: high tutorial balance."""

    enabled: bool = True
    credits_above: int = Field(4_950, description="credits_balance > this ...")
    min_chapter: int = Field(1, description="... on an event with chapter from this ...")
    max_chapter: int = Field(3, description="... to this, with no purchase_success before it")


class P13(_Strict):
    """Pattern 13: multiple chapter-1 purchases."""

    enabled: bool = True
    chapter: int = Field(1, description="purchase_success events in this chapter ...")
    more_than_purchases: int = Field(1, ge=0, description="... more than this many ...")
    installed_from: dt.date = Field(
        dt.date(2025, 3, 1), description="... for players installed on or after this date"
    )


class P14(_Strict):
    """Pattern 14: duplicate transaction."""

    enabled: bool = True
    more_than_events: int = Field(
        1, ge=1, description="a purchase id on more than this many purchase_success events"
    )


class P15(_Strict):
    """Pattern 15: penny purchases."""

    enabled: bool = True
    price_usd: float = Field(0.01, ge=0, description="purchase_success at exactly this price ...")
    min_purchases: int = Field(2, ge=1, description="... at least this many times")


class Patterns(_Strict):
    """Thresholds of the 15 patterns, keyed by the flag name without `_flag`."""

    fast_progression: P1 = Field(default_factory=P1)
    excessive_harvests: P2 = Field(default_factory=P2)
    suspicious_purchase: P3 = Field(default_factory=P3)
    rapid_purchases: P4 = Field(default_factory=P4)
    purchase_flow_anomaly: P5 = Field(default_factory=P5)
    high_balance: P6 = Field(default_factory=P6)
    negative_balance: P7 = Field(default_factory=P7)
    large_jump: P8 = Field(default_factory=P8)
    privacy_abandonment: P9 = Field(default_factory=P9)
    rapid_chapter_progression: P10 = Field(default_factory=P10)
    refund_abuse: P11 = Field(default_factory=P11)
    high_tutorial_balance: P12 = Field(default_factory=P12)
    multiple_chapter1_purchases: P13 = Field(default_factory=P13)
    duplicate_transaction: P14 = Field(default_factory=P14)
    penny_purchase: P15 = Field(default_factory=P15)


class Rules(_Strict):
    """Who of the flagged players goes into the fraudsters table."""

    ios_cutoff: dt.date = Field(
        dt.date(2025, 8, 13), description="ios installed or last purchased on/after this ..."
    )
    ios_late_flags: list[int] = Field([14, 15], description="... is a fraudster only by these flags")
    android_cutoff: dt.date = Field(
        dt.date(2025, 4, 17), description="android installed or last purchased on/after this ..."
    )
    android_late_flags: list[int] = Field([14, 15], description="... is a fraudster only by these flags")
    android_excluded_flags: list[int] = Field(
        [3, 4, 5], description="other android players: any flag but these"
    )


class Cohort(_Strict):
    """The cohort export (step 4) and where --send posts it."""

    marker: str = Field(
        "fraudster_cohort_active_v8", description="profile property set to true on every fraudster"
    )
    endpoint: str | None = Field(None, description="http(s) URL the payload is POSTed to (--send)")
    token: str | None = Field(None, description="analytics project token put in each update ($token), if any")
    batch_size: int = Field(2000, ge=1, description="profile updates per POST")
    timeout_seconds: float = Field(30, gt=0)


class Engine(_Strict):
    """How DuckDB runs the patterns on the store."""

    memory_limit: str | None = Field(
        "2GB",
        pattern=r"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$",
        description="DuckDB memory cap while the patterns run (spills to disk above it); null: DuckDB's",
    )
    threads: int | None = Field(None, ge=1, description="DuckDB threads for the patterns; null: one per core")


class FraudSettings(_Strict):
    """Everything in config/fraud.yaml."""

    patterns: Patterns = Field(default_factory=Patterns)
    rules: Rules = Field(default_factory=Rules)
    cohort: Cohort = Field(default_factory=Cohort)
    engine: Engine = Field(default_factory=Engine)
    evidence_per_flag: int = Field(
        50, ge=1, description="triggering events kept per player and flag (first ones)"
    )

    def thresholds(self) -> dict[str, Any]:
        """The part that decides who is flagged (versioned): patterns and rules, JSON-ready."""
        return {
            "patterns": self.patterns.model_dump(mode="json"),
            "rules": self.rules.model_dump(mode="json"),
        }

    def with_thresholds(self, thresholds: dict[str, Any]) -> FraudSettings:
        """A copy with `thresholds` (as returned by `thresholds()`) in place of its own."""
        data = self.model_dump(mode="json")
        data.update(thresholds)
        return config.validate(FraudSettings, data, "thresholds")


def load() -> FraudSettings:
    """config/fraud.yaml (defaults when the file is absent)."""
    path = config.config_path(NAME)
    return config.load(NAME, FraudSettings) if path.exists() else FraudSettings()


def save(cfg: FraudSettings) -> None:
    """Write config/fraud.yaml atomically, with a comment on every key."""
    atomic_write(config.config_path(NAME), render(cfg))


HEADER = (
    "# Fraud cohort (contracts/game_events.md): thresholds of the 15 patterns, the platform/date\n"
    "# rules and the cohort export. `patterns` and `rules` are versioned: saving from the Fraud\n"
    "# cohort page records who changed what; a hand edit is recorded as a new version on the next run.\n"
)


def _scalar(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return yaml.safe_dump(value, default_flow_style=True, width=1000).strip().removesuffix("...").strip()


def _render_model(model: BaseModel, indent: int) -> list[str]:
    lines = []
    pad = "  " * indent
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            doc = (type(value).__doc__ or "").strip().splitlines()[0]
            lines.append(f"{pad}{name}:  # {doc}" if doc else f"{pad}{name}:")
            lines += _render_model(value, indent + 1)
            continue
        comment = f"  # {field.description}" if field.description else ""
        lines.append(f"{pad}{name}: {_scalar(value)}{comment}")
    return lines


def render(cfg: FraudSettings) -> str:
    """The YAML text of `cfg`, commented."""
    return HEADER + "\n".join(_render_model(cfg, 0)) + "\n"


def check(cfg: FraudSettings) -> FraudSettings:
    """ConfigError when values contradict each other (names the key)."""
    p = cfg.patterns
    if p.rapid_purchases.min_seconds > p.rapid_purchases.max_seconds:
        raise ConfigError("fraud.yaml: patterns.rapid_purchases.min_seconds is above max_seconds")
    if p.high_tutorial_balance.min_chapter > p.high_tutorial_balance.max_chapter:
        raise ConfigError("fraud.yaml: patterns.high_tutorial_balance.min_chapter is above max_chapter")
    for key in ("ios_late_flags", "android_late_flags", "android_excluded_flags"):
        bad = [n for n in getattr(cfg.rules, key) if not 1 <= n <= 15]
        if bad:
            raise ConfigError(f"fraud.yaml: rules.{key}: {bad} are not pattern numbers 1-15")
    return cfg
