"""Reward rules from JSON (a list or one object), validated when loaded.

Every problem names the rule (its rule_id, or its position when it has none) and the bad key,
value or part of the formula. A valid rule becomes a `Rule`: its conditions as SQL with bound
parameters, its formula as a checked tree, and its canonical JSON definition (what versions
store and compare).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analytics.errors import InputError
from analytics.loaders import quote_ident
from analytics.rewards import formula
from analytics.rewards.settings import SEGMENTS, FormulaLimits

REWARD_TYPES = ("LOYALTY_POINTS", "REWARD_POINTS", "BONUS_BALANCE", "TICKETS", "CASHBACK")
# Names a formula or a numeric condition may use: the export's numeric columns and the derived state.
NUMERIC_FIELDS = (
    "total_deposited",
    "total_wagered",
    "total_won",
    "sessions",
    "playtime_hours",
    "total_withdrawn",
    "bonus_received",
    "net_pnl",
    "net_loss",
    "avg_wager_per_session",
    "win_loss_ratio",
)
NULLABLE_FIELDS = ("total_withdrawn", "bonus_received", "win_loss_ratio")
TEXT_FIELDS = ("player_id", "tier", "segment")
TIME_FIELDS = ("registered_at", "last_active_at")
ALIASES = {"session_count": "sessions"}
FORMULA_NAMES = (*NUMERIC_FIELDS, *ALIASES)
RULE_KEYS = {"rule_id", "name", "priority", "is_active", "conditions", "reward_config", "description"}
CONFIG_KEYS = {"type", "formula", "max_amount", "wagering_requirement", "expiry_hours", "eligible_games"}
BONUS_ONLY_KEYS = ("wagering_requirement", "expiry_hours")
_RULE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,79}$")


@dataclass(frozen=True)
class Condition:
    """One condition: field >= (min), <= (max), = (eq) or in (in) a value."""

    key: str
    field: str
    op: str
    value: Any
    written: Any = None  # the value as the rule's JSON holds it (canonical definition)

    def sql(self, param: str) -> str:
        """The condition as SQL, its value bound as `$param`."""
        col = quote_ident(self.field)
        if self.op == "min":
            return f"{col} >= ${param}"
        if self.op == "max":
            return f"{col} <= ${param}"
        if self.op == "in":
            return f"list_contains(${param}, {col})"
        return f"{col} = ${param}"


@dataclass(frozen=True)
class Rule:
    """A validated rule."""

    rule_id: str
    name: str
    priority: int
    is_active: bool
    conditions: tuple[Condition, ...]
    reward_type: str
    formula_text: str
    tree: formula.Node
    max_amount: float
    wagering_requirement: float | None
    expiry_hours: float | None
    eligible_games: tuple[str, ...] | None
    definition: dict

    def formula_sql(self) -> str:
        """The formula as a DuckDB expression."""
        return formula.to_sql(self.tree)

    def undefined_sql(self) -> str:
        """SQL naming why the formula is undefined for a player (NULL when defined)."""
        return formula.undefined_sql(self.tree, NULLABLE_FIELDS)


class _Problems:
    """Problems found in one rule, each prefixed with the rule's name."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.items: list[str] = []

    def add(self, text: str) -> None:
        self.items.append(f"rule {self.label}: {text}")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _label(raw: Any, index: int) -> str:
    if isinstance(raw, dict) and isinstance(raw.get("rule_id"), str) and raw["rule_id"].strip():
        return raw["rule_id"].strip()
    return f"#{index + 1} (no rule_id)"


