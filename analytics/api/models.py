"""Request bodies (validated: a wrong field is a 422 naming it) and the documented answers."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ID_PATTERN = r"^[^\x00-\x1f\x7f/]{1,200}$"  # path ids: printable text without '/', at most 200 characters
BIG = 10**14  # amounts and points the wallet stores (DECIMAL(18, 4)) stay below this


class Body(BaseModel):
    """A request body: unknown fields are refused, numbers are finite."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Answer(BaseModel):
    """A documented answer: the fields named are always there; more may follow."""

    model_config = ConfigDict(extra="allow")


# -- requests --------------------------------------------------------------------------------
class FraudRunRequest(Body):
    """POST /api/fraud/runs."""

    date: dt.date | None = Field(None, description="run as of the end of this UTC day (default: all events)")
    send: bool = Field(False, description="also send the cohort to cohort.endpoint (config/fraud.yaml)")


class DecisionRequest(Body):
    """POST /api/audits/{audit_id}/decision."""

    decision: Literal["approve", "reject", "escalate"]
    comment: str | None = Field(None, max_length=2000)


class PlayerFields(Body):
    """A player's export columns (contracts/players.md)."""

    total_deposited: float | None = Field(None, ge=0, lt=BIG)
    total_wagered: float | None = Field(None, ge=0, lt=BIG)
    total_won: float | None = Field(None, ge=0, lt=BIG)
    sessions: int | None = Field(None, ge=0, le=2**31 - 1)
    playtime_hours: float | None = Field(None, ge=0, lt=BIG)
    total_withdrawn: float | None = Field(None, ge=0, lt=BIG)
    bonus_received: float | None = Field(None, ge=0, lt=BIG)
    registered_at: dt.datetime | None = None
    last_active_at: dt.datetime | None = None
    tier: str | None = Field(None, max_length=100)


class PlayerCreate(PlayerFields):
    """POST /api/players: a new player (the five required columns of the export)."""

    player_id: str = Field(pattern=ID_PATTERN)
    total_deposited: float = Field(ge=0, lt=BIG)
    total_wagered: float = Field(ge=0, lt=BIG)
    total_won: float = Field(ge=0, lt=BIG)
    sessions: int = Field(ge=0, le=2**31 - 1)
    playtime_hours: float = Field(ge=0, lt=BIG)


class RuleFields(Body):
    """A reward rule as contracts/players.md writes it (checked again by the rules parser)."""

    name: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=2000)
    priority: int = Field(ge=-(10**9), le=10**9)
    is_active: bool = True
    conditions: dict[str, Any] = Field(default_factory=dict)
    reward_config: dict[str, Any]


class RuleCreate(RuleFields):
    """POST /api/rules."""

    rule_id: str = Field(max_length=80)


class RuleUpdate(RuleFields):
    """PUT /api/rules/{rule_id}: the rule's whole new definition (rule_id, when given, must match)."""

    rule_id: str | None = Field(None, max_length=80)


class RuleTestRequest(Body):
    """POST /api/rules/{rule_id}/test."""

    player_id: str = Field(pattern=ID_PATTERN)


class TierCreate(Body):
    """POST /api/tiers."""

    name: str = Field(min_length=1, max_length=100)
    min_points: float = Field(ge=0, lt=BIG)


class TierUpdate(Body):
    """PUT /api/tiers/{name}."""

    min_points: float = Field(ge=0, lt=BIG)


class LoyaltyCredit(Body):
    """POST /api/wallet/add-lp."""

    player_id: str = Field(pattern=ID_PATTERN)
    points: float = Field(gt=0, lt=BIG)
    idempotency_key: str | None = Field(None, min_length=1, max_length=200,
                                        description="a retry with the same key posts nothing twice")
    note: str | None = Field(None, max_length=500)


class BonusCredit(Body):
    """POST /api/wallet/add-bonus."""

    player_id: str = Field(pattern=ID_PATTERN)
    amount: float = Field(gt=0, lt=BIG)
    wagering_requirement: float = Field(ge=0, le=10_000)
    expiry_hours: float = Field(gt=0, le=24 * 3650)
    eligible_games: list[str] | None = Field(None, max_length=100)
    idempotency_key: str | None = Field(None, min_length=1, max_length=200)
    note: str | None = Field(None, max_length=500)


class SimulateRequest(Body):
    """POST /api/drops/simulate."""

    seed: int | None = Field(None, ge=0, le=2**63 - 1, description="default: drops.yaml's seed")
    config: dict[str, Any] = Field(default_factory=dict,
                                   description="overrides of drops.yaml, nested as in the file")


# -- answers ---------------------------------------------------------------------------------
class Page(Answer):
    """A list: one page of items and the number of items in all."""

    items: list[dict[str, Any]]
    total: int


class Health(Answer):
    """GET /health."""

    status: str
    database: str


class Step(Answer):
    """One fraud pipeline step."""

    step: str
    name: str
    success: bool
    result: dict[str, Any]
    started_at: str
    ended_at: str


class FraudRun(Answer):
    """The fraud CLI's JSON (contracts/game_events.md)."""

    success: bool
    run_id: str
    steps: list[Step]
    start_time: str
    end_time: str | None


class FraudRunDetail(Answer):
    """One stored fraud run with its logged steps."""

    run_id: str
    steps: list[dict[str, Any]]


class Audit(Answer):
    """One cashout audit (contracts/cashout_events.md) with its audit_id."""

    audit_id: str
    cashout_id: str
    user_id: str | None
    verdict: Literal["approved", "flagged", "rejected"]
    reasons: list[dict[str, Any]]


class AuditDetail(Audit):
    """An audit with the decisions recorded on its cashout (oldest first)."""

    decisions: list[dict[str, Any]]


class Decision(Answer):
    """A recorded decision."""

    decision_id: str
    audit_id: str
    cashout_id: str
    decision: str
    comment: str | None
    decided_by: str
    decided_at: str


class LogsReport(Answer):
    """The logs CLI's JSON (contracts/lambda_logs.md) plus failed and success."""

    files: int
    records: int
    transactions: int
    malformed: list[dict[str, Any]]
    failed: list[dict[str, Any]]
    success: bool


class LoadReport(Answer):
    """What an import loaded (as the `load` command prints it)."""

    files: int
    loaded: int
    duplicates: int
    failed: int
    rows_loaded: int
    rows_rejected: int
    results: list[dict[str, Any]]


class RewardDecision(Answer):
    """One player in the rewards CLI's JSON (contracts/players.md)."""

    player_id: str
    segment: str
    state: dict[str, Any]
    rewards: list[dict[str, Any]]
    abuse: dict[str, Any]


class Player(Answer):
    """A player's current row."""

    player_id: str
    active: bool


class PlayerDetail(Answer):
    """One player: export row, state, segment, abuse, tier, wallet, rewards."""

    player_id: str
    segment: str


class Saved(Answer):
    """A saved rule version."""

    rule_id: str
    version: int
    action: str
    diff: dict[str, Any]


class Simulation(Answer):
    """A mule lab run: the CLI's JSON and the run's summary."""

    run_id: str
    transactions: int
    drops: int
    legit_clients: int
    summary: dict[str, Any]
