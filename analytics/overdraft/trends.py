"""The page's other views: order volume with holidays and spikes, the currency mix, top
subscribers, silences between log records, error bursts, one subscriber's balance timeline.

Each view reads the store through `queries/overdraft/` and hands the frame to a pure function
(`mark_spikes`, `mark_unusual_gaps`, `error_bursts`, `out_of_sync_spans`) that tests check by hand.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from analytics.overdraft.settings import ErrorSettings, Holiday, OrderSettings, OverdraftSettings
from analytics.sql import DuckDBRunner
from analytics.store import Store

SYNC_KIND = "sync"
OTHER_KIND = "other"


def _order_params(orders: OrderSettings) -> dict[str, Any]:
    return {"order_type": orders.type, "exclude_sources": list(orders.exclude_sources)}


def data_version(store: Store) -> tuple[int, str]:
    """(log files loaded, time of the last load): changes whenever a log file is loaded."""
    row = DuckDBRunner(store).run("overdraft/data_version").iloc[0]
    return int(row["files"]), str(row["last_loaded_at"])


def evidence(store: Store) -> pd.DataFrame:
    """Transactions by overdraft and in-sync state, with the out-of-sync share of each group."""
    frame = DuckDBRunner(store).run("overdraft/evidence")
    frame["group"] = frame["overdraft"].map({True: "overdraft rows", False: "other rows"})
    frame["state"] = frame["in_sync"].map({True: "in sync", False: "out of sync"})
    totals = frame.groupby("group")["transactions"].transform("sum")
    frame["share"] = frame["transactions"] / totals
    return frame[["group", "state", "transactions", "share"]]


# -- orders ----------------------------------------------------------------------------------
def mark_spikes(daily: pd.Series, window_days: int, factor: float, min_history: int) -> pd.DataFrame:
    """Per day: orders, the median of the `window_days` days before it (NaN with fewer than
    `min_history` of them) and whether the day is a spike (orders >= factor x that median, when
    the median is above zero)."""
    values = daily.astype(float).to_numpy()
    baselines, spikes = [], []
    for i, orders in enumerate(values):
        before = values[max(0, i - window_days):i]
        base = float(pd.Series(before).median()) if len(before) >= min_history else float("nan")
        baselines.append(base)
        spikes.append(bool(base > 0 and orders >= factor * base))  # NaN > 0 is False
    return pd.DataFrame({"day": list(daily.index), "orders": values, "baseline": baselines, "spike": spikes})


def daily_orders(store: Store, cfg: OverdraftSettings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(orders per day with baseline and spike flags, order amount per day and currency)."""
    raw = DuckDBRunner(store).run("overdraft/daily_orders", _order_params(cfg.orders))
    if raw.empty:
        return (pd.DataFrame(columns=["day", "orders", "baseline", "spike"]),
                pd.DataFrame(columns=["day", "currency", "orders", "amount"]))
    raw["day"] = pd.to_datetime(raw["day"])
    per_day = raw.groupby("day")["orders"].sum()
    full = pd.date_range(per_day.index.min(), per_day.index.max(), freq="D")
    per_day = per_day.reindex(full, fill_value=0)
    o = cfg.orders
    return mark_spikes(per_day, o.spike_window_days, o.spike_factor, o.spike_min_history_days), raw


def holidays_between(holidays: list[Holiday], start: dt.date, end: dt.date) -> list[Holiday]:
    """The holidays that overlap [start, end]."""
    return [h for h in holidays if h.end >= start and h.start <= end]


def currency_mix(store: Store, cfg: OverdraftSettings) -> pd.DataFrame:
    """Orders per currency ('unknown' for a null or missing one) and each currency's share of them."""
    frame = DuckDBRunner(store).run("overdraft/currency_mix", _order_params(cfg.orders))
    total = frame["orders"].sum()
    frame["share"] = frame["orders"] / total if total else 0.0
    return frame


def top_subscribers(store: Store, cfg: OverdraftSettings) -> pd.DataFrame:
    """The subscribers with the highest average order amount."""
    return DuckDBRunner(store).run("overdraft/top_subscribers",
                                   {**_order_params(cfg.orders), "limit": cfg.top_subscribers})


