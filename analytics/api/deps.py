"""What every route needs: the store, the caller, paging, path ids, uploads and cached read answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, File, Query, Request, UploadFile
from fastapi import Path as PathParam

from analytics.api.cache import freshness
from analytics.api.models import ID_PATTERN
from analytics.api.responses import DEFAULT_LIMIT, JSON, MAX_LIMIT, Paging
from analytics.api.security import current_actor
from analytics.identity import Actor, require
from analytics.store import Store


async def get_store(request: Request) -> Store:
    """The app's store handle (it holds nothing open between uses)."""
    return request.app.state.store


Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="items per page (at most 1000)")]
Offset = Annotated[int, Query(ge=0, le=2**53, description="items skipped")]


async def paging(limit: Limit = DEFAULT_LIMIT, offset: Offset = 0) -> Paging:
    """The `limit` and `offset` every list endpoint takes."""
    return Paging(limit, offset)


Caller = Annotated[Actor, Depends(current_actor)]
StoreDep = Annotated[Store, Depends(get_store)]
Pages = Annotated[Paging, Depends(paging)]
PathId = Annotated[str, PathParam(pattern=ID_PATTERN, description="printable, no '/', 1-200 characters")]
Uploads = Annotated[list[UploadFile], File(description="one or more files, each a part named 'files'")]


async def read(request: Request, actor: Actor, compute: Callable[[], Any]) -> JSON:
    """A GET answer for a caller who may view: kept from before while nothing it reads changed (answered
    on the event loop), else computed in a worker thread (analytics/api/cache.py)."""
    require(actor, "view")
    key = (request.url.path, request.url.query, actor.masks_players)
    db = request.app.state.store.path
    return await request.app.state.cache.answer(key, compute, lambda: freshness(db))
