"""Small hand-made cashout exports for the tests."""

from __future__ import annotations

from pathlib import Path

from analytics.cashout import runs
from analytics.identity import Actor
from analytics.store import Store
from tests.conftest import write

HEADER = "event_time,user_id,username,event_type,amount,won,counterparty_id,device_id,cashout_id\n"
RAW_HEADER = ("time,userid,username,deviceid,type,balancechange,escrowchange,prevbalance,reason,result,"
              "opponentusername,istransaction,awardedprizetype,usedpowerup,inviterusername,iserror,count\n")


def at(day: int, hour: int = 12, minute: int = 0) -> str:
    """A UTC time in September 2023."""
    return f"2023-09-{day:02d}T{hour:02d}:{minute:02d}:00Z"


def ev(when: str, kind: str, amount: float | str = 0, won: str = "", cp: str = "", device: str | None = None,
       cashout_id: str = "", user: str = "u1", name: str | None = None) -> str:
    """One row of a liveops export (device: the player's own, d-<user>, unless given)."""
    device = f"d-{user}" if device is None else device
    return f"{when},{user},{name or 'name_' + user},{kind},{amount},{won},{cp},{device},{cashout_id}\n"


def games(day: int, n: int, amount: float = 0.5, won: str = "true", user: str = "u1", kind: str = "game_end",
          cp: str = "", device: str | None = None) -> list[str]:
    """`n` games of one player on one day, a minute apart."""
    return [ev(at(day, 10, i), kind, amount, won, cp, device, user=user) for i in range(n)]


def export(folder: Path, name: str, rows: list[str]) -> Path:
    """Write an export with the contract header."""
    return write(folder / name, HEADER + "".join(rows))


def audit_files(store: Store, *paths: Path, actor: Actor | None = None, thresholds=None) -> runs.AuditRun:
    """Audit files through the same entry point as the CLI and the page."""
    return runs.audit_files(store, [(p, p.name) for p in paths], actor or Actor("tester", "admin"),
                            thresholds)


def by_id(run: runs.AuditRun) -> dict[str, dict]:
    """The run's audits by cashout id."""
    return {a["cashout_id"]: a for a in run.audits}
