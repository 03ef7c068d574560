"""Stored reward rules: every saved change is a new version (who, when, the diff); rollback.

A rule's current definition is its highest version. Saving a rule identical to its current
version adds nothing. Each function is one store transaction.
"""

from __future__ import annotations

import json
from typing import Any

import duckdb
import pandas as pd

from analytics import sql
from analytics.errors import InputError
from analytics.identity import Actor, require
from analytics.rewards.rules import Rule, parse_rules
from analytics.rewards.settings import FormulaLimits
from analytics.store import Store


def canonical(definition: dict) -> str:
    """A definition as the JSON text versions store and compare."""
    return json.dumps(definition, sort_keys=True, separators=(",", ":"))


def diff(old: dict | None, new: dict) -> dict[str, list]:
    """{"a.b": [old, new]} for every leaf that differs (old None: every leaf of `new`)."""
    flat_old, flat_new = _flatten(old or {}), _flatten(new)
    keys = sorted(set(flat_old) | set(flat_new))
    return {k: [flat_old.get(k), flat_new.get(k)] for k in keys if flat_old.get(k) != flat_new.get(k)}


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out |= _flatten(item, f"{prefix}{key}.")
        return out
    return {prefix.rstrip("."): value}


def _current(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, dict]]:
    rows = con.execute(sql.load("rewards/rule_current").text).fetchall()
    return {r[0]: (int(r[1]), json.loads(r[2])) for r in rows}


def _insert(
    con: duckdb.DuckDBPyConnection,
    rule_id: str,
    version: int,
    definition: dict,
    changes: dict,
    action: str,
    actor: Actor,
) -> None:
    con.execute(
        "INSERT INTO reward_rule_versions VALUES (?, ?, ?, ?, ?, now()::TIMESTAMP, ?)",
        [rule_id, version, canonical(definition), json.dumps(changes), action, actor.name],
    )


def save_rules(store: Store, rules: list[Rule], actor: Actor) -> list[dict]:
    """Store each rule as a new version when it differs from its current one."""
    require(actor, "rules.edit")
    out = []
    with store.connect() as con:
        current = _current(con)
        for rule in rules:
            version, old = current.get(rule.rule_id, (0, None))
            changes = diff(old, rule.definition)
            if old is not None and not changes:
                out.append({"rule_id": rule.rule_id, "version": version, "action": "unchanged", "diff": {}})
                continue
            action = "created" if old is None else _change_name(old, rule.definition)
            _insert(con, rule.rule_id, version + 1, rule.definition, changes, action, actor)
            out.append({"rule_id": rule.rule_id, "version": version + 1, "action": action, "diff": changes})
    return out


def _change_name(old: dict, new: dict) -> str:
    if old.get("is_active") != new.get("is_active") and diff(old, new).keys() == {"is_active"}:
        return "activated" if new.get("is_active") else "deactivated"
    return "updated"


def current_table(store: Store) -> pd.DataFrame:
    """Current version of every stored rule (rule_id, version, definition, action, changed_at/by)."""
    return sql.DuckDBRunner(store).run("rewards/rule_current")


def current_rules(store: Store, limits: FormulaLimits) -> tuple[list[Rule], dict[str, int]]:
    """The stored rules (active or not) and their current versions."""
    table = current_table(store)
    if table.empty:
        return [], {}
    definitions = [json.loads(d) for d in table["definition"]]
    rules = parse_rules(definitions, limits, "stored rules")
    return rules, dict(zip(table["rule_id"], table["version"].astype(int), strict=True))


def history(store: Store, rule_id: str) -> pd.DataFrame:
    """Every version of one rule, newest first."""
    return sql.DuckDBRunner(store).run("rewards/rule_history", {"rule_id": rule_id})


def rollback(store: Store, rule_id: str, version: int, actor: Actor, limits: FormulaLimits) -> dict:
    """Make an earlier version current again, as a new version recording the rollback."""
    require(actor, "rules.edit")
    with store.connect() as con:
        row = con.execute(
            "SELECT definition FROM reward_rule_versions WHERE rule_id = ? AND version = ?",
            [rule_id, version],
        ).fetchone()
        if row is None:
            raise InputError(f"rule {rule_id} has no version {version}")
        target = parse_rules(json.loads(row[0]), limits, f"rule {rule_id} v{version}")[0].definition
        current_version, current = _current(con)[rule_id]
        changes = diff(current, target)
        if not changes:
            return {"rule_id": rule_id, "version": current_version, "action": "unchanged", "diff": {}}
        action = f"rolled back to v{version}"
        _insert(con, rule_id, current_version + 1, target, changes, action, actor)
    return {"rule_id": rule_id, "version": current_version + 1, "action": action, "diff": changes}


def set_active(store: Store, rule_id: str, active: bool, actor: Actor) -> dict:
    """Switch a rule on or off (a new version); unknown rules are an InputError."""
    require(actor, "rules.edit")
    with store.connect() as con:
        current = _current(con)
        if rule_id not in current:
            raise InputError(f"no stored rule {rule_id!r}")
        version, definition = current[rule_id]
        if definition.get("is_active") == active:
            return {"rule_id": rule_id, "version": version, "action": "unchanged", "diff": {}}
        new = {**definition, "is_active": active}
        changes = diff(definition, new)
        action = "activated" if active else "deactivated"
        _insert(con, rule_id, version + 1, new, changes, action, actor)
    return {"rule_id": rule_id, "version": version + 1, "action": action, "diff": changes}


def matching_versions(store: Store, rules: list[Rule]) -> dict[str, int]:
    """The stored version of each rule whose definition equals its current stored version."""
    table = current_table(store)
    stored = {
        r: (int(v), d)
        for r, v, d in zip(table["rule_id"], table["version"], table["definition"], strict=True)
    }
    return {
        r.rule_id: stored[r.rule_id][0]
        for r in rules
        if r.rule_id in stored and stored[r.rule_id][1] == canonical(r.definition)
    }


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """The current rules as people scan them: id, version, on/off, priority, type, formula, cap, who."""
    rows = []
    for rule_id, version, definition, changed_at, changed_by in zip(
        table["rule_id"],
        table["version"],
        table["definition"],
        table["changed_at"],
        table["changed_by"],
        strict=True,
    ):
        d = json.loads(definition)
        config = d["reward_config"]
        rows.append(
            {
                "rule_id": rule_id,
                "version": int(version),
                "active": d["is_active"],
                "priority": d["priority"],
                "type": config["type"],
                "formula": config["formula"],
                "max_amount": config["max_amount"],
                "changed_at": changed_at,
                "changed_by": changed_by,
            }
        )
    columns = [
        "rule_id",
        "version",
        "active",
        "priority",
        "type",
        "formula",
        "max_amount",
        "changed_at",
        "changed_by",
    ]
    return pd.DataFrame(rows, columns=columns).sort_values(["priority", "rule_id"], ignore_index=True)