def _timestamp(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        stamp = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(dt.UTC).replace(tzinfo=None)
    return stamp


def _condition(key: Any, value: Any, out: _Problems) -> Condition | None:
    """One condition checked: known field, a value of the field's type."""
    if not isinstance(key, str):
        out.add(f"condition key {key!r} is not text")
        return None
    base, op = key, "eq"
    match = re.fullmatch(r"(.+)_(min|max)", key)
    if match:
        base, op = match.group(1), match.group(2)
    field = ALIASES.get(base, base)
    known = NUMERIC_FIELDS + TEXT_FIELDS + TIME_FIELDS
    if field not in known:
        out.add(f"condition {key!r}: unknown field {base!r}")
        return None
    if op in ("min", "max"):
        if field in TEXT_FIELDS:
            out.add(f"condition {key!r}: {base} is text; use {base!r} with a value or a list")
            return None
        if field in TIME_FIELDS:
            stamp = _timestamp(value)
            if stamp is None:
                out.add(f"condition {key!r}: {value!r} is not an ISO 8601 timestamp")
                return None
            return Condition(key, field, op, stamp, value.strip())
        if not _is_number(value):
            out.add(f"condition {key!r}: {value!r} is not a number")
            return None
        return Condition(key, field, op, float(value), value)
    if field in TIME_FIELDS:
        out.add(f"condition {key!r}: a time can only be compared with {key}_min / {key}_max")
        return None
    values = value if isinstance(value, list) else [value]
    if not values:
        out.add(f"condition {key!r}: the list is empty")
        return None
    if field in NUMERIC_FIELDS:
        if not all(_is_number(v) for v in values):
            out.add(f"condition {key!r}: {value!r} is not a number or a list of numbers")
            return None
        values = [float(v) for v in values]
    else:
        if not all(isinstance(v, str) and v.strip() for v in values):
            out.add(f"condition {key!r}: {value!r} is not text or a list of text")
            return None
        values = [v.strip() for v in values]
        if field == "segment":
            values = [v.upper() for v in values]
            bad = [v for v in values if v not in SEGMENTS]
            if bad:
                out.add(
                    f"condition {key!r}: unknown segment {', '.join(bad)} (segments: {', '.join(SEGMENTS)})"
                )
                return None
    written = value if field in NUMERIC_FIELDS else (values if isinstance(value, list) else values[0])
    if isinstance(value, list):
        return Condition(key, field, "in", values, written)
    return Condition(key, field, "eq", values[0], written)


def _config(raw: Any, out: _Problems, limits: FormulaLimits) -> dict | None:
    """The checked reward_config (canonical form), or None after noting its problems."""
    if not isinstance(raw, dict):
        out.add("reward_config must be an object")
        return None
    for key in sorted(set(raw) - CONFIG_KEYS):
        out.add(f"reward_config: unknown key {key!r} (allowed: {', '.join(sorted(CONFIG_KEYS))})")
    kind = raw.get("type")
    if kind not in REWARD_TYPES:
        out.add(f"reward_config.type {kind!r} is not one of {', '.join(REWARD_TYPES)}")
    text = raw.get("formula")
    tree = None
    if not isinstance(text, str):
        out.add("reward_config.formula is missing (text)")
    else:
        try:
            tree = formula.parse(text, FORMULA_NAMES, limits)
        except formula.FormulaError as exc:
            out.add(f"formula {text.strip()[:80]!r}: {exc}")
    max_amount = raw.get("max_amount")
    if not _is_number(max_amount) or max_amount <= 0:
        out.add(f"reward_config.max_amount {max_amount!r} must be a number > 0")
    clean: dict = {
        "type": kind,
        "formula": text.strip() if isinstance(text, str) else text,
        "max_amount": max_amount,
    }
    if kind == "BONUS_BALANCE":
        wagering, expiry = raw.get("wagering_requirement"), raw.get("expiry_hours")
        if not _is_number(wagering) or wagering < 0:
            out.add(
                f"reward_config.wagering_requirement {wagering!r} must be a number >= 0 for BONUS_BALANCE"
            )
        if not _is_number(expiry) or expiry <= 0:
            out.add(f"reward_config.expiry_hours {expiry!r} must be a number > 0 for BONUS_BALANCE")
        clean.update(wagering_requirement=wagering, expiry_hours=expiry)
    else:
        for key in BONUS_ONLY_KEYS:
            if key in raw:
                out.add(f"reward_config.{key} applies to BONUS_BALANCE only, not {kind}")
    games = raw.get("eligible_games")
    if games is not None:
        if (
            not isinstance(games, list)
            or not games
            or not all(isinstance(g, str) and g.strip() for g in games)
        ):
            out.add("reward_config.eligible_games must be a non-empty list of game names")
        else:
            clean["eligible_games"] = sorted({g.strip().lower() for g in games})
    clean["_tree"] = tree
    return clean


def _rule(raw: Any, index: int, limits: FormulaLimits, problems: list[str]) -> Rule | None:
    """One rule checked; its problems appended to `problems`."""
    out = _Problems(_label(raw, index))
    if not isinstance(raw, dict):
        out.add("must be a JSON object")
        problems += out.items
        return None
    for key in sorted(set(raw) - RULE_KEYS):
        out.add(f"unknown key {key!r} (allowed: {', '.join(sorted(RULE_KEYS))})")
    rule_id = raw.get("rule_id")
    if not isinstance(rule_id, str) or not _RULE_ID.match(rule_id.strip()):
        out.add(
            f"rule_id {rule_id!r} must be 1-80 letters, digits or _ . : - (starting with a letter or digit)"
        )
    name = raw.get("name", rule_id)
    if not isinstance(name, str) or not name.strip():
        out.add("name must be non-empty text")
    priority = raw.get("priority")
    if isinstance(priority, bool) or not isinstance(priority, int):
        out.add(f"priority {priority!r} must be a whole number (1 is applied before 10)")
    active = raw.get("is_active", True)
    if not isinstance(active, bool):
        out.add(f"is_active {active!r} must be true or false")
    conds_raw = raw.get("conditions", {})
    conditions: list[Condition] = []
    if not isinstance(conds_raw, dict):
        out.add("conditions must be an object")
        conds_raw = {}
    for key, value in conds_raw.items():
        cond = _condition(key, value, out)
        if cond is not None:
            conditions.append(cond)
    config = _config(raw.get("reward_config"), out, limits)
    if out.items or config is None:
        problems += out.items
        return None
    tree = config.pop("_tree")
    definition = {
        "rule_id": rule_id.strip(),
        "name": name.strip(),
        "priority": priority,
        "is_active": active,
        "conditions": {c.key: c.written for c in conditions},
        "reward_config": config,
    }
    if isinstance(raw.get("description"), str):
        definition["description"] = raw["description"]
    return Rule(
        rule_id=rule_id.strip(),
        name=name.strip(),
        priority=priority,
        is_active=active,
        conditions=tuple(conditions),
        reward_type=config["type"],
        formula_text=config["formula"],
        tree=tree,
        max_amount=float(config["max_amount"]),
        wagering_requirement=_opt_float(config.get("wagering_requirement")),
        expiry_hours=_opt_float(config.get("expiry_hours")),
        eligible_games=tuple(config["eligible_games"]) if "eligible_games" in config else None,
        definition=definition,
    )


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)


