"""Rewards, the seed team's admin API (players side): players, imports, wallet credits."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from analytics import ingest
from analytics.api import uploads
from analytics.api.deps import Caller, Pages, PathId, StoreDep, Uploads, read
from analytics.api.errors import BadInput, Conflict, NotFound, documented
from analytics.api.models import (
    BonusCredit,
    LoadReport,
    LoyaltyCredit,
    Page,
    Player,
    PlayerCreate,
    PlayerDetail,
    PlayerFields,
)
from analytics.api.responses import JSON, records
from analytics.identity import Actor, mask, require
from analytics.jsonutil import jsonable
from analytics.rewards import players, process, wallet
from analytics.rewards.settings import load_config
from analytics.rewards.wallet import Posted
from analytics.store import Store

router = APIRouter(tags=["rewards: players and wallet"])
EXPORT = ("player_id", "total_deposited", "total_wagered", "total_won", "sessions", "playtime_hours",
          "total_withdrawn", "bonus_received", "registered_at", "last_active_at", "tier")


def current(store: Store, player_id: str | None = None) -> list[dict]:
    """The players' current rows (every player, or one), with `active`."""
    rows = process.read_players(store, player_id=player_id).to_pylist()
    return [{**{k: r[k] for k in EXPORT}, "active": r["player_active"], "updated_at": r["updated_at"]}
            for r in jsonable(rows)]


def one(store: Store, player_id: str) -> dict:
    """One player's current row; NotFound when the store has no such player."""
    found = current(store, player_id)
    if not found:
        raise NotFound(f"no player {player_id!r}")
    return found[0]


def for_actor(rows: list[dict], actor: Actor) -> list[dict]:
    """Rows as `actor` may see them: viewers get player ids as pseudonyms."""
    if not actor.masks_players:
        return rows
    return [{**r, "player_id": mask(r["player_id"])} for r in rows]


@router.get("/players", summary="every player's current row",
            responses={200: {"model": Page}, **documented()})
async def list_players(request: Request, paging: Pages, actor: Caller, store: StoreDep) -> JSON:
    """The latest stored row of each player (load or edit), ordered by player_id, with `active`."""
    return await read(request, actor, lambda: paging.page(for_actor(current(store), actor)))


@router.post("/players", status_code=201, summary="create a player",
             responses={201: {"model": Player}, **documented(409)})
def create_player(body: PlayerCreate, actor: Caller, store: StoreDep) -> JSON:
    """Stores the export row (checked like a file's row); 409 when the player exists (PUT changes it)."""
    require(actor, "players.edit")
    if current(store, body.player_id.strip()):
        raise Conflict(f"player {body.player_id!r} exists; PUT /api/players/{{id}} changes it")
    saved = players.upsert_player(store, body.model_dump(), actor)
    return JSON(one(store, saved["player_id"]), status_code=201)


def detail(store: Store, player_id: str, actor: Actor) -> dict:
    """Everything about one player (what the stored active rules would give now: nothing written)."""
    info = players.detail(store, player_id, load_config(), actor)
    if info is None:
        raise NotFound(f"no player {player_id!r}")
    out: dict[str, Any] = {k: (records(v) if hasattr(v, "to_dict") else v) for k, v in info.items()}
    if actor.masks_players:
        out["player_id"] = out["export"]["player_id"] = mask(player_id)
        out["abuse"]["evidence"] = [f"{len(out['abuse']['evidence'])} shared device or ip links (not shown "
                                    "to viewers)"] if out["abuse"]["evidence"] else []
        out["ledger"] = [{k: v for k, v in r.items() if k != "idempotency_key"} for r in out["ledger"]]
    return jsonable(out)


@router.get("/players/{player_id}", summary="one player in full",
            responses={200: {"model": PlayerDetail}, **documented(404)})
async def get_player(request: Request, player_id: PathId, actor: Caller, store: StoreDep) -> JSON:
    """Export row, derived state, segment, abuse, tier, balances, bonuses, rewards and ledger."""
    return await read(request, actor, lambda: detail(store, player_id, actor))


@router.put("/players/{player_id}", summary="change a player's columns",
            responses={200: {"model": Player}, **documented(404)})
def update_player(body: PlayerFields, player_id: PathId, actor: Caller, store: StoreDep) -> JSON:
    """The fields given replace the current ones (the others are kept); a new row is stored."""
    require(actor, "players.edit")
    row = one(store, player_id)
    record = {k: row[k] for k in EXPORT} | body.model_dump(exclude_unset=True)
    players.upsert_player(store, record, actor)
    return JSON(one(store, player_id))


@router.delete("/players/{player_id}", summary="deactivate a player (no rewards)",
               responses={200: {"description": "the player is deactivated"}, **documented(404)})
def deactivate_player(player_id: PathId, actor: Caller, store: StoreDep) -> JSON:
    """The player stays listed with `active: false`; its matched rules are declined."""
    require(actor, "players.edit")
    one(store, player_id)
    return JSON(players.set_active(store, player_id, False, actor))


@router.post("/import", summary="import player exports (CSV/Excel) and ledgers (CSV)",
             responses={200: {"model": LoadReport}, **documented(413)})
def import_files(files: Uploads, actor: Caller, store: StoreDep) -> JSON:
    """Loads each file with the foundation's checks (rejected rows with their lines); 400 naming each
    file that could not be used, after the others were loaded (the report in `detail`)."""
    require(actor, "players.edit")
    with uploads.saved(files) as saved:
        report = ingest.summarise(players.import_files(store, saved, actor))
    failed = [r for r in report["results"] if r["status"] == "failed"]
    if failed:
        raise BadInput("; ".join(r["error"] or r["file_name"] for r in failed), report)
    return JSON(report)


def credit(store: Store, actor: Actor, player_id: str, post: Any) -> dict:
    """A wallet credit for a stored player (NotFound otherwise): the posted entry and balance."""
    require(actor, "wallet.credit")
    one(store, player_id)
    return post().to_dict()


@router.post("/wallet/add-lp", summary="credit loyalty points",
             responses={200: {"model": Posted}, **documented(404)})
def add_lp(body: LoyaltyCredit, actor: Caller, store: StoreDep) -> JSON:
    """Idempotent by `idempotency_key`: a retry posts nothing and answers what was posted."""
    return JSON(credit(store, actor, body.player_id, lambda: wallet.add_loyalty_points(
        store, body.player_id, body.points, actor, key=body.idempotency_key, note=body.note)))


@router.post("/wallet/add-bonus", summary="credit a play-only bonus",
             responses={200: {"model": Posted}, **documented(404)})
def add_bonus(body: BonusCredit, actor: Caller, store: StoreDep) -> JSON:
    """BONUS_BALANCE until wagering_requirement x amount is wagered on the eligible games; expires after
    expiry_hours. Idempotent by `idempotency_key`."""
    return JSON(credit(store, actor, body.player_id, lambda: wallet.add_bonus(
        store, body.player_id, body.amount, actor, wagering_requirement=body.wagering_requirement,
        expiry_hours=body.expiry_hours, eligible_games=body.eligible_games, key=body.idempotency_key,
        note=body.note)))
