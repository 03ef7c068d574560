"""API bearer tokens: issued to the users file's users, kept only as hashes, revocable.

A token reads `rdk_<id>_<secret>`; the tokens file (`api_tokens.yaml` beside the users file, or
RISKDESK_TOKENS_FILE, mode 0600) keeps its id, user, sha256, creation, expiry and revocation. A
token is good while it is neither expired nor revoked and its user is still in the users file
and not disabled; the user's role is read from the users file at each check, so a role change
applies at once.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import hmac
import os
import re
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, field_validator

from analytics import auth
from analytics.config import validate
from analytics.errors import ConfigError, InputError
from analytics.fileio import atomic_write
from analytics.identity import Actor

_TOKEN = re.compile(r"^rdk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
MAX_DAYS = 3650
DEFAULT_DAYS = 90


class TokenRecord(BaseModel):
    """One issued token (never the token itself)."""

    id: str
    user: str
    sha256: str
    created_at: dt.datetime
    expires_at: dt.datetime
    created_by: str
    revoked_at: dt.datetime | None = None

    @field_validator("created_at", "expires_at", "revoked_at")
    @classmethod
    def _naive_utc(cls, value: dt.datetime | None) -> dt.datetime | None:
        """Times as naive UTC (a hand-edited time with an offset is converted)."""
        if value is not None and value.tzinfo is not None:
            return value.astimezone(dt.UTC).replace(tzinfo=None)
        return value


class TokensFile(BaseModel):
    """The tokens file."""

    tokens: list[TokenRecord] = Field(default_factory=list)


def tokens_path() -> Path:
    """RISKDESK_TOKENS_FILE, else api_tokens.yaml beside the users file."""
    env = os.environ.get("RISKDESK_TOKENS_FILE")
    return Path(env) if env else auth.users_path().with_name("api_tokens.yaml")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def load(path: Path | None = None) -> list[TokenRecord]:
    """Every issued token record (none when the file does not exist)."""
    path = path or tokens_path()
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected 'tokens:' with a list of tokens")
    return validate(TokensFile, data, str(path)).tokens


def save(records: list[TokenRecord], path: Path | None = None) -> Path:
    """Write the tokens file atomically, readable by its owner only."""
    text = yaml.safe_dump({"tokens": [r.model_dump(mode="json") for r in records]}, sort_keys=False)
    return atomic_write(path or tokens_path(), text, perms=0o600)


@contextmanager
def _editing() -> Iterator[None]:
    """Hold `<tokens file>.lock` while reading and rewriting the file, so two edits never lose one."""
    path = tokens_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def create(user: str, days: int = DEFAULT_DAYS, created_by: str = "cli") -> tuple[str, TokenRecord]:
    """Issue a token for a user of the users file; returns (the token, shown once; its record)."""
    users = auth.load_users()
    if users is None:
        raise InputError(f"no users file ({auth.users_path()}): the API runs open on localhost; "
                         "add users first (python -m analytics users set NAME --role ROLE)")
    if user not in users:
        raise InputError(f"--user {user!r} is not in the users file {auth.users_path()}")
    if users[user].disabled:
        raise InputError(f"--user {user!r} is disabled in the users file")
    if not 1 <= days <= MAX_DAYS:
        raise InputError(f"--days must be from 1 to {MAX_DAYS}, got {days}")
    token_id = secrets.token_hex(6)
    token = f"rdk_{token_id}_{secrets.token_urlsafe(32)}"
    now = _now()
    record = TokenRecord(id=token_id, user=user, sha256=_digest(token), created_at=now,
                         expires_at=now + dt.timedelta(days=days), created_by=created_by)
    with _editing():
        save([*load(), record])
    return token, record


def revoke(token_id: str | None = None, user: str | None = None) -> list[str]:
    """Revoke one token by id, or every live token of a user; the ids revoked."""
    if bool(token_id) == bool(user):
        raise InputError("give a token id or --user NAME")
    with _editing():
        return _revoke(token_id, user)


def _revoke(token_id: str | None, user: str | None) -> list[str]:
    records, now, done = load(), _now(), []
    for record in records:
        if record.revoked_at is None and (record.id == token_id or record.user == user):
            record.revoked_at = now
            done.append(record.id)
    if token_id and not done:
        known = any(r.id == token_id for r in records)
        raise InputError(f"token {token_id!r} was revoked before" if known
                         else f"no token with id {token_id!r}")
    if done:
        save(records)
    return done


_CACHE: dict[str, tuple[tuple, dict[str, TokenRecord]]] = {}
_CACHE_GUARD = threading.Lock()


def _stamp(path: Path) -> tuple:
    try:
        st = path.stat()
    except FileNotFoundError:
        return ()
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def _by_id() -> dict[str, TokenRecord]:
    """The records by id, re-read only when the file changed."""
    path = tokens_path()
    stamp = _stamp(path)
    with _CACHE_GUARD:
        cached = _CACHE.get(str(path))
        if cached and cached[0] == stamp:
            return cached[1]
    records = {r.id: r for r in load(path)} if stamp else {}
    with _CACHE_GUARD:
        _CACHE[str(path)] = (stamp, records)
    return records


def actor_for(token: str, users: dict[str, auth.User]) -> Actor | None:
    """The actor a bearer token stands for, or None when it is unknown, expired, revoked or orphaned."""
    match = _TOKEN.match(token or "")
    if not match:
        return None
    record = _by_id().get(match.group(1))
    if record is None or not hmac.compare_digest(record.sha256, _digest(token)):
        return None
    if record.revoked_at is not None or record.expires_at <= _now():
        return None
    user = users.get(record.user)
    if user is None or user.disabled:
        return None
    return Actor(user.name, user.role)
