"""Mule lab: simulate drops with overrides of drops.yaml."""

from __future__ import annotations

import time
from typing import Any

import pandas as pd
from fastapi import APIRouter, Request

from analytics.api.deps import Caller, StoreDep
from analytics.api.errors import BadInput, documented
from analytics.api.models import SimulateRequest, Simulation
from analytics.api.responses import JSON
from analytics.api.settings import ApiSettings
from analytics.identity import Actor, require
from analytics.mules import configuration, lab, runs
from analytics.mules.configuration import DropsConfig
from analytics.store import Store

router = APIRouter(tags=["mule lab"])


def merged(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """`base` with `overrides` laid over it, nested mappings merged key by key."""
    out = dict(base)
    for key, value in overrides.items():
        nested = isinstance(value, dict) and isinstance(out.get(key), dict)
        out[key] = merged(out[key], value) if nested else value
    return out


def settings_for(request: SimulateRequest, limits: ApiSettings) -> DropsConfig:
    """drops.yaml with the request's seed and overrides, validated and within the API's limits."""
    data = merged(configuration.load_drops().effective(), request.config)
    if request.seed is not None:
        data["seed"] = request.seed
    cfg = configuration.from_mapping(data, "config")
    clients = cfg.distributor.count + cfg.purchaser.count + cfg.legit_clients
    if clients > limits.drops_max_clients:
        raise BadInput(f"config: {clients:,} clients (distributor.count + purchaser.count + legit_clients) "
                       f"is over the API's limit of {limits.drops_max_clients:,} "
                       "(config/api.yaml drops_max_clients)")
    days = (cfg.end_ts - cfg.start_ts) / 86400
    if days > limits.drops_max_window_days:
        raise BadInput(f"config: the window start..end is {days:g} days, over the API's limit of "
                       f"{limits.drops_max_window_days:g} (config/api.yaml drops_max_window_days)")
    return cfg


def simulate(store: Store, request: SimulateRequest, actor: Actor, limits: ApiSettings) -> dict[str, Any]:
    """Run and store the simulation: the CLI's JSON plus the run's summary."""
    require(actor, "drops.simulate")
    started = time.perf_counter()
    result = lab.generate(store, settings_for(request, limits), actor)
    drops = runs.run_query(store, "drop_summary", result.run_id)
    run = pd.Series({"transactions": result.transactions.num_rows, "drops": result.drops,
                     "legit_clients": result.legit_clients})
    return {"run_id": result.run_id, "transactions": result.transactions.num_rows, "drops": result.drops,
            "legit_clients": result.legit_clients, "seconds": round(time.perf_counter() - started, 3),
            "summary": lab.overview(drops, run)}


@router.post("/drops/simulate", summary="simulate drops among ordinary clients and store the run",
             responses={200: {"model": Simulation}, **documented()})
def simulate_drops(request: Request, actor: Caller, store: StoreDep,
                   body: SimulateRequest | None = None) -> JSON:
    """The run id, its counts (as `simulate-drops` prints them) and its summary; the run is stored (no
    files are written: the Mule lab page and the store have it)."""
    return JSON(simulate(store, body or SimulateRequest(), actor, request.app.state.settings))
