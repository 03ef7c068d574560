"""The verdict of one audit: approved, flagged or rejected, with each reason against its threshold."""

from __future__ import annotations

from dataclasses import dataclass

from analytics.cashout.thresholds import Thresholds

REASON_CODES = (
    "collusion", "device_sharing", "high_winrate", "admin_balance", "fast_cashout",
    "value_mismatch", "take_per_game_outlier",
)
VERDICTS = ("approved", "flagged", "rejected")


@dataclass(frozen=True)
class History:
    """Earlier audited cashouts of one unit: how many have a take per game, and its percentile."""

    audits: int
    percentile_value: float | None


@dataclass(frozen=True)
class Figures:
    """What the verdict looks at, taken from one audit."""

    games: int
    winrate: float | None
    take_per_game: float | None
    invited_share: float
    admin_share: float
    discrepancy_share: float | None
    amount: float
    audited_value: float
    other_accounts: tuple[str, ...] = ()
    shared_devices: tuple[str, ...] = ()
    unit: str = "currency"


def _pct(share: float) -> str:
    return f"{share * 100:.1f}%"


def _money(value: float, unit: str) -> str:
    return f"{value:,.0f} pennies" if unit == "pennies" else f"{value:,.2f}"


def _reason(code: str, message: str, value: float | int | None, threshold: float | int) -> dict:
    return {"code": code, "message": message, "value": value, "threshold": threshold}


def _device_sharing(f: Figures, t: Thresholds) -> dict | None:
    others = len(f.other_accounts)
    if others < t.device_sharing_min_accounts:
        return None
    devices = ", ".join(f.shared_devices)
    which = f"device {devices} is" if len(f.shared_devices) == 1 else f"devices {devices} are"
    plural = "account" if others == 1 else "accounts"
    return _reason("device_sharing", f"{which} shared with {others} other {plural}",
                   others, t.device_sharing_min_accounts)


def _collusion(f: Figures, t: Thresholds, rejected: bool) -> dict | None:
    if f.invited_share < t.collusion_invited_share:
        return None
    message = (f"matchups won from related players (invitees, inviter) supplied "
               f"{_pct(f.invited_share)} of the value")
    if rejected:
        message += f"; at or above {_pct(t.reject_invited_share)} the cashout is rejected"
    return _reason("collusion", message, f.invited_share, t.collusion_invited_share)


def _high_winrate(f: Figures, t: Thresholds) -> dict | None:
    if f.winrate is None or f.winrate < t.high_winrate or f.games < t.high_winrate_min_games:
        return None
    return _reason("high_winrate",
                   f"won {_pct(f.winrate)} of {f.games} games (flagged from {_pct(t.high_winrate)} "
                   f"over at least {t.high_winrate_min_games} games)",
                   f.winrate, t.high_winrate)


def _admin_balance(f: Figures, t: Thresholds) -> dict | None:
    if f.admin_share < t.admin_balance_share:
        return None
    return _reason("admin_balance", f"admin_add_balance supplied {_pct(f.admin_share)} of the value",
                   f.admin_share, t.admin_balance_share)


def _fast_cashout(f: Figures, t: Thresholds) -> dict | None:
    if f.games >= t.fast_cashout_min_games:
        return None
    return _reason("fast_cashout",
                   f"only {f.games} games before cashing out (fewer than {t.fast_cashout_min_games})",
                   f.games, t.fast_cashout_min_games)


def _value_mismatch(f: Figures, t: Thresholds) -> dict | None:
    share = f.discrepancy_share
    if share is not None and share <= t.value_mismatch_share:
        return None
    paid, seen = _money(f.amount, f.unit), _money(f.audited_value, f.unit)
    apart = "the share cannot be computed" if share is None else f"{_pct(share)} apart"
    return _reason("value_mismatch", f"cashout of {paid} but the window shows {seen} ({apart})",
                   share, t.value_mismatch_share)


def _outlier(f: Figures, t: Thresholds, history: History | None) -> dict | None:
    if (history is None or history.audits < t.outlier_min_history or history.percentile_value is None
            or f.take_per_game is None or f.take_per_game <= history.percentile_value):
        return None
    rank = f"{t.outlier_percentile * 100:g}th percentile"
    return _reason("take_per_game_outlier",
                   f"take per game {f.take_per_game:,.4g} is above the {rank} "
                   f"({history.percentile_value:,.4g}) of {history.audits} earlier audited cashouts",
                   f.take_per_game, history.percentile_value)


def decide(f: Figures, t: Thresholds, history: History | None = None) -> tuple[str, list[dict]]:
    """(verdict, reasons): rejected on the invited share, else flagged when any reason holds."""
    rejected = f.invited_share >= t.reject_invited_share
    found = [
        _collusion(f, t, rejected), _device_sharing(f, t), _high_winrate(f, t), _admin_balance(f, t),
        _fast_cashout(f, t), _value_mismatch(f, t), _outlier(f, t, history),
    ]
    reasons = [r for r in found if r is not None]
    if rejected:
        return "rejected", reasons
    return ("flagged" if reasons else "approved"), reasons
