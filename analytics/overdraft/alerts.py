"""Alerts of the overdraft monitor: a subscriber goes out of sync; days to overdraft drops under
the limit. Each episode has one key, so it is alerted once and never again on re-runs.

- out of sync: an episode is a run of consecutive out-of-sync transactions of one subscriber;
  key `overdraft:out_of_sync:<user>:<first transaction id of the run>`. Episodes that began
  more than `alerts.out_of_sync_lookback_days` before the latest stored transaction are history
  and are not alerted (a first import of old logs does not page anyone for last year).
- days to overdraft: a run of consecutive transactions during which the subscriber is at risk
  with days to overdraft under `alerts.days_to_overdraft_limit`; only a run still open at the
  subscriber's latest transaction is alerted; key
  `overdraft:days_to_overdraft:<user>:<first transaction id of the run>`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from analytics import notify
from analytics.identity import Actor, require
from analytics.notify import Alert, Notifier
from analytics.overdraft.settings import OverdraftSettings
from analytics.sql import DuckDBRunner
from analytics.store import Store


def _latest_time(store: Store) -> dt.datetime | None:
    frame = DuckDBRunner(store).run("overdraft/latest_time")
    value = frame.iloc[0, 0] if len(frame) else None
    return None if value is None or pd.isna(value) else pd.Timestamp(value).to_pydatetime()


def _num(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def build_alerts(store: Store, cfg: OverdraftSettings) -> list[Alert]:
    """The alerts the stored transactions call for (sent or not)."""
    latest = _latest_time(store)
    if latest is None:
        return []
    runner = DuckDBRunner(store)
    since = latest - dt.timedelta(days=cfg.alerts.out_of_sync_lookback_days)
    alerts = []
    for r in runner.run("overdraft/episodes", {"since": since}).itertuples(index=False):
        balance = _num(r.payment_balance)
        alerts.append(Alert(
            key=f"overdraft:out_of_sync:{r.user_id}:{r.first_transaction_id}",
            kind="out_of_sync",
            title=f"Subscriber {r.user_id} is out of sync",
            text=(f"Subscription and payment balances of {r.user_id} disagree since "
                  f"{pd.Timestamp(r.started_at):%Y-%m-%d %H:%M} UTC (transaction {r.first_transaction_id}); "
                  f"payment balance {balance} {r.currency or ''}".rstrip()),
            details={"user_id": r.user_id, "first_transaction_id": r.first_transaction_id,
                     "started_at": pd.Timestamp(r.started_at).to_pydatetime(),
                     "transactions": int(r.transactions), "payment_balance": balance,
                     "currency": r.currency, "still_open": bool(r.still_open)},
        ))
    limit = cfg.alerts.days_to_overdraft_limit
    runs = runner.run("overdraft/under_limit_runs",
                      {"window_days": cfg.at_risk.debit_window_days, "limit": limit})
    for r in runs[runs["still_open"]].itertuples(index=False):
        days = _num(r.days_to_overdraft)
        alerts.append(Alert(
            key=f"overdraft:days_to_overdraft:{r.user_id}:{r.first_transaction_id}",
            kind="days_to_overdraft",
            title=f"Subscriber {r.user_id}: {days:.1f} days to overdraft",
            text=(f"{r.user_id} is out of sync with payment balance {_num(r.payment_balance)} "
                  f"{r.currency or ''}; at the recent debit rate the balance runs out in {days:.1f} days "
                  f"(limit {limit:g})."),
            details={"user_id": r.user_id, "first_transaction_id": r.first_transaction_id,
                     "started_at": pd.Timestamp(r.started_at).to_pydatetime(),
                     "days_to_overdraft": days, "payment_balance": _num(r.payment_balance),
                     "currency": r.currency, "limit": limit},
        ))
    return alerts


def send_alerts(store: Store, cfg: OverdraftSettings, actor: Actor,
                notifier: Notifier | None = None) -> dict[str, Any]:
    """Send the alerts not sent before; {"sent", "skipped", "failed"} keys as notify.send_once."""
    require(actor, "logs.import")
    return notify.send_once(store, build_alerts(store, cfg), actor, notifier)
