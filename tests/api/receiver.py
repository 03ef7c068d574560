"""A real HTTP server on 127.0.0.1 that receives webhooks the way a receiver should: it checks each
request's HMAC-SHA256 signature on its own (never with analytics.notify) and records what came."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    """One POST: its headers (lower-case names), raw body, parsed JSON and whether the signature held."""

    headers: dict[str, str]
    raw: bytes
    body: object
    signed_ok: bool


def expected_signature(secret: str, timestamp: str, raw: bytes) -> str:
    """What the sender must put in X-Riskdesk-Signature: sha256= hex HMAC of "<timestamp>." + body."""
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + raw, hashlib.sha256).hexdigest()


class Receiver:
    """Answers each POST with the next status of `statuses` (the last one repeats)."""

    def __init__(self, secret: str | None = None, statuses: list[int] | None = None,
                 status_for: Callable[[dict], int] | None = None) -> None:
        self.secret, self.statuses, self.status_for = secret, list(statuses or [200]), status_for
        self.received: list[Received] = []
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                body = json.loads(raw) if raw else None
                ok = outer.check(headers, raw)
                with outer.lock:
                    outer.received.append(Received(headers, raw, body, ok))
                    n = len(outer.received)
                status = outer.status_for(body) if outer.status_for else \
                    outer.statuses[min(n, len(outer.statuses)) - 1]
                self.send_response(status if ok or outer.secret is None else 401)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def check(self, headers: dict[str, str], raw: bytes) -> bool:
        """The receiver's own check: a fresh timestamp and the matching signature."""
        if self.secret is None:
            return True
        stamp, got = headers.get("x-riskdesk-timestamp", ""), headers.get("x-riskdesk-signature", "")
        if not stamp.isdigit() or abs(time.time() - int(stamp)) > 300:
            return False
        return hmac.compare_digest(expected_signature(self.secret, stamp, raw), got)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
