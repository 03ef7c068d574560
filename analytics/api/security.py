"""Who calls: open mode (no users file, loopback only) or a bearer token tied to the users file."""

from __future__ import annotations

import ipaddress
import threading
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from analytics import auth, tokens
from analytics.api.errors import Unauthorized
from analytics.identity import Actor, os_user

bearer = HTTPBearer(
    auto_error=False,
    description="`python -m analytics token create --user NAME` prints a token; with no users file the "
                "API is open on 127.0.0.1 and needs none.",
)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
_USERS: dict[str, tuple] = {}
_GUARD = threading.Lock()


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def users() -> dict[str, auth.User] | None:
    """The users file's users (None: no file, open mode), re-read only when the file changed."""
    path = auth.users_path()
    try:
        st = path.stat()
        stamp: tuple = (st.st_ino, st.st_mtime_ns, st.st_size)
    except FileNotFoundError:
        stamp = ()
    with _GUARD:
        cached = _USERS.get(str(path))
        if cached and cached[0] == stamp:
            return cached[1]
    loaded = auth.load_users(path) if stamp else None
    with _GUARD:
        _USERS[str(path)] = (stamp, loaded)
    return loaded


async def current_actor(request: Request, credentials: Credentials) -> Actor:
    """The caller as an Actor; 401 without a valid token once a users file exists. (On the event loop:
    it stats the users and tokens files and reads them only when they changed.)"""
    known = users()
    if known is None:
        if getattr(request.app.state, "public", False):
            raise Unauthorized("sign-in is required on this address, but there is no users file: add users "
                               "(python -m analytics users set) and create tokens")
        return Actor(os_user(), "admin")  # open mode: this machine only, as the OS user (like the app)
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("missing bearer token: send 'Authorization: Bearer <token>' "
                           "(python -m analytics token create --user NAME)")
    actor = tokens.actor_for(credentials.credentials, known)
    if actor is None:
        raise Unauthorized("invalid, expired or revoked token, or its user is no longer allowed")
    return actor
