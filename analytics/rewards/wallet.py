"""The wallet: balances per currency, an append-only ledger, bonuses with wagering and expiry.

Every operation is one store transaction (one `store.connect()`): due bonuses are closed first,
entries are staged in a temporary table, a balance the entries would take below zero refuses the
whole operation, then the ledger rows and the balances are written together. Each operation
carries an idempotency key: a retry with the same key posts nothing and answers what was posted.
A BONUS_BALANCE credit is play-only until wagering_requirement x amount has been wagered on its
eligible games (`record_wager`), then it moves to CASH; at expiry what is left of it is removed.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import duckdb
import pandas as pd

from analytics import sql
from analytics.errors import InputError
from analytics.identity import Actor, require
from analytics.store import Store

CURRENCIES = ("LOYALTY_POINTS", "REWARD_POINTS", "BONUS_BALANCE", "TICKETS", "CASH")
CURRENCY_OF = {
    "LOYALTY_POINTS": "LOYALTY_POINTS",
    "REWARD_POINTS": "REWARD_POINTS",
    "BONUS_BALANCE": "BONUS_BALANCE",
    "TICKETS": "TICKETS",
    "CASHBACK": "CASH",
}
_CENT = Decimal("0.0001")
_STAGE = (
    "seq BIGINT, entry_id VARCHAR, player_id VARCHAR, currency VARCHAR, amount DECIMAL(18, 4), "
    "kind VARCHAR, rule_id VARCHAR, rule_version INTEGER, idempotency_key VARCHAR, bonus_id VARCHAR, "
    "note VARCHAR"
)


@dataclass(frozen=True)
class Posted:
    """One wallet operation's answer: the entry, the balance after it, and whether it is new."""

    entry_id: str
    player_id: str
    currency: str
    amount: float
    balance_after: float
    idempotency_key: str
    created: bool

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return dict(self.__dict__)


