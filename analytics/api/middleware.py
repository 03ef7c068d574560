"""The API's ASGI middleware: each sees every HTTP request once, around the routes."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from analytics import settings
from analytics.api.cache import ReadCache
from analytics.api.errors import TooLarge, body
from analytics.api.responses import JSON

READS = frozenset({"GET", "HEAD", "OPTIONS"})


class HttpMiddleware:
    """Passes anything but HTTP requests (lifespan) straight through; `handle` sees the requests."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """One HTTP request."""
        await self.app(scope, receive, send)


class BodyLimit(HttpMiddleware):
    """A request body over RISKDESK_MAX_UPLOAD_MB is refused with 413 (by its Content-Length before
    reading, or while it streams)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = settings.max_upload_bytes()
        length = dict(scope.get("headers") or []).get(b"content-length", b"")
        if length.isdigit() and int(length) > limit:
            await JSON(body(TooLarge(limit).detail), status_code=413)(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise TooLarge(limit)
            return message

        await self.app(scope, limited, send)


class ClearOnWrite(HttpMiddleware):
    """Any request other than a read empties the read cache when it answers."""

    def __init__(self, app: ASGIApp, cache: ReadCache) -> None:
        super().__init__(app)
        self.cache = cache

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("method") in READS:
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.cache.clear()
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            self.cache.clear()


class ServerTiming(HttpMiddleware):
    """Every answer says how long the server took to start it (`Server-Timing: app;dur=<ms>`), so a
    client can tell the server's time from the network's and its own."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                took = (time.perf_counter() - started) * 1000
                message = {**message, "headers": [*message.get("headers", []),
                                                  (b"server-timing", f"app;dur={took:.2f}".encode())]}
            await send(message)

        await self.app(scope, receive, sending)
