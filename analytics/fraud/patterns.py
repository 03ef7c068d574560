"""The 15 patterns: flag column, SQL file, the parameters bound from config, and a sentence per flag."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analytics.fraud.settings import FraudSettings

MANUAL_FLAG = "manual_identification_fraud_purchase_flag"
# Columns every pattern query returns: the triggering event and what it shows.
EVIDENCE_COLUMNS = (
    "distinct_id",
    "event_time",
    "event_name",
    "chapter",
    "credits_balance",
    "metapoints_balance",
    "quantity",
    "price_usd",
    "payment_platform",
    "purchase_id",
    "detail",
    "value",
)


@dataclass(frozen=True)
class Pattern:
    """One pattern: its number, settings key and how it explains a flag."""

    number: int
    key: str  # field of settings.Patterns, and the flag column without `_flag`
    title: str
    sentence: Callable[[Any, pd.DataFrame], str]  # (pattern settings, the player's evidence) -> text

    @property
    def flag(self) -> str:
        """The flag column, named exactly as the contract says."""
        return f"{self.key}_flag"

    @property
    def query(self) -> str:
        """The query file's name."""
        return f"fraud/p{self.number:02d}_{self.key}"

    def settings(self, cfg: FraudSettings) -> Any:
        """This pattern's settings."""
        return getattr(cfg.patterns, self.key)

    def params(self, cfg: FraudSettings, until: dt.datetime) -> dict[str, Any]:
        """The values bound to the query's parameters."""
        values = self.settings(cfg).model_dump(exclude={"enabled"})
        if "reward_events" in values:
            values["reward_events"] = ",".join(values["reward_events"])
        if "installed_from" in values:
            values["installed_from"] = dt.datetime.combine(values["installed_from"], dt.time())
        return {**values, "until": until}


def _n(frame: pd.DataFrame) -> int:
    return int(frame["of_total"].iloc[0]) if "of_total" in frame and len(frame) else len(frame)


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _days(frame: pd.DataFrame) -> str:
    days = sorted(set(frame["detail"].dropna()))
    return ", ".join(days)


def _s1(p, e):
    return (
        f"Reached chapter {int(e['chapter'].max())} {e['value'].min():.1f} h after install "
        f"(chapter >= {p.min_chapter} within {_fmt(p.within_hours)} h), with no purchase before."
    )


def _s2(p, e):
    days = _days(e)
    return (
        f"Net harvests of {p.min_daily_net_harvests} or more in a UTC day on "
        f"{len(days.split(', '))} days ({days}); more than {p.more_than_days} days trips the flag."
    )


def _s3(p, e):
    return f"{_n(e)} purchase(s) completed at {p.price_usd} USD."


def _s4(p, e):
    gaps = ", ".join(_fmt(v) for v in e["value"].head(5))
    return (
        f"{_n(e)} {p.payment_platform} purchase(s) {gaps} s after the previous {p.payment_platform} "
        f"purchase ({_fmt(p.min_seconds)}-{_fmt(p.max_seconds)} s trips the flag)."
    )


def _s5(p, e):
    return (
        f"{_n(e)} purchase_success event(s) followed another purchase_success with no purchase_click between."
    )


def _s6(p, e):
    return (
        f"Balance above the limit on {_n(e)} event(s): up to {_fmt(e['value'].max())} "
        f"(credits > {p.credits_above:,} or metapoints > {p.metapoints_above:,})."
    )


def _s7(p, e):
    return (
        f"Negative balance on {_n(e)} event(s): down to {_fmt(e['value'].min())} "
        f"(credits < {p.credits_below:,} or metapoints < {p.metapoints_below:,})."
    )


def _s8(p, e):
    top = e.loc[e["value"].idxmax()]
    return (
        f"{top['detail'].capitalize()} jumped by {_fmt(top['value'])} on {top['event_name']} with no reward "
        f"event then or in the next {p.next_events} events ({_n(e)} jump(s); limit "
        f"{p.credits_rise:,} credits / {p.metapoints_rise:,} metapoints)."
    )


def _s9(p, e):
    return f"Saw the privacy prompt {_n(e)} time(s) and never agreed."


def _s10(p, e):
    return (
        f"More than {p.more_than_chapters} chapters completed in a UTC day ({_days(e)}) with "
        f"{_fmt(e['value'].min())} credits earned per chapter (below {_fmt(p.credits_per_chapter_below)})."
    )


def _s11(p, e):
    buys = int((e["event_name"] == "purchase_success").sum())
    refunds = int((e["event_name"] == "purchase_refund").sum())
    return (
        f"{p.platform} player with {buys} purchases and {refunds} refunds: ratio "
        f"{e['value'].iloc[0]:.2f} (more than {p.more_than_purchases} purchases and above "
        f"{p.refund_ratio_above} trips the flag)."
    )


def _s12(p, e):
    return (
        f"Held up to {_fmt(e['value'].max())} credits in chapters {p.min_chapter}-{p.max_chapter} before any "
        f"purchase (limit {p.credits_above:,})."
    )


def _s13(p, e):
    return (
        f"{int(e['value'].iloc[0])} purchases in chapter {p.chapter} (more than {p.more_than_purchases}), "
        f"installed on or after {p.installed_from}."
    )


def _s14(p, e):
    ids = ", ".join(sorted(set(e["purchase_id"].dropna())))
    return f"Purchase id(s) {ids} appear on more than {p.more_than_events} purchase_success events."


def _s15(p, e):
    count = int(e["value"].iloc[0])
    return f"{count} purchases at {p.price_usd} USD (at least {p.min_purchases} trips the flag)."


PATTERNS: tuple[Pattern, ...] = (
    Pattern(1, "fast_progression", "Fast progression", _s1),
    Pattern(2, "excessive_harvests", "Excessive harvests", _s2),
    Pattern(3, "suspicious_purchase", "Suspicious purchase", _s3),
    Pattern(4, "rapid_purchases", "Rapid purchases", _s4),
    Pattern(5, "purchase_flow_anomaly", "Purchase flow anomaly", _s5),
    Pattern(6, "high_balance", "High balance", _s6),
    Pattern(7, "negative_balance", "Negative balance", _s7),
    Pattern(8, "large_jump", "Large balance jump", _s8),
    Pattern(9, "privacy_abandonment", "Privacy abandonment", _s9),
    Pattern(10, "rapid_chapter_progression", "Rapid chapter progression", _s10),
    Pattern(11, "refund_abuse", "Refund abuse", _s11),
    Pattern(12, "high_tutorial_balance", "High tutorial balance", _s12),
    Pattern(13, "multiple_chapter1_purchases", "Multiple chapter-1 purchases", _s13),
    Pattern(14, "duplicate_transaction", "Duplicate transaction", _s14),
    Pattern(15, "penny_purchase", "Penny purchases", _s15),
)
BY_NUMBER = {p.number: p for p in PATTERNS}
FLAGS = [p.flag for p in PATTERNS]


def sentence(pattern: Pattern, cfg: FraudSettings, evidence: pd.DataFrame) -> str:
    """Why the player tripped `pattern`, from its evidence rows and the thresholds used."""
    if evidence.empty:
        return f"{pattern.title}: flagged (no evidence rows kept)."
    return pattern.sentence(pattern.settings(cfg), evidence)