def utc_now() -> dt.datetime:
    """Now, as the store keeps times: naive UTC."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def money(value: Any, what: str = "amount") -> Decimal:
    """A positive amount at the ledger's precision (4 decimals); InputError naming `what` otherwise."""
    try:
        amount = Decimal(str(value)).quantize(_CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        raise InputError(f"{what} {value!r} is not a number") from None
    if not amount.is_finite() or amount <= 0:
        raise InputError(f"{what} must be greater than 0, got {value!r}")
    if amount >= Decimal("1e14"):
        raise InputError(f"{what} {value!r} is too large")
    return amount


def _player(player_id: Any) -> str:
    if not isinstance(player_id, str) or not player_id.strip():
        raise InputError("player_id is empty")
    return player_id.strip()


def _currency(currency: Any) -> str:
    name = str(currency).strip().upper()
    if name not in CURRENCIES:
        raise InputError(f"currency {currency!r} is not one of {', '.join(CURRENCIES)}")
    return name


# -- posting staged entries ------------------------------------------------------------------
def _post_stage(con: duckdb.DuckDBPyConnection, now: dt.datetime, actor: Actor) -> int:
    """Write the entries of temp table wallet_stage to the ledger and the balances; refuse overdrafts."""
    short = con.execute(sql.load("rewards/stage_overdrafts").text).fetchall()
    if short:
        player, currency, balance, change = short[0]
        raise InputError(
            f"{player}: {currency} balance {balance:f} cannot cover {-change:f}; nothing was posted"
            + (f" (and {len(short) - 1} more balances short)" if len(short) > 1 else "")
        )
    con.execute(
        "INSERT INTO wallet_ledger (entry_id, player_id, currency, amount, kind, rule_id, rule_version, "
        "idempotency_key, created_at, created_by, balance_after, bonus_id, note) "
        "SELECT s.entry_id, s.player_id, s.currency, s.amount, s.kind, s.rule_id, s.rule_version, "
        "s.idempotency_key, $now, $actor, coalesce(b.balance, 0) + sum(s.amount) OVER ("
        "PARTITION BY s.player_id, s.currency ORDER BY s.seq "
        "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), "
        "s.bonus_id, s.note FROM wallet_stage AS s LEFT JOIN wallet_balances AS b "
        "ON b.player_id = s.player_id AND b.currency = s.currency ORDER BY s.seq",
        {"now": now, "actor": actor.name},
    )
    deltas = (
        "SELECT player_id, currency, sum(amount) AS change FROM wallet_stage GROUP BY player_id, currency"
    )
    con.execute(
        "UPDATE wallet_balances AS b SET balance = b.balance + d.change, updated_at = $now "
        f"FROM ({deltas}) AS d "
        "WHERE b.player_id = d.player_id AND b.currency = d.currency",
        {"now": now},
    )
    con.execute(
        f"INSERT INTO wallet_balances SELECT d.player_id, d.currency, d.change, $now FROM ({deltas}) AS d "
        "WHERE NOT EXISTS (SELECT 1 FROM wallet_balances AS b WHERE b.player_id = d.player_id "
        "AND b.currency = d.currency)",
        {"now": now},
    )
    return int(con.execute("SELECT count(*) FROM wallet_stage").fetchone()[0])


def _stage_rows(con: duckdb.DuckDBPyConnection, rows: list[tuple]) -> None:
    """Create wallet_stage holding `rows` (in _STAGE's column order, without seq)."""
    con.execute(f"CREATE TEMP TABLE wallet_stage ({_STAGE})")
    con.executemany(
        "INSERT INTO wallet_stage VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(i, *row) for i, row in enumerate(rows)],
    )


def _drop_stage(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("DROP TABLE IF EXISTS wallet_stage")


def _post_rows(con: duckdb.DuckDBPyConnection, rows: list[tuple], now: dt.datetime, actor: Actor) -> None:
    if not rows:
        return
    _stage_rows(con, rows)
    try:
        _post_stage(con, now, actor)
    finally:
        _drop_stage(con)


def _entry_id() -> str:
    return uuid.uuid4().hex


# -- bonuses: expiry and release --------------------------------------------------------------
def close_bonuses(con: duckdb.DuckDBPyConnection, now: dt.datetime, actor: Actor) -> dict[str, int]:
    """Expire bonuses past their time and release completed ones to CASH (inside a transaction)."""
    query = sql.load("rewards/bonuses_to_close").text
    counts = {}
    for expired in (True, False):
        due = con.execute(query, {"expired": expired, "now": now}).fetchall()
        rows = []
        for bonus_id, player_id, _expires_at, take in due:
            if take > 0 and expired:
                rows.append(
                    (
                        _entry_id(),
                        player_id,
                        "BONUS_BALANCE",
                        -take,
                        "expiry",
                        None,
                        None,
                        f"expire:{bonus_id}",
                        bonus_id,
                        "bonus expired",
                    )
                )
            elif take > 0:
                rows += [
                    (
                        _entry_id(),
                        player_id,
                        "BONUS_BALANCE",
                        -take,
                        "bonus_release",
                        None,
                        None,
                        f"release:{bonus_id}:out",
                        bonus_id,
                        "wagering complete",
                    ),
                    (
                        _entry_id(),
                        player_id,
                        "CASH",
                        take,
                        "bonus_release",
                        None,
                        None,
                        f"release:{bonus_id}:in",
                        bonus_id,
                        "wagering complete",
                    ),
                ]
        _post_rows(con, rows, now, actor)
        if due:
            ids = [r[0] for r in due]
            if expired:
                con.execute(
                    "UPDATE wallet_bonuses SET status = 'expired', closed_at = expires_at "
                    "WHERE list_contains($ids, bonus_id)",
                    {"ids": ids},
                )
            else:
                con.execute(
                    "UPDATE wallet_bonuses SET status = 'completed', closed_at = $now "
                    "WHERE list_contains($ids, bonus_id)",
                    {"ids": ids, "now": now},
                )
        counts["expired" if expired else "completed"] = len(due)
    return counts


def expire_due(store: Store, actor: Actor, now: dt.datetime | None = None) -> dict[str, int]:
    """Close due bonuses in one transaction (what the daily job runs)."""
    require(actor, "wallet.credit")
    with store.connect() as con:
        return close_bonuses(con, now or utc_now(), actor)


# -- single operations ----------------------------------------------------------------------
def _existing(con: duckdb.DuckDBPyConnection, key: str) -> tuple | None:
    return con.execute(
        "SELECT entry_id, player_id, currency, amount, balance_after FROM wallet_ledger "
        "WHERE idempotency_key = ?",
        [key],
    ).fetchone()


def _replay(row: tuple, key: str, player_id: str, currency: str, amount: Decimal) -> Posted:
    """The answer to a retried key; InputError when the key was used for another operation."""
    entry_id, p, c, a, after = row
    if (p, c, a) != (player_id, currency, amount):
        raise InputError(f"idempotency key {key!r} was already used for {c} {a:f} to {p}")
    return Posted(entry_id, p, c, float(a), float(after), key, created=False)


def _single(
    store: Store,
    actor: Actor,
    player_id: str,
    currency: str,
    amount: Decimal,
    kind: str,
    key: str | None,
    note: str | None,
    now: dt.datetime | None,
    bonus: dict | None = None,
) -> Posted:
    """Post one entry (negative amount: a debit) in one transaction, idempotently."""
    key = key or f"{kind}:{uuid.uuid4().hex}"
    now = now or utc_now()
    with store.connect() as con:
        close_bonuses(con, now, actor)
        row = _existing(con, key)
        if row is not None:
            return _replay(row, key, player_id, currency, amount)
        entry = _entry_id()
        bonus_id = entry if bonus else None
        _post_rows(
            con, [(entry, player_id, currency, amount, kind, None, None, key, bonus_id, note)], now, actor
        )
        if bonus:
            _insert_bonus(con, entry, player_id, amount, bonus, now)
            close_bonuses(con, now, actor)
        (after,) = con.execute(
            "SELECT balance_after FROM wallet_ledger WHERE entry_id = ?", [entry]
        ).fetchone()
        return Posted(entry, player_id, currency, float(amount), float(after), key, created=True)


def credit(
    store: Store,
    player_id: str,
    currency: str,
    amount: Any,
    actor: Actor,
    *,
    key: str | None = None,
    note: str | None = None,
    now: dt.datetime | None = None,
) -> Posted:
    """Add `amount` of `currency` to a player's wallet."""
    require(actor, "wallet.credit")
    return _single(
        store, actor, _player(player_id), _currency(currency), money(amount), "credit", key, note, now
    )


def debit(
    store: Store,
    player_id: str,
    currency: str,
    amount: Any,
    actor: Actor,
    *,
    key: str | None = None,
    note: str | None = None,
    now: dt.datetime | None = None,
) -> Posted:
    """Take `amount` of `currency` from a player's wallet; refused when the balance is short."""
    require(actor, "wallet.credit")
    return _single(
        store, actor, _player(player_id), _currency(currency), -money(amount), "debit", key, note, now
    )


def add_loyalty_points(
    store: Store,
    player_id: str,
    points: Any,
    actor: Actor,
    *,
    key: str | None = None,
    note: str | None = None,
) -> Posted:
    """Credit loyalty points (the API's wallet/add-lp)."""
    return credit(store, player_id, "LOYALTY_POINTS", points, actor, key=key, note=note)


def add_bonus(
    store: Store,
    player_id: str,
    amount: Any,
    actor: Actor,
    *,
    wagering_requirement: float,
    expiry_hours: float,
    eligible_games: list[str] | None = None,
    key: str | None = None,
    note: str | None = None,
    now: dt.datetime | None = None,
) -> Posted:
    """Credit a play-only bonus with its wagering requirement and expiry (the API's wallet/add-bonus)."""
    require(actor, "wallet.credit")
    if not _finite(wagering_requirement) or wagering_requirement < 0:
        raise InputError(f"wagering_requirement {wagering_requirement!r} must be a number >= 0")
    if not _finite(expiry_hours) or expiry_hours <= 0:
        raise InputError(f"expiry_hours {expiry_hours!r} must be a number > 0")
    games = sorted({g.strip().lower() for g in eligible_games if g.strip()}) if eligible_games else None
    bonus = {
        "wagering_requirement": float(wagering_requirement),
        "expiry_hours": float(expiry_hours),
        "eligible_games": games or None,
        "rule_id": None,
        "rule_version": None,
    }
    return _single(
        store, actor, _player(player_id), "BONUS_BALANCE", money(amount), "bonus", key, note, now, bonus
    )


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _insert_bonus(
    con: duckdb.DuckDBPyConnection, entry: str, player_id: str, amount: Decimal, bonus: dict, now: dt.datetime
) -> None:
    target = (amount * Decimal(repr(bonus["wagering_requirement"]))).quantize(_CENT, rounding=ROUND_HALF_UP)
    expires = now + dt.timedelta(hours=bonus["expiry_hours"])
    con.execute(
        "INSERT INTO wallet_bonuses VALUES (?, ?, ?, ?, ?, 0, ?, 'active', ?, ?, NULL, ?, ?, ?)",
        [
            entry,
            player_id,
            amount,
            bonus["wagering_requirement"],
            target,
            bonus["eligible_games"],
            now,
            expires,
            entry,
            bonus["rule_id"],
            bonus["rule_version"],
        ],
    )


def record_wager(
    store: Store,
    player_id: str,
    amount: Any,
    actor: Actor,
    *,
    key: str,
    game_type: str | None = None,
    at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> dict:
    """Count a wager placed `at` towards the player's bonuses active then (oldest first, eligible
    games only); a bonus whose target is reached is released to CASH. Idempotent by `key`."""
    require(actor, "wallet.credit")
    player_id, value = _player(player_id), money(amount, "wager amount")
    if not key or not str(key).strip():
        raise InputError("a wager needs an idempotency key")
    now = now or utc_now()
    at = at or now
    game = game_type.strip().lower() if game_type and game_type.strip() else None
    with store.connect() as con:
        close_bonuses(con, now, actor)
        seen = con.execute("SELECT counted FROM bonus_wagers WHERE idempotency_key = ?", [key]).fetchone()
        if seen is not None:
            return {"idempotency_key": key, "counted": float(seen[0]), "created": False, "completed": []}
        open_bonuses = con.execute(
            "SELECT bonus_id, wagering_target - wagered FROM wallet_bonuses WHERE player_id = ? "
            "AND status = 'active' AND issued_at <= ? AND expires_at > ? "
            "AND (eligible_games IS NULL OR list_contains(eligible_games, ?)) ORDER BY issued_at, bonus_id",
            [player_id, at, at, game],
        ).fetchall()
        left = value
        for bonus_id, need in open_bonuses:
            take = min(need, left)
            if take > 0:
                con.execute(
                    "UPDATE wallet_bonuses SET wagered = wagered + ? WHERE bonus_id = ?", [take, bonus_id]
                )
                left -= take
        con.execute(
            "INSERT INTO bonus_wagers VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [key, player_id, value, game, at, value - left, now, actor.name],
        )
        completed = [
            r[0]
            for r in con.execute(
                "SELECT bonus_id FROM wallet_bonuses WHERE player_id = ? AND status = 'active' "
                "AND wagered >= wagering_target",
                [player_id],
            ).fetchall()
        ]
        close_bonuses(con, now, actor)
    return {"idempotency_key": key, "counted": float(value - left), "created": True, "completed": completed}


# -- issuing rewards --------------------------------------------------------------------------
ISSUE_COLUMNS = (
    "idempotency_key",
    "player_id",
    "rule_id",
    "rule_version",
    "reward_type",
    "amount",
    "segment",
    "expected_wager",
    "expected_revenue",
    "expected_profit",
    "roi_percent",
    "abuse_score",
    "abuse_action",
    "source_file",
    "wagering_requirement",
    "expiry_hours",
    "eligible_games",
)


def cap_windows(now: dt.datetime) -> dict[str, dt.datetime]:
    """Start of the UTC calendar day and of the ISO week (Monday) holding `now`."""
    day = dt.datetime(now.year, now.month, now.day)
    return {"day_start": day, "week_start": day - dt.timedelta(days=day.weekday())}


def issue_rewards(
    store: Store,
    candidates: pd.DataFrame,
    actor: Actor,
    *,
    daily_cap: float,
    weekly_cap: float,
    now: dt.datetime | None = None,
) -> pd.DataFrame:
    """Issue approved rewards in one transaction: keys already posted are duplicates (nothing paid
    twice), caps are checked again against what is issued, BONUS_BALANCE rewards open a bonus.
    Returns each candidate's idempotency_key, player_id, rule_id, status and entry_id."""
    require(actor, "rewards.issue")
    now = now or utc_now()
    frame = candidates.loc[:, list(ISSUE_COLUMNS)].reset_index(drop=True)
    frame.insert(0, "seq", range(len(frame)))
    if frame.empty:
        return pd.DataFrame(columns=["idempotency_key", "player_id", "rule_id", "status", "entry_id"])
    windows = cap_windows(now)
    with store.connect() as con:
        close_bonuses(con, now, actor)
        con.register("issue_input_frame", frame)
        try:
            con.execute(
                "CREATE TEMP TABLE issue_input AS SELECT * REPLACE (CAST(amount AS DECIMAL(18, 4)) "
                "AS amount) FROM issue_input_frame"
            )
            issued = sql.load("rewards/issued_totals")
            con.execute(f"CREATE TEMP TABLE issued_now AS {issued.text}", windows)
            check = sql.load("rewards/issue_check")
            con.execute(
                f"CREATE TEMP TABLE issue_checked AS SELECT *, CASE WHEN status = 'issued' THEN "
                f"replace(CAST(uuid() AS VARCHAR), '-', '') END AS entry_id FROM ({check.text})",
                {"daily_cap": daily_cap, "weekly_cap": weekly_cap},
            )
            _issue_checked(con, now, actor)
            return con.execute(
                "SELECT idempotency_key, player_id, rule_id, status, entry_id FROM issue_checked ORDER BY seq"
            ).df()
        finally:
            con.unregister("issue_input_frame")
            for table in ("issue_input", "issued_now", "issue_checked"):
                con.execute(f"DROP TABLE IF EXISTS {table}")


def _issue_checked(con: duckdb.DuckDBPyConnection, now: dt.datetime, actor: Actor) -> None:
    """Post the rows of issue_checked whose status is 'issued': ledger, balances, bonuses, issues."""
    mapping = " ".join(f"WHEN '{t}' THEN '{c}'" for t, c in CURRENCY_OF.items())
    con.execute(
        f"CREATE TEMP TABLE wallet_stage AS SELECT seq, entry_id, player_id, CASE reward_type {mapping} END "
        "AS currency, amount, 'reward' AS kind, rule_id, CAST(rule_version AS INTEGER) AS rule_version, "
        "idempotency_key, CASE WHEN reward_type = 'BONUS_BALANCE' THEN entry_id END AS bonus_id, "
        "CAST(NULL AS VARCHAR) AS note FROM issue_checked WHERE status = 'issued'"
    )
    try:
        _post_stage(con, now, actor)
    finally:
        _drop_stage(con)
    con.execute(
        "INSERT INTO wallet_bonuses SELECT entry_id, player_id, amount, wagering_requirement, "
        "CAST(round(amount * wagering_requirement, 4) AS DECIMAL(18, 4)), 0, eligible_games, 'active', $now, "
        "$now + to_microseconds(CAST(round(expiry_hours * 3600000000) AS BIGINT)), NULL, entry_id, rule_id, "
        "rule_version FROM issue_checked WHERE status = 'issued' AND reward_type = 'BONUS_BALANCE'",
        {"now": now},
    )
    con.execute(
        "INSERT INTO reward_issues SELECT entry_id, player_id, rule_id, rule_version, reward_type, amount, "
        "segment, expected_wager, expected_revenue, expected_profit, roi_percent, abuse_score, abuse_action, "
        "source_file, idempotency_key, $now, $actor FROM issue_checked WHERE status = 'issued'",
        {"now": now, "actor": actor.name},
    )
    close_bonuses(con, now, actor)


# -- reading ----------------------------------------------------------------------------------
def balances(store: Store, player_id: str) -> dict[str, float]:
    """A player's balance in every currency (0 when never credited)."""
    frame = sql.DuckDBRunner(store).run("rewards/player_wallet", {"player_id": player_id})
    found = {r.currency: float(r.balance) for r in frame.itertuples()}
    return {c: found.get(c, 0.0) for c in CURRENCIES}