def parse_rules(data: Any, limits: FormulaLimits, source: str = "rules") -> list[Rule]:
    """Rules from parsed JSON (a list or one object); InputError listing every problem."""
    items = data if isinstance(data, list) else [data]
    if not items:
        raise InputError(f"{source}: no rules (an empty list)")
    problems: list[str] = []
    rules = [_rule(raw, i, limits, problems) for i, raw in enumerate(items)]
    seen: dict[str, int] = {}
    for rule in rules:
        if rule is not None:
            seen[rule.rule_id] = seen.get(rule.rule_id, 0) + 1
    problems += [f"rule {rid}: rule_id appears {n} times" for rid, n in seen.items() if n > 1]
    if problems:
        raise InputError(f"{source}: " + "; ".join(problems))
    return [r for r in rules if r is not None]


def parse_rules_text(text: str, limits: FormulaLimits, source: str = "rules") -> list[Rule]:
    """Rules from JSON text; a JSON syntax error names its line and column."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{source}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    return parse_rules(data, limits, source)


def load_rules_file(path: Path, limits: FormulaLimits) -> list[Rule]:
    """Rules from a JSON file."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such rules file") from None
    except (UnicodeDecodeError, IsADirectoryError) as exc:
        raise InputError(f"{Path(path).name}: cannot be read as JSON text ({type(exc).__name__})") from None
    return parse_rules_text(text, limits, Path(path).name)


def ordered(rules: list[Rule], active_only: bool = True) -> list[Rule]:
    """Rules in the order they apply: ascending priority, ties by rule_id."""
    chosen = [r for r in rules if r.is_active or not active_only]
    return sorted(chosen, key=lambda r: (r.priority, r.rule_id))


def dumps_definitions(rules: list[Rule]) -> str:
    """The rules' canonical JSON definitions as indented text (what the editor shows)."""
    return json.dumps([r.definition for r in rules] if len(rules) != 1 else rules[0].definition, indent=2)
