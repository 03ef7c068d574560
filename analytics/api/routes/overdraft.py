"""Overdraft monitor: load log files, the at-risk list."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from analytics.api import uploads
from analytics.api.deps import Caller, Pages, StoreDep, Uploads, read
from analytics.api.errors import BadInput, documented
from analytics.api.models import LogsReport, Page
from analytics.api.responses import JSON, records
from analytics.identity import Actor, mask_columns, require
from analytics.overdraft import alerts, figures, importer
from analytics.overdraft import settings as ws_settings
from analytics.store import Store

router = APIRouter(tags=["overdraft monitor"])
AlertFlag = Annotated[bool, Query(description="also send the alerts not sent before")]


def load_logs(store: Store, files: list[tuple], actor: Actor, alert: bool) -> dict[str, Any]:
    """Load the log files and report on everything stored: the logs CLI's JSON; BadInput naming
    each file that could not be used (after the others were loaded, the report in `detail`)."""
    cfg = ws_settings.load()
    outcomes = importer.load_logs(store, files, actor, workers=cfg.parser.workers)
    failed = [{"file": o.file_name, "error": o.error} for o in outcomes if o.status == "failed"]
    result: dict[str, Any] = {**figures.report(store), "failed": failed}
    if alert:
        result["alerts"] = alerts.send_alerts(store, cfg, actor)
    result["success"] = not failed and not (alert and result["alerts"]["failed"])
    if failed:
        raise BadInput("; ".join(f["error"] or f["file"] for f in failed), result)
    return result


@router.post("/logs", summary="load balance-sync Lambda log files (gz allowed)",
             responses={200: {"model": LogsReport}, **documented(413)})
def create_logs(files: Uploads, actor: Caller, store: StoreDep, alert: AlertFlag = False) -> JSON:
    """The contract's figures over everything stored after the load, plus `failed` and `success`
    (and `alerts` with `alert=true`)."""
    require(actor, "logs.import")
    with uploads.saved(files) as saved:
        return JSON(load_logs(store, saved, actor, alert))


@router.get("/overdraft/at-risk", summary="subscribers at risk of overdraft, soonest first",
            responses={200: {"model": Page}, **documented()})
async def at_risk(request: Request, paging: Pages, actor: Caller, store: StoreDep) -> JSON:
    """Latest transaction out of sync, balance >= 0, days to overdraft at the recent debit rate."""
    def compute() -> dict:
        frame = figures.at_risk(store, ws_settings.load())
        return paging.page(records(mask_columns(frame, ["user_id"], actor)))

    return await read(request, actor, compute)
