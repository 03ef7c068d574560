"""`python -m analytics serve [--host H] [--port P]`: the HTTP API under uvicorn."""

from __future__ import annotations

import argparse
import os

from analytics import auth, store
from analytics.api import settings
from analytics.api.security import is_loopback
from analytics.errors import InputError


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Add the `serve` command."""
    p = sub.add_parser("serve", parents=[parent], help="start the HTTP API (FastAPI under uvicorn)")
    p.add_argument("--host", help="address to listen on (default: config/api.yaml host, 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default: config/api.yaml port, 8000)")
    p.set_defaults(handler=cmd_serve)


def check_address(host: str) -> None:
    """Refuse a non-loopback address while no users file exists (the API would be open to the network)."""
    if not is_loopback(host) and not auth.sign_in_required():
        raise InputError(f"--host {host}: with no users file the API is open and serves this machine only "
                         f"(127.0.0.1 or localhost); add users ({auth.users_path()}) and tokens first")


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve until stopped."""
    import uvicorn

    from analytics.api.app import create_app

    cfg = settings.load()
    host, port = args.host or cfg.host, args.port if args.port is not None else cfg.port
    if not 1 <= port <= 65535:
        raise InputError(f"--port {port}: a port lies in 1-65535")
    check_address(host)
    store.set_linger(cfg.store_linger_seconds)
    store.default_store().ensure_created()
    app = create_app(cfg=cfg, public=not is_loopback(host))
    level = os.environ.get("RISKDESK_LOG_LEVEL", "WARNING").lower()
    uvicorn.run(app, host=host, port=port, log_level=level if level in ("debug", "info", "warning", "error")
                else "warning", access_log=level in ("debug", "info"))
    return 0
