"""Rewards, the seed team's admin API (rules side): rules and their test, tiers, the batch, analytics."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request

from analytics.api.deps import Caller, Pages, PathId, StoreDep, read
from analytics.api.errors import BadInput, Conflict, NotFound, documented
from analytics.api.models import (
    Page,
    RewardDecision,
    RuleCreate,
    RuleTestRequest,
    RuleUpdate,
    Saved,
    TierCreate,
    TierUpdate,
)
from analytics.api.responses import JSON, Paging, records
from analytics.identity import Actor, mask, require
from analytics.jsonutil import jsonable
from analytics.rewards import process, report, rule_store, tiers
from analytics.rewards.rules import Rule, parse_rules
from analytics.rewards.settings import load_config
from analytics.store import Store

router = APIRouter(tags=["rewards: rules, tiers, batch and analytics"])


# -- rules -----------------------------------------------------------------------------------
def stored_rules(store: Store) -> list[dict]:
    """Every stored rule's current version, its definition as JSON."""
    rows = records(rule_store.current_table(store))
    return [{**r, "definition": json.loads(r["definition"])} for r in rows]


def stored_rule(store: Store, rule_id: str) -> Rule:
    """A stored rule (current version); NotFound when there is none with that id."""
    rules, _versions = rule_store.current_rules(store, load_config().formula)
    for rule in rules:
        if rule.rule_id == rule_id:
            return rule
    raise NotFound(f"no stored rule {rule_id!r}")


def save(store: Store, definition: dict, actor: Actor) -> dict:
    """Check a rule definition (InputError naming the bad part) and store it as a new version."""
    rule = parse_rules(definition, load_config().formula, "rule")[0]
    return rule_store.save_rules(store, [rule], actor)[0]


@router.get("/rules", summary="stored rules (current versions)",
            responses={200: {"model": Page}, **documented()})
async def list_rules(request: Request, paging: Pages, actor: Caller, store: StoreDep) -> JSON:
    """Each rule's id, version, definition and who saved it when."""
    return await read(request, actor, lambda: paging.page(stored_rules(store)))


@router.post("/rules", status_code=201, summary="create a rule",
             responses={201: {"model": Saved}, **documented(409)})
def create_rule(body: RuleCreate, actor: Caller, store: StoreDep) -> JSON:
    """Stores version 1; 409 when the rule exists (PUT adds a version)."""
    require(actor, "rules.edit")
    if any(r["rule_id"] == body.rule_id.strip() for r in stored_rules(store)):
        raise Conflict(f"rule {body.rule_id!r} exists; PUT /api/rules/{{id}} saves a new version")
    return JSON(save(store, body.model_dump(exclude_unset=True), actor), status_code=201)


@router.put("/rules/{rule_id}", summary="save a new version of a rule",
            responses={200: {"model": Saved}, **documented(404)})
def update_rule(body: RuleUpdate, rule_id: PathId, actor: Caller, store: StoreDep) -> JSON:
    """The body is the whole new definition; an identical one adds nothing (`unchanged`)."""
    require(actor, "rules.edit")
    stored_rule(store, rule_id)
    definition = body.model_dump(exclude_unset=True)
    if definition.get("rule_id", rule_id).strip() != rule_id:
        raise BadInput(f"rule_id {definition['rule_id']!r} differs from the path's {rule_id!r}")
    return JSON(save(store, {**definition, "rule_id": rule_id}, actor))


@router.delete("/rules/{rule_id}", summary="deactivate a rule (a new version)",
               responses={200: {"model": Saved}, **documented(404)})
def deactivate_rule(rule_id: PathId, actor: Caller, store: StoreDep) -> JSON:
    """Versions are kept; the rule is switched off."""
    require(actor, "rules.edit")
    stored_rule(store, rule_id)
    return JSON(rule_store.set_active(store, rule_id, False, actor))


@router.post("/rules/{rule_id}/test", summary="what a rule gives one player (nothing written)",
             responses={200: {"model": RewardDecision}, **documented(404)})
def test_rule(body: RuleTestRequest, rule_id: PathId,
              actor: Caller, store: StoreDep) -> JSON:
    """The players.md object for the player under this rule alone, switched on."""
    require(actor, "rules.edit")
    rule = stored_rule(store, rule_id)
    result = process.test_rule(store, rule, body.player_id, load_config(), actor)
    if result is None:
        raise NotFound(f"no player {body.player_id!r}")
    return JSON(result)


# -- tiers -----------------------------------------------------------------------------------
def tier_list(store: Store) -> list[dict]:
    """The tiers, lowest first."""
    return [t.model_dump() for t in tiers.list_tiers(store, load_config())]


