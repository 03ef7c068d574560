"""Who of the flagged players goes into the fraudsters table (contracts/game_events.md).

- ios installed or last purchased on/after the ios cutoff: only by the late flags (14, 15);
  other ios players by any flag.
- android installed or last purchased on/after the android cutoff: only by the late flags;
  other android players by any flag except 3, 4 and 5.
- web (and any other platform): by any flag.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from analytics.fraud.patterns import BY_NUMBER
from analytics.fraud.settings import Rules


def _any(frame: pd.DataFrame, numbers: list[int]) -> pd.Series:
    cols = [BY_NUMBER[n].flag for n in numbers]
    if not cols:
        return pd.Series(False, index=frame.index)
    return frame[cols].fillna(0).astype(int).sum(axis=1) > 0


def _late(frame: pd.DataFrame, cutoff: dt.date) -> pd.Series:
    moment = pd.Timestamp(cutoff)
    install = pd.to_datetime(frame["install_time"])
    last = pd.to_datetime(frame["last_purchase_time"])
    return (install >= moment).fillna(False) | (last >= moment).fillna(False)


def by_rules(frame: pd.DataFrame, rules: Rules) -> pd.Series:
    """True for each row (a flagged player) that the platform/date rules put in the fraudsters table."""
    if frame.empty:
        return pd.Series(dtype=bool)
    platform = frame["platform"].fillna("")
    any_flag = _any(frame, list(BY_NUMBER))
    ios, android = platform == "ios", platform == "android"
    ios_late, android_late = (
        ios & _late(frame, rules.ios_cutoff),
        android & _late(frame, rules.android_cutoff),
    )
    android_ok = _any(frame, [n for n in BY_NUMBER if n not in rules.android_excluded_flags])
    out = any_flag.copy()
    out[ios_late] = _any(frame, rules.ios_late_flags)[ios_late]
    out[android & ~android_late] = android_ok[android & ~android_late]
    out[android_late] = _any(frame, rules.android_late_flags)[android_late]
    return out.astype(bool)


def reason(row: pd.Series, rules: Rules) -> str:
    """A sentence saying which rule applied to one flagged player."""
    platform = row.get("platform")
    one = pd.DataFrame([row])
    if platform == "ios" and bool(_late(one, rules.ios_cutoff).iloc[0]):
        return (
            f"ios player installed or last purchased on/after {rules.ios_cutoff}: only flags "
            f"{', '.join(map(str, rules.ios_late_flags))} count"
        )
    if platform == "android" and bool(_late(one, rules.android_cutoff).iloc[0]):
        return (
            f"android player installed or last purchased on/after {rules.android_cutoff}: only flags "
            f"{', '.join(map(str, rules.android_late_flags))} count"
        )
    if platform == "android":
        return f"android player: every flag but {', '.join(map(str, rules.android_excluded_flags))} counts"
    return f"{platform} player: every flag counts"
