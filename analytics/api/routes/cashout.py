"""Cashout audits: audit uploaded exports, the queue, one audit, append-only decisions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request

from analytics.api import uploads
from analytics.api.deps import Caller, Pages, PathId, StoreDep, Uploads, read
from analytics.api.errors import BadInput, NotFound, documented
from analytics.api.models import Audit, AuditDetail, Decision, DecisionRequest, Page
from analytics.api.responses import JSON, records
from analytics.cashout import review, runs
from analytics.cashout.verdict import REASON_CODES, VERDICTS
from analytics.errors import InputError
from analytics.identity import Actor, mask_columns, require
from analytics.store import Store

router = APIRouter(tags=["cashout audits"])
ALL = 2**62  # "no limit" for the queue query: the API pages the rows itself
MASKED = ["user_id", "username", "file_name"]


def audit_uploads(store: Store, files: list[tuple], actor: Actor) -> list[dict]:
    """Audit the files; their audits (the CLI's JSON), or BadInput naming each file that failed."""
    run = runs.audit_files(store, files, actor)
    failed = [{"file": f.file_name, "error": f.error} for f in run.failed]
    if failed:
        raise BadInput("; ".join(f["error"] or f["file"] for f in failed),
                       {"failed": failed, "audits": run.audits})
    return run.audits


@router.post("/audits", summary="audit the cashouts of one or more exports",
             responses={200: {"model": list[Audit]}, **documented(413)})
def create_audits(files: Uploads, actor: Caller, store: StoreDep) -> JSON:
    """Every cashout in the exports (liveops' CSV or the raw audit-query export) is audited and stored
    once (a re-audit adds nothing); the answer is the CLI's audit JSON. When a file cannot be audited
    the answer is 400 naming it, after the others were audited and stored (they are in
    `detail.audits`)."""
    require(actor, "audit.run")
    with uploads.saved(files) as saved:
        return JSON(audit_uploads(store, saved, actor))


def queue(store: Store, actor: Actor, verdict: list[str] | None, reason: list[str] | None,
          since: dt.date | None, until: dt.date | None, player: str | None) -> list[dict]:
    """The queue's rows (latest audit per cashout, newest first), identifiers masked for viewers."""
    frame = review.queue(store, verdict, reason, since, until, player, limit=ALL)
    return records(mask_columns(frame, MASKED, actor))


@router.get("/audits", summary="the audit queue", responses={200: {"model": Page}, **documented()})
async def list_audits(
    request: Request, paging: Pages, actor: Caller, store: StoreDep,
    verdict: Annotated[list[str] | None, Query(description=f"any of {', '.join(VERDICTS)}")] = None,
    reason: Annotated[list[str] | None, Query(description=f"any of {', '.join(REASON_CODES)}")] = None,
    since: Annotated[dt.date | None, Query(description="cashouts on or after this day")] = None,
    until: Annotated[dt.date | None, Query(description="cashouts on or before this day")] = None,
    player: Annotated[str | None, Query(max_length=200, description="part of a user id or username")] = None,
) -> JSON:
    """The latest audit of each cashout with its latest decision (`pending` without one)."""
    return await read(request, actor,
                lambda: paging.page(queue(store, actor, verdict, reason, since, until, player)))


def audit_or_404(store: Store, audit_id: str) -> dict:
    """A stored audit's JSON; NotFound when there is none with that id."""
    try:
        audit = review.get_audit(store, audit_id)
    except InputError:
        raise NotFound(f"no audit with id {audit_id!r}") from None
    audit.pop("_file_id", None)
    return audit


def audit_detail(store: Store, audit_id: str, actor: Actor) -> dict:
    """An audit (as `actor` may see it) and the decisions recorded on its cashout, oldest first."""
    audit = audit_or_404(store, audit_id)
    history = review.history(store, audit["cashout_id"])
    decisions = history[history["kind"] == "decision"]
    rows = [{"audit_id": r["audit_id"], "decision": r["what"], "comment": r["detail"], "decided_by": r["who"],
             "decided_at": r["happened_at"]} for r in records(decisions)]
    return {**review.for_actor(audit, actor), "decisions": rows}


@router.get("/audits/{audit_id}", summary="one audit and its decisions",
            responses={200: {"model": AuditDetail}, **documented(404)})
async def get_audit(request: Request, audit_id: PathId, actor: Caller, store: StoreDep) -> JSON:
    """The stored audit JSON (with its audit_id) and `decisions`, oldest first."""
    return await read(request, actor, lambda: audit_detail(store, audit_id, actor))


@router.post("/audits/{audit_id}/decision", status_code=201, summary="record a decision (append-only)",
             responses={201: {"model": Decision}, **documented(404)})
def decide(body: DecisionRequest, audit_id: PathId, actor: Caller, store: StoreDep) -> JSON:
    """Appends approve / reject / escalate with a comment, recorded as the token's user."""
    require(actor, "audit.decide")
    audit_or_404(store, audit_id)
    row = review.record_decision(store, audit_id, body.decision, body.comment or "", actor)
    return JSON(row, status_code=201)
