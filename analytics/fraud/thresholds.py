"""Versioned thresholds: every saved change to the patterns and rules is a numbered version.

config/fraud.yaml holds the live thresholds; `fraud_threshold_versions` keeps every version with
who saved it, when, and what changed. A hand edit of the file becomes a new version (source
`file`) the next time the thresholds are read by a run. Rolling back saves an old version again.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from analytics import config
from analytics.errors import InputError
from analytics.fraud import settings
from analytics.fraud.settings import FraudSettings
from analytics.identity import Actor, require
from analytics.store import Store


def canonical(thresholds: dict[str, Any]) -> str:
    """One JSON text per set of thresholds (sorted keys), to compare and store."""
    return json.dumps(thresholds, sort_keys=True, default=str)


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, inner in value.items():
            out.update(_flatten(inner, f"{prefix}.{key}" if prefix else key))
        return out
    return {prefix: value}


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """[{key, old, new}] for every setting that differs (keys dotted: patterns.large_jump.credits_rise)."""
    a, b = _flatten(old), _flatten(new)
    return [
        {"key": k, "old": a.get(k), "new": b.get(k)} for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)
    ]


def _latest(con) -> tuple[int, str] | None:
    return con.execute(
        "SELECT version, thresholds FROM fraud_threshold_versions ORDER BY version DESC LIMIT 1"
    ).fetchone()


def _insert(con, thresholds: dict, changes: list, source: str, note: str | None, who: str) -> int:
    row = con.execute("SELECT coalesce(max(version), 0) + 1 FROM fraud_threshold_versions").fetchone()
    version = int(row[0])
    con.execute(
        "INSERT INTO fraud_threshold_versions VALUES (?, ?, ?, ?, ?, ?, now()::TIMESTAMP)",
        [version, canonical(thresholds), json.dumps(changes, default=str), source, note, who],
    )
    return version


def current(store: Store, actor: Actor) -> tuple[FraudSettings, int]:
    """The live settings and their version number (recording the file's content as a version if new)."""
    cfg = settings.check(settings.load())
    live = cfg.thresholds()
    with store.connect() as con:
        latest = _latest(con)
        if latest is None:
            return cfg, _insert(con, live, [], "default", "first thresholds seen", actor.name)
        if latest[1] == canonical(live):
            return cfg, int(latest[0])
        changes = diff(json.loads(latest[1]), live)
        note = f"{config.config_path(settings.NAME).name} changed outside Riskdesk (noticed by {actor.name})"
        return cfg, _insert(con, live, changes, "file", note, actor.name)


def candidate(base: FraudSettings, thresholds: dict[str, Any]) -> FraudSettings:
    """`base` with other thresholds, validated (ConfigError naming the key)."""
    return settings.check(base.with_thresholds(thresholds))


def save(
    store: Store, thresholds: dict[str, Any], actor: Actor, note: str | None = None, source: str = "page"
) -> int:
    """Make `thresholds` live: a new version recorded with who and what changed; the file rewritten."""
    require(actor, "fraud.thresholds")
    cfg, _version = current(store, actor)
    new_cfg = candidate(cfg, thresholds)
    changes = diff(cfg.thresholds(), new_cfg.thresholds())
    if not changes:
        raise InputError("the thresholds are unchanged: nothing to save")
    with store.connect() as con:  # the version row commits only if the file was written
        version = _insert(con, new_cfg.thresholds(), changes, source, note, actor.name)
        settings.save(new_cfg)
    return version


def rollback(store: Store, version: int, actor: Actor) -> int:
    """Save version `version`'s thresholds again as a new version; return its number."""
    require(actor, "fraud.thresholds")
    return save(store, thresholds_of(store, version), actor, f"rollback to version {version}", "rollback")


def history(store: Store) -> pd.DataFrame:
    """Every version, newest first: version, changed_at, changed_by, source, note, changes (text)."""
    with store.connect() as con:
        frame = con.execute(
            "SELECT version, changed_at, changed_by, source, note, changes "
            "FROM fraud_threshold_versions ORDER BY version DESC"
        ).df()
    frame["changes"] = [
        "; ".join(f"{c['key']}: {c['old']} → {c['new']}" for c in json.loads(text))
        for text in frame["changes"]
    ]
    return frame


def thresholds_of(store: Store, version: int) -> dict[str, Any]:
    """The thresholds saved as `version`."""
    with store.connect() as con:
        row = con.execute(
            "SELECT thresholds FROM fraud_threshold_versions WHERE version = ?", [version]
        ).fetchone()
    if row is None:
        raise InputError(f"no threshold version {version}")
    return json.loads(row[0])
