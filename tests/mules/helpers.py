"""Shared helpers of the mule lab tests: small settings and the contract's invariants as checks."""

from __future__ import annotations

import copy
from collections import Counter
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from analytics.config import read_yaml
from analytics.mules.codes import ALLOWED_TYPES, TXN_TYPES
from analytics.mules.configuration import DropsConfig, from_mapping
from analytics.mules.runner import Runner, SimulationResult
from tests.conftest import ROOT

DEFAULT_YAML = ROOT / "config" / "drops.yaml"
CONTRACT_KEYS = ("seed", "start", "end", "legit_clients", "distributor", "purchaser")


@cache
def _default() -> dict:
    return read_yaml(DEFAULT_YAML)


def default_mapping() -> dict:
    """config/drops.yaml as a plain mapping (a fresh copy)."""
    return copy.deepcopy(_default())


def small_config(**changes) -> DropsConfig:
    """The default settings with few clients over ten days, plus `changes` (dotted keys)."""
    data = default_mapping()
    data.update({"end": "2025-01-11T00:00:00Z", "legit_clients": 20})
    data["distributor"]["count"] = 6
    data["purchaser"]["count"] = 4
    for key, value in changes.items():
        node = data
        *path, last = key.split(".")
        for part in path:
            node = node[part]
        node[last] = value
    return from_mapping(data)


def frame(result: SimulationResult) -> pd.DataFrame:
    """The transactions with the simulator's own balance record (cents) and amounts in cents."""
    df = result.transactions.to_pandas()
    df["balance"] = result.balance
    df["cents"] = (df["amount"].astype(float) * 100).round().astype("int64")
    return df


def simulate(cfg: DropsConfig) -> tuple[SimulationResult, pd.DataFrame, pd.DataFrame]:
    result = Runner(cfg).run()
    return result, frame(result), result.accounts.to_pandas()


def check_invariants(cfg: DropsConfig, df: pd.DataFrame, accounts: pd.DataFrame) -> Counter:
    """Assert every invariant of contracts/drops.md; return counts of what was checked."""
    seen: Counter = Counter()
    start = pd.Timestamp(cfg.start_ts, unit="s")
    end = pd.Timestamp(cfg.end_ts, unit="s")
    # timestamps in order, inside the window; ids in file order
    assert df["timestamp"].is_monotonic_increasing
    assert (df["timestamp"] >= start).all() and (df["timestamp"] < end).all()
    assert df["txn_id"].tolist() == [f"T{i:09d}" for i in range(1, len(df) + 1)]
    assert set(df["txn_type"]) <= set(TXN_TYPES)
    # labels: every row carries its account's label
    kinds = accounts.set_index("account_id")
    assert len(kinds) == cfg.distributor.count + cfg.purchaser.count + cfg.legit_clients
    assert (kinds["drop_type"] == "distributor").sum() == cfg.distributor.count
    assert (kinds["drop_type"] == "purchaser").sum() == cfg.purchaser.count
    row_kind = df["account_id"].map(kinds["drop_type"])
    assert (df["is_fraud"] == df["account_id"].map(kinds["is_drop"])).all()
    expected_type = row_kind.map({"distributor": "drop_distributor", "purchaser": "drop_purchaser"})
    assert (df["fraud_type"].fillna("") == expected_type.fillna("")).all()
    legit = df[df["is_fraud"] == 0]
    assert legit["scenario"].isna().all() and legit["period"].isna().all()
    assert set(legit.loc[legit["status"] == "declined", "rule"]) <= {"funds"}
    assert kinds.loc[kinds["is_drop"] == 0, "blocked_at"].isna().all()
    # in-bank transfers from drops show on the receiving account
    first_row = df.groupby("account_id").head(1).set_index("account_id")
    sent = df[(df["is_fraud"] == 1) & (df["txn_type"] == "transfer_out") & (df["status"] == "approved")
              & df["counterparty"].str.startswith("A", na=False)]
    for row in sent.itertuples():
        if kinds.loc[row.counterparty, "is_drop"] == 1:  # it started the receiving drop's life
            got = first_row.loc[row.counterparty]
            assert (got["timestamp"], got["counterparty"], got["cents"]) == (row.timestamp, row.account_id, row.cents)
            seen["drop_to_drop"] += 1
        else:
            mirror = df[(df["account_id"] == row.counterparty) & (df["timestamp"] == row.timestamp)
                        & (df["counterparty"] == row.account_id) & (df["cents"] == row.cents)]
            assert len(mirror) == 1 and mirror.iloc[0]["txn_type"] == "transfer_in"
            seen["drop_to_client"] += 1
    for account, rows in df[df["is_fraud"] == 1].groupby("account_id", sort=True):
        kind = kinds.loc[account, "drop_type"]
        check_drop(cfg, kind, rows.reset_index(drop=True), kinds.loc[account, "blocked_at"], seen)
    seen["drops"] = int(df.loc[df["is_fraud"] == 1, "account_id"].nunique())
    return seen


