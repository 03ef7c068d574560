"""What every route needs: the store, the caller, paging, path ids, uploads and cached read answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, File, Request, UploadFile
from fastapi import Path as PathParam

from analytics.api.cache import freshness
from analytics.api.models import ID_PATTERN
from analytics.api.responses import JSON, Paging
from analytics.api.security import current_actor
from analytics.identity import Actor, require
from analytics.store import Store


def get_store(request: Request) -> Store:
    """The app's store handle (it holds nothing open between uses)."""
    return request.app.state.store


Caller = Annotated[Actor, Depends(current_actor)]
StoreDep = Annotated[Store, Depends(get_store)]
Pages = Annotated[Paging, Depends()]
PathId = Annotated[str, PathParam(pattern=ID_PATTERN, description="printable, no '/', 1-200 characters")]
Uploads = Annotated[list[UploadFile], File(description="one or more files, each a part named 'files'")]


def read(request: Request, actor: Actor, compute: Callable[[], Any]) -> JSON:
    """A GET answer for a caller who may view: kept from before while nothing it reads changed, else
    computed (analytics/api/cache.py)."""
    require(actor, "view")
    key = (request.url.path, request.url.query, actor.masks_players)
    db = request.app.state.store.path
    return request.app.state.cache.answer(key, compute, lambda: freshness(db))
