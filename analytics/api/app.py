"""The FastAPI application: routes, error handlers, the upload limit, the read cache."""

from __future__ import annotations

from fastapi import FastAPI

from analytics import __version__
from analytics.api import errors, settings
from analytics.api.cache import ReadCache
from analytics.api.middleware import BodyLimit, ClearOnWrite, ServerTiming
from analytics.api.responses import JSON
from analytics.api.routes import cashout, fraud, health, mules, overdraft, rewards_players, rewards_rules
from analytics.store import Store

DESCRIPTION = """The same functions as the Riskdesk app and command line, over HTTP (contracts/api.md).

With no users file the API is open on 127.0.0.1 only. With users, every call but `/health` needs
`Authorization: Bearer <token>` (`python -m analytics token create --user NAME`); roles are the app's:
viewer (every GET, player identifiers masked), auditor (also audits, decisions, logs), admin (all).
Errors are `{"error": "...", "detail": ...}`; lists take `limit` (default 100, at most 1000) and
`offset` and answer `{"items": [...], "total": N}`."""


def create_app(store: Store | None = None, cfg: settings.ApiSettings | None = None,
               public: bool = False) -> FastAPI:
    """The API on `store` (default: RISKDESK_DB); `public` when it listens beyond loopback."""
    cfg = cfg or settings.load()
    app = FastAPI(title="Riskdesk API", version=__version__, description=DESCRIPTION,
                  default_response_class=JSON)
    app.state.store = store or Store()
    app.state.settings = cfg
    app.state.public = public
    app.state.cache = ReadCache(cfg.read_cache_seconds)
    errors.install(app)
    app.add_middleware(ClearOnWrite, cache=app.state.cache)
    app.add_middleware(BodyLimit)
    app.add_middleware(ServerTiming)
    app.include_router(health.router)
    for module in (fraud, cashout, overdraft, rewards_players, rewards_rules, mules):
        app.include_router(module.router, prefix="/api")
    return app