def find_tier(store: Store, name: str) -> dict | None:
    """A tier by name (any case)."""
    return next((t for t in tier_list(store) if t["name"].lower() == name.strip().lower()), None)


@router.get("/tiers", summary="loyalty tiers", responses={200: {"model": Page}, **documented()})
async def list_tiers(request: Request, paging: Pages, actor: Caller, store: StoreDep) -> JSON:
    """Name and lifetime loyalty points needed, lowest first."""
    return await read(request, actor, lambda: paging.page(tier_list(store)))


@router.post("/tiers", status_code=201, summary="add a tier",
             responses={201: {"model": Page}, **documented(409)})
def create_tier(body: TierCreate, actor: Caller, store: StoreDep) -> JSON:
    """Adds a tier (thresholds start at 0 and strictly ascend); answers every tier."""
    require(actor, "rules.edit")
    if find_tier(store, body.name):
        raise Conflict(f"tier {body.name!r} exists; PUT /api/tiers/{{name}} changes it")
    saved = tiers.save_tier(store, body.name, body.min_points, actor, load_config())
    items = [t.model_dump() for t in saved]
    return JSON({"items": items, "total": len(items)}, status_code=201)


@router.put("/tiers/{name}", summary="change a tier's threshold",
            responses={200: {"model": Page}, **documented(404)})
def update_tier(body: TierUpdate, name: PathId, actor: Caller, store: StoreDep) -> JSON:
    """Answers every tier after the change."""
    require(actor, "rules.edit")
    tier = find_tier(store, name)
    if tier is None:
        raise NotFound(f"no tier {name!r}")
    saved = tiers.save_tier(store, tier["name"], body.min_points, actor, load_config())
    items = [t.model_dump() for t in saved]
    return JSON({"items": items, "total": len(items)})


# -- the batch and analytics ------------------------------------------------------------------
@router.post("/batch/process", summary="issue the active rules' approved rewards to every player",
             responses={200: {"model": list[RewardDecision]}, **documented()})
def batch_process(actor: Caller, store: StoreDep) -> JSON:
    """The rewards CLI's JSON with `--issue` (idempotent: a second run pays nothing twice)."""
    require(actor, "rewards.issue")
    cfg = load_config()
    rules, _versions = rule_store.current_rules(store, cfg.formula)
    return JSON(process.contract_json(process.run(store, rules, cfg, actor, issue=True), cfg))


def dashboard(store: Store, actor: Actor) -> dict[str, Any]:
    """Segments, what the active rules do now (nothing written) and the abuse list."""
    cfg = load_config()
    rules, versions = rule_store.current_rules(store, cfg.formula)
    table = process.evaluate(store, rules, cfg, actor, versions=versions).table
    simulation = report.simulation(table)
    abusers = records(report.abuse_list(table))
    if actor.masks_players:
        abusers = [{**a, "player_id": mask(a["player_id"])} for a in abusers]
    return jsonable({
        "players": len(table),
        "segments": records(report.segment_counts(table)),
        "rules": {**simulation, "by_segment": records(simulation["by_segment"])},
        "abuse": {"actions": report.action_counts(table), "players": abusers},
    })


@router.get("/analytics/dashboard", summary="segments, the active rules now, abuse",
            responses={200: {"description": "the dashboard's figures"}, **documented()})
async def get_dashboard(request: Request, actor: Caller, store: StoreDep) -> JSON:
    """What the Rewards page's top shows."""
    return await read(request, actor, lambda: dashboard(store, actor))


def issued(store: Store, paging: Paging) -> dict[str, Any]:
    """Issued rewards by rule and segment (a page), with totals, by rule and by segment."""
    frame = report.issued(store)
    return paging.page(records(frame), totals=report.issued_totals(frame),
                       by_rule=records(report.issued_by(frame, "rule_id")),
                       by_segment=records(report.issued_by(frame, "segment")))


@router.get("/analytics/rewards", summary="issued rewards: cost, expected revenue, ROI",
            responses={200: {"model": Page}, **documented()})
async def get_rewards(request: Request, paging: Pages, actor: Caller, store: StoreDep) -> JSON:
    """Items by rule and segment; `totals`, `by_rule` and `by_segment` beside them."""
    return await read(request, actor, lambda: jsonable(issued(store, paging)))


@router.get("/analytics/transactions", summary="the transaction ledger by type",
            responses={200: {"model": Page}, **documented()})
async def get_transactions(request: Request, paging: Pages, actor: Caller, store: StoreDep) -> JSON:
    """Rows, players, amount, first and last time per transaction type."""
    return await read(request, actor, lambda: paging.page(records(report.transactions(store))))
