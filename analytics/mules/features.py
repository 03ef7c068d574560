"""Account features for mule detection, over each account's history up to every one of its transactions.

`transaction_features.sql` gives running counts and sums per transaction; here they become
ratios, and two features that need the order of events are added: how long each approved
inbound took to be drained (the balance back at its level before the inbound) and links to
accounts a detector flagged. The last row of an account is its whole-period feature vector;
the earlier rows say what a detector could have known at that time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import duckdb
import numpy as np
import pandas as pd
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from analytics import config, sql
from analytics.mules.configuration import CountRange
from analytics.mules.runner import SimulationResult
from analytics.store import Store

HOUR = 3600
SCRATCH_RUN = "scratch"
KEY_SHIFT = 1 << 32  # composite (account code, epoch seconds) keys
MODEL_FEATURES = (
    "pass_through",
    "drain_hours",
    "fast_drains",
    "counterparties",
    "atm_share",
    "crypto_share",
    "online_share",
    "everyday_share",
    "declines",
    "night_share",
    "flagged_links",
    "inbound_transfers",
)


def _hours(value: tuple[int, int]) -> tuple[int, int]:
    """UTC hours [from, to) within a day."""
    if value[1] > 24:
        raise ValueError(f"hours lie in [0, 24], got {value[1]}")
    return value


class RuleSettings(BaseModel):
    """Thresholds of the rule-based detector."""

    model_config = ConfigDict(extra="forbid")
    drain_hours: float = Field(gt=0)
    min_fast_drains: int = Field(ge=1)
    min_pass_through: float = Field(ge=0)
    max_everyday_share: float = Field(ge=0, le=1)
    min_counterparties: int = Field(ge=0)
    linked_fast_drains: int = Field(ge=0)


class ForestSettings(BaseModel):
    """The isolation forest's settings."""

    model_config = ConfigDict(extra="forbid")
    n_estimators: int = Field(ge=1)
    contamination: float = Field(gt=0, lt=0.5)
    random_state: int = Field(ge=0)
    min_operations: int = Field(ge=1)


class DetectorSettings(BaseModel):
    """config/mule_detectors.yaml."""

    model_config = ConfigDict(extra="forbid")
    night_hours: Annotated[CountRange, AfterValidator(_hours)]
    drain_cap_hours: float = Field(gt=0)
    rules: RuleSettings
    unsupervised: ForestSettings


def load_settings() -> DetectorSettings:
    """The detectors' settings from config/mule_detectors.yaml."""
    return config.load("mule_detectors", DetectorSettings)


@contextmanager
def scratch(result: SimulationResult) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB where a run not (yet) stored looks like the store's tables."""
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.register("run_transactions", result.transactions)
        con.register("run_accounts", result.accounts)
        for table in ("transactions", "accounts"):  # views take no parameters: a fixed run id
            con.execute(
                f"CREATE TEMP VIEW drop_{table} AS SELECT '{SCRATCH_RUN}' AS run_id, * FROM run_{table}"
            )
        yield con
    finally:
        con.close()


def _read(
    con: duckdb.DuckDBPyConnection, run_id: str, settings: DetectorSettings
) -> tuple[pd.DataFrame, ...]:
    """The running features and the accounts of one run on an open connection."""
    query = sql.load("mules/transaction_features")
    night_from, night_to = settings.night_hours
    rows = con.execute(query.text, {"run_id": run_id, "night_from": night_from, "night_to": night_to}).df()
    accounts = con.execute(sql.load("mules/run_accounts").text, {"run_id": run_id}).df()
    return rows, accounts


