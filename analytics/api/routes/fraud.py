"""Fraud pipeline: run it, list and read runs, the fraudsters table."""

from __future__ import annotations

import json
from typing import Annotated, Literal

import pandas as pd
from fastapi import APIRouter, Query, Request

from analytics import ingest
from analytics.api.deps import Caller, Pages, PathId, StoreDep, read
from analytics.api.errors import BadInput, NotFound, documented
from analytics.api.models import FraudRun, FraudRunDetail, FraudRunRequest, Page
from analytics.api.responses import JSON, records
from analytics.fraud import pipeline, send, settings, views
from analytics.fraud.patterns import MANUAL_FLAG, PATTERNS
from analytics.identity import Actor, mask_columns, require
from analytics.store import Store

router = APIRouter(prefix="/fraud", tags=["fraud pipeline"])
ALL = 2**62  # "no limit" for the run list query: the API pages the rows itself
PatternFilter = Annotated[str | None, Query(max_length=100,
                                            description="1-15, a pattern name, a flag or 'manual'")]


def run_pipeline(store: Store, actor: Actor, request: FraudRunRequest) -> dict:
    """Run the four steps on the stored events (and send the cohort when asked): the fraud CLI's JSON."""
    require(actor, "fraud.run")
    if request.send:
        require(actor, "cohort.send")
    cfg = settings.check(settings.load())
    if request.send:
        send.check_endpoint(cfg)
    outcome = pipeline.run(store, actor, None, None, request.date)
    payload = outcome.to_dict()
    payload.update(loaded=ingest.summarise([]), manual=None, alerts=outcome.alerts)
    if request.send:
        payload["send"] = send.send(store, actor, outcome.run_id, cfg)
        payload["success"] = outcome.success and payload["send"]["success"]
    return payload


@router.post("/runs", summary="run the fraud pipeline on the stored events",
             responses={200: {"model": FraudRun}, **documented()})
def create_run(actor: Caller, store: StoreDep, body: FraudRunRequest | None = None) -> JSON:
    """The four steps, each logged; a failed step is alerted and reported with `success: false`
    (still 200: the run happened and is stored)."""
    return JSON(run_pipeline(store, actor, body or FraudRunRequest()))


def run_rows(store: Store) -> list[dict]:
    """The finished runs, newest first; `as_of_date` as a day (YYYY-MM-DD), as it is stored."""
    rows = records(views.runs(store, ALL))
    for row in rows:
        row["as_of_date"] = row["as_of_date"][:10] if row.get("as_of_date") else None
    return rows


@router.get("/runs", summary="finished runs, newest first", responses={200: {"model": Page}, **documented()})
async def list_runs(request: Request, paging: Pages, actor: Caller, store: StoreDep) -> JSON:
    """Each run: who, when, thresholds version, cut-off and counts."""
    return await read(request, actor, lambda: paging.page(run_rows(store)))


def run_detail(store: Store, run_id: str) -> dict:
    """One finished run and its logged steps; NotFound when there is none."""
    found = [r for r in run_rows(store) if r["run_id"] == run_id]
    if not found:
        raise NotFound(f"no finished fraud run with id {run_id!r}")
    steps = records(views.audit_log(store, run_id))
    for step in steps:
        step["result"] = json.loads(step["result"]) if step.get("result") else None
    return {**found[0], "steps": steps}


@router.get("/runs/{run_id}", summary="one run and its logged steps",
            responses={200: {"model": FraudRunDetail}, **documented(404)})
async def get_run(request: Request, run_id: PathId, actor: Caller, store: StoreDep) -> JSON:
    """The run's counts and every step's row of process_audit_log."""
    return await read(request, actor, lambda: run_detail(store, run_id))


def flag_of(pattern: str) -> str:
    """The flag column a `pattern` filter names: its number (1-15), key, flag column or `manual`."""
    text = pattern.strip().lower()
    for p in PATTERNS:
        if text in (str(p.number), p.key, p.flag):
            return p.flag
    if text in ("manual", MANUAL_FLAG):
        return MANUAL_FLAG
    raise BadInput(f"pattern {pattern!r}: give a pattern number 1-15, its name (e.g. large_jump), "
                   "its flag column or 'manual'")


def fraudsters(store: Store, actor: Actor, pattern: str | None, platform: str | None) -> pd.DataFrame:
    """The fraudsters table, filtered by a pattern's flag and a platform; ids masked for viewers."""
    flags = [flag_of(pattern)] if pattern else None
    platforms = [platform] if platform else None
    frame = views.filter_players(views.fraudsters(store), flags=flags, platforms=platforms)
    return mask_columns(frame, ["distinct_id"], actor)


@router.get("/fraudsters", summary="the fraudsters table", responses={200: {"model": Page}, **documented()})
async def list_fraudsters(
    request: Request, paging: Pages, actor: Caller, store: StoreDep,
    pattern: PatternFilter = None,
    platform: Annotated[Literal["ios", "android", "web"] | None, Query()] = None,
) -> JSON:
    """Every fraudster (ordered by distinct_id) with its flags and when it was flagged."""
    return await read(request, actor,
                      lambda: paging.page(records(fraudsters(store, actor, pattern, platform))))