# -- log health ------------------------------------------------------------------------------
def mark_unusual_gaps(gaps: pd.DataFrame, iqr_factor: float) -> tuple[pd.DataFrame, float | None]:
    """Gaps with an `unusual` flag: longer than Q3 + iqr_factor x (Q3 - Q1) of the gaps kept."""
    out = gaps.copy()
    if out.empty:
        out["unusual"] = pd.Series(dtype=bool)
        return out, None
    q1, q3 = out["gap_seconds"].quantile([0.25, 0.75])
    limit = float(q3 + iqr_factor * (q3 - q1))
    out["unusual"] = out["gap_seconds"] > limit
    return out, limit


def gaps(store: Store, cfg: OverdraftSettings) -> tuple[pd.DataFrame, float | None]:
    """The silences kept at load time, flagged unusual or not, and the threshold used."""
    return mark_unusual_gaps(DuckDBRunner(store).run("overdraft/gaps"), cfg.gaps.iqr_factor)


def error_kind(head: str, is_sync: bool, kinds: dict[str, str]) -> str:
    """'sync' for a sync error, else the first configured kind whose phrase the message holds."""
    if is_sync:
        return SYNC_KIND
    low = head.lower()
    for name, phrase in kinds.items():
        if phrase.lower() in low:
            return name
    return OTHER_KIND


def error_bursts(hourly: pd.DataFrame, cfg: ErrorSettings) -> pd.DataFrame:
    """Errors per hour and kind (columns hour, kind, errors) with `mean` (the kind's errors per hour
    from its first to its last hour) and `burst` (>= burst_min_count and >= burst_factor x mean)."""
    rows = []
    for kind, part in hourly.groupby("kind"):
        counts = part.groupby("hour")["errors"].sum().sort_index()
        hours = (counts.index.max() - counts.index.min()) / pd.Timedelta(hours=1) + 1
        mean = counts.sum() / hours
        for hour, errors in counts.items():
            burst = errors >= cfg.burst_min_count and errors >= cfg.burst_factor * mean
            rows.append({"hour": hour, "kind": kind, "errors": int(errors), "mean": float(mean),
                         "burst": bool(burst)})
    return pd.DataFrame(rows, columns=["hour", "kind", "errors", "mean", "burst"])


def errors_per_hour(store: Store, cfg: OverdraftSettings) -> pd.DataFrame:
    """Errors per hour and kind, bursts flagged."""
    raw = DuckDBRunner(store).run("overdraft/errors_hourly")
    if raw.empty:
        return pd.DataFrame(columns=["hour", "kind", "errors", "mean", "burst"])
    raw["kind"] = [error_kind(h or "", bool(s), cfg.errors.kinds)
                   for h, s in zip(raw["head"], raw["is_sync_error"], strict=True)]
    hourly = raw.groupby(["hour", "kind"], as_index=False)["errors"].sum()
    return error_bursts(hourly, cfg.errors)


# -- one subscriber --------------------------------------------------------------------------
def out_of_sync_spans(timeline: pd.DataFrame) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """(start, end) of each out-of-sync stretch: from an out-of-sync transaction to the next
    in-sync one (to the last transaction when the stretch is still open)."""
    spans, start = [], None
    for when, in_sync in zip(timeline["date_time"], timeline["in_sync"], strict=True):
        if not in_sync and start is None:
            start = when
        elif in_sync and start is not None:
            spans.append((start, when))
            start = None
    if start is not None:
        spans.append((start, timeline["date_time"].iloc[-1]))
    return spans


def user_timeline(store: Store, user_id: str) -> pd.DataFrame:
    """One subscriber's transactions in time order."""
    return DuckDBRunner(store).run("overdraft/user_timeline", {"user_id": user_id})


def subscribers(store: Store) -> pd.DataFrame:
    """Every subscriber with counts, most out-of-sync transactions first."""
    return DuckDBRunner(store).run("overdraft/subscribers")
