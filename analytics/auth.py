"""Sign-in: who may use Riskdesk and with which role.

With no users file the product runs open on localhost (the embedded default). A users file
(`config/users.yaml`, or RISKDESK_USERS_FILE) turns sign-in on: local users sign in with a
password kept only as a salted scrypt hash; company single sign-on users (Streamlit's OpenID
Connect, `st.login`) are matched by e-mail and get the role the file gives them. Anyone the
file does not name is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import threading
import time
from pathlib import Path

import yaml
from pydantic import BaseModel, Field

from analytics import settings
from analytics.config import validate
from analytics.errors import ConfigError, InputError
from analytics.fileio import atomic_write
from analytics.identity import ROLES, Actor

# scrypt cost: 2**15 x 8 x 1 takes ~0.1 s and 32 MiB here, slow enough against guessing.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
MAX_FAILURES, LOCKOUT_SECONDS = 5, 60
_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


class User(BaseModel):
    """One person: a local password hash, an SSO e-mail, or both."""

    name: str
    role: str = Field(pattern="^(viewer|auditor|admin)$")
    password_hash: str | None = None
    email: str | None = None
    disabled: bool = False


class UsersFile(BaseModel):
    """The users file."""

    users: list[User] = Field(default_factory=list)


def users_path() -> Path:
    """RISKDESK_USERS_FILE, else config/users.yaml."""
    return Path(os.environ.get("RISKDESK_USERS_FILE") or settings.config_dir() / "users.yaml")


def load_users(path: Path | None = None) -> dict[str, User] | None:
    """The configured users by name, or None when no users file exists (open mode)."""
    path = path or users_path()
    if not path.exists():
        return None
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected 'users:' with a list of users")
    parsed = validate(UsersFile, data, str(path))
    return {u.name: u for u in parsed.users}


def sign_in_required() -> bool:
    """True once a users file exists."""
    return users_path().exists()


# -- passwords -----------------------------------------------------------------------------
def hash_password(password: str) -> str:
    """A salted scrypt hash: scrypt$N$r$p$salt$hash (base64)."""
    if len(password) < 10:
        raise InputError("a password needs at least 10 characters")
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P,
                            maxmem=64 * 1024 * 1024, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """True when `password` matches the stored hash (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r),
                             p=int(p), maxmem=64 * 1024 * 1024, dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


_DUMMY_HASH: str | None = None
_FAILURES: dict[str, list[float]] = {}
_FAILURES_GUARD = threading.Lock()


def _locked_out(name: str) -> bool:
    now = time.monotonic()
    with _FAILURES_GUARD:
        recent = [t for t in _FAILURES.get(name, []) if now - t < LOCKOUT_SECONDS]
        _FAILURES[name] = recent
        return len(recent) >= MAX_FAILURES


def _record_failure(name: str) -> None:
    with _FAILURES_GUARD:
        _FAILURES.setdefault(name, []).append(time.monotonic())


def authenticate(name: str, password: str, users: dict[str, User] | None = None) -> Actor:
    """The actor for a correct local sign-in; InputError (one message for every failure) else."""
    global _DUMMY_HASH
    users = users if users is not None else (load_users() or {})
    if _locked_out(name):
        raise InputError(f"too many failed sign-ins for {name!r}; wait {LOCKOUT_SECONDS} s")
    user = users.get(name)
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password("not-a-real-password")
    stored = user.password_hash if user and user.password_hash else _DUMMY_HASH
    ok = verify_password(password, stored)  # same work whether or not the user exists
    if not (ok and user and user.password_hash and not user.disabled):
        _record_failure(name)
        raise InputError("wrong user name or password")
    return Actor(user.name, user.role)


def actor_for_email(email: str | None, users: dict[str, User] | None = None) -> Actor | None:
    """The actor an SSO e-mail maps to, or None when the users file does not name it."""
    if not email:
        return None
    users = users if users is not None else (load_users() or {})
    for user in users.values():
        if user.email and user.email.lower() == email.lower() and not user.disabled:
            return Actor(user.name, user.role)
    return None


# -- editing the users file ----------------------------------------------------------------
def save_users(users: dict[str, User], path: Path | None = None) -> Path:
    """Write the users file atomically, readable by its owner only."""
    text = yaml.safe_dump(
        {"users": [u.model_dump(exclude_none=True) for u in users.values()]}, sort_keys=False
    )
    return atomic_write(path or users_path(), text, perms=0o600)


def set_user(name: str, role: str, password: str | None = None, email: str | None = None) -> User:
    """Add a user or change one's role, password or e-mail."""
    if not _NAME.match(name):
        raise InputError(f"user name {name!r}: use 1-64 letters, digits, '_', '.', '@' or '-'")
    if role not in ROLES:
        raise InputError(f"role {role!r}: one of {', '.join(ROLES)}")
    users = load_users() or {}
    current = users.get(name)
    user = User(
        name=name, role=role,
        password_hash=hash_password(password) if password else (current.password_hash if current else None),
        email=email if email is not None else (current.email if current else None),
    )
    if not user.password_hash and not user.email:
        raise InputError(f"user {name}: give a password (local sign-in) or an e-mail (single sign-on)")
    users[name] = user
    save_users(users)
    return user


def remove_user(name: str) -> None:
    """Delete a user; InputError when there is no such user."""
    users = load_users() or {}
    if name not in users:
        raise InputError(f"no user named {name!r}")
    del users[name]
    save_users(users)
