"""What the Mule lab page shows, computed here: generating a run, a run's overview, one drop's life,
the transfer network and the detectors' measures."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date, datetime, time

import pandas as pd

from analytics.identity import Actor, require
from analytics.mules import configuration, runs
from analytics.mules.configuration import DropsConfig
from analytics.mules.runner import Runner, SimulationResult
from analytics.store import Store

Progress = Callable[[float, str], None]


def settings_from_form(base: DropsConfig, values: dict[str, object]) -> DropsConfig:
    """`base` with the form's values (dotted keys such as distributor.limits.total_in), validated."""
    data = copy.deepcopy(base.effective())
    for key, value in values.items():
        node = data
        *path, last = key.split(".")
        for part in path:
            node = node[part]
        if isinstance(value, date) and not isinstance(value, datetime):
            value = datetime.combine(value, time()).strftime("%Y-%m-%dT%H:%M:%SZ")
        node[last] = value
    return configuration.from_mapping(data, "settings")


def generate(
    store: Store, cfg: DropsConfig, actor: Actor, progress: Progress | None = None
) -> SimulationResult:
    """Simulate with these settings and store the run."""
    require(actor, "drops.simulate")
    progress = progress or (lambda _f, _t: None)
    result = Runner(cfg, progress=lambda f, t: progress(0.8 * f, t)).run()
    progress(0.85, f"Storing {result.transactions.num_rows:,} transactions")
    runs.save_run(store, result, actor)
    progress(1.0, "Stored")
    return result


def overview(drops: pd.DataFrame, run: pd.Series) -> dict[str, int]:
    """Headline figures of a run from its drop summary and its drop_runs row."""
    return {
        "transactions": int(run["transactions"]),
        "drops": int(run["drops"]),
        "ordinary_clients": int(run["legit_clients"]),
        "blocked_drops": int(drops["blocked_at"].notna().sum()),
        "batches": int(drops["batches"].sum()),
    }


def drop_life(txns: pd.DataFrame) -> pd.DataFrame:
    """One account's transactions with the balance after each (approved amounts only)."""
    life = txns.copy()
    signed = life["amount"].astype(float).where(life["direction"] == "in", -life["amount"].astype(float))
    life["balance"] = signed.where(life["status"] == "approved", 0.0).cumsum().round(2)
    return life


def periods(life: pd.DataFrame) -> pd.DataFrame:
    """Activity periods of a drop: number, first and last operation, operations."""
    if life["period"].isna().all():
        return pd.DataFrame(columns=["period", "first", "last", "operations"])
    grouped = life.dropna(subset=["period"]).groupby("period")["timestamp"]
    return pd.DataFrame(
        {"first": grouped.min(), "last": grouped.max(), "operations": grouped.size()}
    ).reset_index()


def life_summary(life: pd.DataFrame) -> dict[str, object]:
    """Figures of one drop's life: batches, money in and out, declines, periods, what is left."""
    ok = life["status"] == "approved"
    amount = life["amount"].astype(float)
    return {
        "batches": int((ok & (life["direction"] == "in")).sum()),
        "received": round(float(amount[ok & (life["direction"] == "in")].sum()), 2),
        "sent": round(float(amount[ok & (life["direction"] == "out")].sum()), 2),
        "declines": int((~ok).sum()),
        "periods": int(life["period"].max()) if life["period"].notna().any() else 0,
        "left": float(life["balance"].iloc[-1]) if len(life) else 0.0,
    }


def drop_label(row: dict) -> str:
    """How a drop is listed in the picker."""
    state = "blocked" if pd.notna(row["blocked_at"]) else "active at the end"
    return f"{row['account_id']} · {row['drop_type']} · {row['transactions']} transactions · {state}"


def network_summary(edges: pd.DataFrame) -> dict[str, int]:
    """Counts of the in-bank transfer network: transfers, drop-to-drop links, clients paid by drops."""
    to_drop = edges["target_kind"] != "ordinary"
    return {
        "transfers": int(edges["transfers"].sum()),
        "drop_to_drop": int(edges.loc[to_drop, "transfers"].sum()),
        "clients_paid": int(edges.loc[~to_drop, "target"].nunique()),
    }
