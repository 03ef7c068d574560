"""Who is acting and what their role allows; checked in the code that acts, not only in the UI."""

from __future__ import annotations

import getpass
import hashlib
import os
from dataclasses import dataclass

import pandas as pd

from analytics.errors import PermissionDenied

ROLES = ("viewer", "auditor", "admin")

# The least role each action needs (roles are ordered: viewer < auditor < admin).
PERMISSIONS = {
    "view": "viewer",
    "data.upload": "auditor",
    "audit.run": "auditor",
    "audit.decide": "auditor",
    "audit.batch": "auditor",
    "logs.import": "auditor",
    "rules.edit": "admin",
    "rewards.issue": "admin",
    "wallet.credit": "admin",
    "fraud.run": "admin",
    "fraud.thresholds": "admin",
    "cohort.send": "admin",
    "drops.simulate": "admin",
    "sql": "admin",
    "users.manage": "admin",
}


@dataclass(frozen=True)
class Actor:
    """A signed-in identity (or the OS user on the command line) and its role."""

    name: str
    role: str = "admin"

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}; roles are {', '.join(ROLES)}")
        if not self.name or not self.name.strip():
            raise ValueError("an actor needs a name")

    def can(self, action: str) -> bool:
        """True when this actor's role allows `action`."""
        needed = PERMISSIONS[action]
        return ROLES.index(self.role) >= ROLES.index(needed)

    @property
    def masks_players(self) -> bool:
        """Viewers see player identifiers masked."""
        return self.role == "viewer"


def mask(value: object) -> str | None:
    """A player identifier as viewers see it: a stable pseudonym that does not reveal it."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value)
    digest = hashlib.sha256(f"riskdesk:{text}".encode()).hexdigest()[:8]
    return f"{text[:1]}•••{digest}"


def mask_columns(frame: pd.DataFrame, columns: list[str], actor: Actor) -> pd.DataFrame:
    """A copy of `frame` with the named identifier columns masked when the actor is a viewer."""
    if not actor.masks_players:
        return frame
    out = frame.copy()
    for col in columns:
        if col in out.columns:
            out[col] = out[col].map(mask)
    return out


def require(actor: Actor, action: str) -> None:
    """Raise PermissionDenied unless `actor` may perform `action`."""
    if not actor.can(action):
        raise PermissionDenied(
            f"{actor.name} ({actor.role}) may not {action}; it needs the "
            f"{PERMISSIONS[action]} role"
        )


def os_user() -> str:
    """The operating-system user running this process."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER") or f"uid-{os.getuid()}"


def cli_actor() -> Actor:
    """The command line acts as the OS user, with full rights (it already owns the files)."""
    return Actor(os_user(), "admin")