def check_drop(cfg: DropsConfig, kind: str, rows: pd.DataFrame, blocked_at, seen: Counter) -> None:
    """The life of one drop follows the contract."""
    s = cfg.kind(kind)
    lim = s.limits
    ts = rows["timestamp"].astype("datetime64[s]").astype("int64").to_numpy()
    period = rows["period"].astype("int64").to_numpy()
    inbound = (rows["direction"] == "in").to_numpy()
    approved = (rows["status"] == "approved").to_numpy()
    cents = rows["cents"].to_numpy()
    types = rows["txn_type"].tolist()
    assert (np.diff(ts) > 0).all(), "a drop's operations are strictly in time order"
    assert set(types) <= ALLOWED_TYPES[kind]
    assert (inbound == (rows["txn_type"] == "transfer_in").to_numpy()).all()
    assert (types[0], approved[0], period[0]) == ("transfer_in", True, 1)
    # balance: recomputed from approved rows only equals the simulator's record; never below 0
    signed = np.where(approved, np.where(inbound, cents, -cents), 0)
    balance = rows["balance"].to_numpy()
    assert (np.cumsum(signed) == balance).all(), "declines never change the balance"
    assert (balance >= 0).all()
    # limits per period and per life (approved transactions)
    for p in np.unique(period):
        here = (period == p) & approved
        assert (here & inbound).sum() <= lim.period_in and (here & ~inbound).sum() <= lim.period_out
    n_in, n_out = int((approved & inbound).sum()), int((approved & ~inbound).sum())
    assert n_in <= lim.total_in and n_out <= lim.total_out
    # time: gaps inside a period; a new period only when a period limit was reached, after the pause
    assert set(np.diff(period)) <= {0, 1}
    gap_lo, gap_hi = (round(m * 60) for m in s.gap_minutes)
    same = period[1:] == period[:-1]
    dt = np.diff(ts)
    assert ((dt[same] >= gap_lo) & (dt[same] <= gap_hi)).all(), "gaps inside a period"
    seen["gaps"] += int(same.sum())
    pause_lo = round(s.pause_hours[0] * 3600) + round(s.jitter_minutes[0] * 60)
    pause_hi = round(s.pause_hours[1] * 3600) + round(s.jitter_minutes[1] * 60)
    for i in np.flatnonzero(~same) + 1:
        prev = (period == period[i - 1]) & approved
        limit = lim.period_in if inbound[i] else lim.period_out
        assert (prev & (inbound == inbound[i])).sum() == limit, "a new period starts only at a period limit"
        since_first = ts[i] - ts[period == period[i - 1]][0]
        assert pause_lo <= since_first <= pause_hi or gap_lo <= dt[i - 1] <= gap_hi
        seen["periods"] += 1
    # declines: only past a lifetime limit; retries bounded; the final declined inbound ends the life
    rules = rows["rule"].tolist()
    out_declined = np.flatnonzero(~approved & ~inbound)
    assert all(rules[i] == "total_out" for i in out_declined)
    if len(out_declined):
        first = out_declined[0]
        assert (approved[:first] & ~inbound[:first]).sum() == lim.total_out
        assert (out_declined == np.arange(first, first + len(out_declined))).all()
        assert len(out_declined) <= 1 + s.attempts[1]
        repeated = rows.iloc[out_declined][["txn_type", "cents", "counterparty"]].drop_duplicates()
        assert len(repeated) == 1, "retries repeat the declined transaction"
        seen["retries"] += len(out_declined) - 1
    in_declined = np.flatnonzero(~approved & inbound)
    assert len(in_declined) <= 1
    check_batches(s, rows, approved, inbound, cents, types, seen)
    if pd.isna(blocked_at):
        assert len(in_declined) == 0, "a drop not blocked has no declined inbound"
        seen["active_at_end"] += 1
        return
    assert in_declined.tolist() == [len(rows) - 1], "the declined inbound is the drop's last transaction"
    assert rows["timestamp"].iloc[-1] == blocked_at
    if rules[-1] == "blocked":
        assert 1 + s.attempts[0] <= len(out_declined) <= 1 + s.attempts[1]
        seen["blocked"] += 1
    else:
        assert rules[-1] == "total_in" and len(out_declined) == 0 and n_in == lim.total_in
        assert balance[-1] == 0, "a new batch comes only when the last is spent"
        seen["total_in"] += 1


SCENARIO_TYPES = {
    "split_transfers": {"transfer_out", "crypto_purchase"},
    "single_transfer": {"transfer_out", "crypto_purchase"},
    "full_withdrawal": {"atm_withdrawal"},
    "partial_withdrawal": {"atm_withdrawal", "transfer_out", "crypto_purchase"},
    "single_purchase": {"online_purchase"},
    "split_purchases": {"online_purchase"},
}


def check_batches(s, rows: pd.DataFrame, approved, inbound, cents, types, seen: Counter) -> None:
    """Each batch is spent by its scenario's transaction types; spent batches sum to the inbound."""
    scenarios = rows["scenario"].tolist()
    starts = np.flatnonzero(approved & inbound).tolist()
    lo, hi = s.parts
    for i, begin in enumerate(starts):
        stop = starts[i + 1] if i + 1 < len(starts) else len(rows)
        legs = [j for j in range(begin + 1, stop) if approved[j]]
        scenario = scenarios[begin]
        assert all(scenarios[j] == scenario for j in range(begin, stop) if approved[j] or not inbound[j])
        leg_types = [types[j] for j in legs]
        assert set(leg_types) <= SCENARIO_TYPES[scenario]
        if i + 1 < len(starts):  # a spent batch
            assert sum(cents[j] for j in legs) == cents[begin]
            if scenario in ("split_transfers", "split_purchases"):
                assert lo <= len(legs) <= hi or len(legs) == cents[begin]
            elif scenario == "partial_withdrawal":
                assert lo + 1 <= len(legs) <= hi + 1 or len(legs) == cents[begin]
            else:
                assert len(legs) == 1
        if scenario == "partial_withdrawal" and leg_types:
            assert leg_types[0] == "atm_withdrawal" and "atm_withdrawal" not in leg_types[1:]
        seen[f"scenario:{scenario}"] += 1


def yaml_text(data: dict) -> str:
    import yaml

    return yaml.safe_dump(data, sort_keys=False)


def write_yaml(path: Path, data: dict) -> Path:
    path.write_text(yaml_text(data), encoding="utf-8")
    return path