def load_rows(
    source: Store | SimulationResult, run_id: str, settings: DetectorSettings
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-transaction running features and the accounts table of a stored or in-memory run."""
    if isinstance(source, SimulationResult):
        with scratch(source) as con:
            rows, accounts = _read(con, SCRATCH_RUN, settings)
    else:
        with source.connect() as con:
            rows, accounts = _read(con, run_id, settings)
    return prepare(rows, settings), accounts


def prepare(rows: pd.DataFrame, settings: DetectorSettings) -> pd.DataFrame:
    """Ratios and drain features on every row (rows sorted by account, time)."""
    rows = rows.reset_index(drop=True)
    rows["code"] = pd.factorize(rows["account_id"], sort=True)[0].astype(np.int64)
    out = rows["out_cents"].to_numpy(float)
    received = rows["in_cents"].to_numpy(float)
    rows["pass_through"] = np.divide(out, received, out=np.zeros(len(rows)), where=received > 0)
    for name in ("atm", "crypto", "online", "everyday"):
        rows[f"{name}_share"] = np.divide(
            rows[f"{name}_cents"].to_numpy(float), out, out=np.zeros(len(rows)), where=out > 0
        )
    rows["night_share"] = rows["night_operations"] / rows["operations"]
    events = drain_events(rows)
    key = rows["code"].to_numpy() * KEY_SHIFT + rows["ts"].to_numpy()
    drained, hours = running_counts(
        key, rows["code"].to_numpy(), events["code"], events["drained_ts"], events["hours"]
    )
    rows["drained"] = drained
    rows["drain_hours"] = np.where(drained > 0, hours / np.maximum(drained, 1), settings.drain_cap_hours)
    fast = events["transfer"] & (events["hours"] <= settings.rules.drain_hours)
    rows["fast_drains"] = running_counts(
        key, rows["code"].to_numpy(), events["code"][fast], events["drained_ts"][fast]
    )[0]
    rows["flagged_links"] = 0
    return rows


def drain_events(rows: pd.DataFrame) -> dict[str, np.ndarray]:
    """For each approved inbound: when the balance first fell back to its level before it,; hours taken."""
    code = rows["code"].to_numpy()
    ts = rows["ts"].to_numpy()
    ok = rows["ok"].to_numpy(bool)
    inbound = (rows["direction"] == "in").to_numpy()
    transfer = (rows["txn_type"] == "transfer_in").to_numpy()
    signed = np.where(ok, np.where(inbound, 1, -1) * rows["cents"].to_numpy(), 0)
    out_code, out_ts, out_hours, out_transfer = [], [], [], []
    balance, account, pending = (
        0,
        -1,
        [],
    )  # pending: [(level before, inbound time, is transfer)], levels rising
    for i in range(len(code)):
        if code[i] != account:
            account, balance, pending = code[i], 0, []
        if not ok[i]:
            continue
        if inbound[i]:
            pending.append((balance, ts[i], transfer[i]))
            balance += signed[i]
            continue
        balance += signed[i]
        while pending and pending[-1][0] >= balance:
            _, started, is_transfer = pending.pop()
            out_code.append(account)
            out_ts.append(ts[i])
            out_hours.append((ts[i] - started) / HOUR)
            out_transfer.append(is_transfer)
    return {
        "code": np.array(out_code, np.int64),
        "drained_ts": np.array(out_ts, np.int64),
        "hours": np.array(out_hours, float),
        "transfer": np.array(out_transfer, bool),
    }


def running_counts(
    row_key: np.ndarray,
    row_code: np.ndarray,
    event_code: np.ndarray,
    event_ts: np.ndarray,
    values: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per row: how many of its account's events happened at or before it, and the sum of their values."""
    key = event_code * KEY_SHIFT + event_ts
    order = np.argsort(key, kind="stable")
    key = key[order]
    cumulative = np.concatenate(
        [[0.0], np.cumsum(values[order] if values is not None else np.ones(len(key)))]
    )
    upto = np.searchsorted(key, row_key, side="right")
    since = np.searchsorted(key, row_code * KEY_SHIFT, side="left")
    return (upto - since).astype(np.int64), cumulative[upto] - cumulative[since]


def add_links(rows: pd.DataFrame, flagged_at: pd.Series) -> None:
    """flagged_links: distinct counterparties flagged (by then) that the account dealt with (by then)."""
    times = rows["counterparty"].map(flagged_at)
    linked = rows[times.notna()]
    if linked.empty:
        rows["flagged_links"] = 0
        return
    when = np.maximum(linked["ts"].to_numpy(), times[times.notna()].to_numpy(np.int64))
    pairs = (
        pd.DataFrame(
            {"code": linked["code"].to_numpy(), "cp": linked["counterparty"].to_numpy(), "when": when}
        )
        .groupby(["code", "cp"], sort=True)["when"]
        .min()
    )
    key = rows["code"].to_numpy() * KEY_SHIFT + rows["ts"].to_numpy()
    rows["flagged_links"] = running_counts(
        key,
        rows["code"].to_numpy(),
        pairs.index.get_level_values("code").to_numpy(np.int64),
        pairs.to_numpy(np.int64),
    )[0]


def last_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Each account's whole-history features (its last row)."""
    return rows.groupby("account_id", sort=True).tail(1).set_index("account_id")
