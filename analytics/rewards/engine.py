"""The rules engine: every player's segment, first matching rule, capped amount, EV, ROI and
decision, computed for all players at once in a scratch in-memory DuckDB (no store lock held).

Inputs are data, not the store: the players (a DataFrame or Arrow table with the contract's
columns), the rules, and optionally the ledger's abuse signals and each player's rewards already
issued today and this week. The result has one row per player (see queries/rewards/decide.sql).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analytics import sql
from analytics.contracts import PLAYERS, SQL_TYPES
from analytics.errors import InputError
from analytics.loaders import quote_ident
from analytics.rewards import formula
from analytics.rewards.rules import Condition, Rule, ordered
from analytics.rewards.settings import ACTIONS, SEGMENTS, RewardsConfig

SIGNAL_COLUMNS = {
    "player_id": "VARCHAR",
    "has_ledger": "BOOLEAN",
    "bonus_only": "BOOLEAN",
    "fast_withdrawal": "BOOLEAN",
    "bet_jump": "BOOLEAN",
    "multi_accounting": "BOOLEAN",
}
ISSUED_COLUMNS = {"player_id": "VARCHAR", "issued_day": "DOUBLE", "issued_week": "DOUBLE"}
KEY_COLUMNS = {
    "player_id": "VARCHAR",
    "rule_no": "INTEGER",
    "source_file": "VARCHAR",
    "day_amount": "DOUBLE",
    "week_amount": "DOUBLE",
}
RULE_COLUMNS = {
    "rule_no": "INTEGER",
    "rule_id": "VARCHAR",
    "rule_version": "INTEGER",
    "priority": "INTEGER",
    "reward_type": "VARCHAR",
    "max_amount": "DOUBLE",
    "wagering_requirement": "DOUBLE",
    "expiry_hours": "DOUBLE",
    "eligible_games": "VARCHAR[]",
}


def _dec(value: float) -> Decimal:
    """A setting as an exact decimal (0.05 stays 0.05 when compared with the store's decimals)."""
    return Decimal(repr(float(value)))


def state_params(cfg: RewardsConfig) -> dict[str, Any]:
    """Parameters of queries/rewards/player_state.sql."""
    seg = cfg.segments
    return {
        "new_wagered_below": _dec(seg.new_wagered_below),
        "vip_wagered_min": _dec(seg.vip_wagered_min),
        "vip_sessions_min": seg.vip_sessions_min,
        "winning_share": _dec(seg.winning_share),
        "losing_share": _dec(seg.losing_share),
    }


def decide_params(cfg: RewardsConfig) -> dict[str, Any]:
    """Parameters of queries/rewards/decide.sql."""
    abuse, mult = cfg.abuse, cfg.profit.retention_multipliers
    params: dict[str, Any] = {f"points_{k}": v for k, v in abuse.points.items()}
    params |= {f"multiplier_{k.lower()}": float(v) for k, v in mult.items()}
    params |= {
        "abnormal_win_rate": float(abuse.abnormal_win_rate),
        "no_action_max": abuse.bands.no_action_max,
        "reduced_rewards_max": abuse.bands.reduced_rewards_max,
        "increased_wagering_max": abuse.bands.increased_wagering_max,
        "reduced_rewards_factor": float(abuse.reduced_rewards_factor),
        "house_edge": float(cfg.profit.house_edge),
        "min_roi_percent": float(cfg.profit.min_roi_percent),
        "daily_cap": float(cfg.caps.daily),
        "weekly_cap": float(cfg.caps.weekly),
        "round_nudge": formula.ROUND_NUDGE,
    }
    return params


def pick_query(rules: Sequence[Rule]) -> tuple[str, dict[str, Any]]:
    """SQL adding rule_no (the first matching rule), formula_value, undefined_reason and max_amount
    to player_state, with the conditions' values as bound parameters (numbers of the rules'
    formulas and caps are literals, as checked when the rules were loaded)."""
    params: dict[str, Any] = {}
    whens, values, undefined, caps = [], [], [], []
    for no, rule in enumerate(rules, start=1):
        conds = []
        for i, cond in enumerate(rule.conditions):
            name = f"r{no}_c{i}"
            coded = _segment_coded(cond)
            conds.append(coded.sql(name))
            params[name] = coded.value
        whens.append(f"WHEN {' AND '.join(conds) or 'TRUE'} THEN {no}")
        values.append(f"WHEN {no} THEN {rule.formula_sql()}")
        undefined.append(f"WHEN {no} THEN {rule.undefined_sql()}")
        caps.append(f"WHEN {no} THEN CAST({float(rule.max_amount)!r} AS DOUBLE)")
    if not rules:
        return (
            "SELECT *, CAST(NULL AS INTEGER) AS rule_no, CAST(NULL AS DOUBLE) AS formula_value, "
            "CAST(NULL AS VARCHAR) AS undefined_reason, CAST(NULL AS DOUBLE) AS max_amount FROM player_state"
        ), params
    inner = f"SELECT *, CASE {' '.join(whens)} END AS rule_no FROM player_state"
    text = (
        f"SELECT s.*, CASE s.rule_no {' '.join(values)} END AS formula_value, "
        f"CASE s.rule_no {' '.join(undefined)} END AS undefined_reason, "
        f"CASE s.rule_no {' '.join(caps)} END AS max_amount FROM ({inner}) AS s"
    )
    return text, params


def _segment_coded(cond: Condition) -> Condition:
    """A segment condition compares segment_code (the segment's position in SEGMENTS)."""
    if cond.field != "segment":
        return cond
    codes = [SEGMENTS.index(v) for v in cond.value] if cond.op == "in" else SEGMENTS.index(cond.value)
    return replace(cond, field="segment_code", value=codes)


def _input_view(con: duckdb.DuckDBPyConnection, players: Any) -> None:
    """View input_players: the contract's columns of `players` (missing optional ones as NULL)."""
    con.register("input_raw", players)
    present = {r[0] for r in con.execute("DESCRIBE input_raw").fetchall()}
    for col in PLAYERS.required:
        if col not in present:
            raise InputError(f"players: missing required column {col}")
    cols = []
    for col in PLAYERS.columns:
        name = quote_ident(col.name)
        cols.append(name if col.name in present else f"CAST(NULL AS {SQL_TYPES[col.type]}) AS {name}")
    cols.append("source_file" if "source_file" in present else "CAST(NULL AS VARCHAR) AS source_file")
    cols.append(
        "coalesce(player_active, TRUE) AS player_active"
        if "player_active" in present
        else "TRUE AS player_active"
    )
    con.execute(f"CREATE TEMP VIEW input_players AS SELECT {', '.join(cols)} FROM input_raw")


def _table(con: duckdb.DuckDBPyConnection, name: str, columns: dict[str, str], frame: Any) -> None:
    """Create table `name` with `columns` and fill it from `frame` (None or empty: no rows)."""
    con.execute(f"CREATE TEMP TABLE {name} ({', '.join(f'{c} {t}' for c, t in columns.items())})")
    if frame is not None and len(frame):
        con.register(f"{name}_src", frame)
        cols = ", ".join(columns)
        con.execute(f"INSERT INTO {name} SELECT {cols} FROM {name}_src")
        con.unregister(f"{name}_src")


def rule_frame(rules: Sequence[Rule], versions: dict[str, int] | None = None) -> pd.DataFrame:
    """One row per rule in application order, numbered as pick_query numbers them."""
    versions = versions or {}
    return pd.DataFrame(
        [
            {
                "rule_no": no,
                "rule_id": r.rule_id,
                "rule_version": versions.get(r.rule_id),
                "priority": r.priority,
                "reward_type": r.reward_type,
                "max_amount": r.max_amount,
                "wagering_requirement": r.wagering_requirement,
                "expiry_hours": r.expiry_hours,
                "eligible_games": list(r.eligible_games) if r.eligible_games else None,
            }
            for no, r in enumerate(rules, start=1)
        ],
        columns=list(RULE_COLUMNS),
    ).astype({"rule_version": "Int64"})


def _keys_by_rule_no(keys: pd.DataFrame | None, rules: Sequence[Rule]) -> pd.DataFrame | None:
    """issued_keys with each rule_id replaced by its number in this evaluation (others dropped)."""
    if keys is None or not len(keys):
        return None
    numbers = {r.rule_id: no for no, r in enumerate(rules, start=1)}
    out = keys[keys["rule_id"].isin(numbers)].copy()
    out["rule_no"] = out["rule_id"].map(numbers)
    return out


def _named(codes: np.ndarray, names: tuple[str, ...]) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array(codes, type=pa.int8()), pa.array(list(names)))


def _with_rule_columns(
    table: pa.Table, rules: Sequence[Rule], cfg: RewardsConfig, versions: dict[str, int]
) -> pa.Table:
    """Add the segment and abuse action names, and each row's rule constants taken by rule_no:
    rule_id, rule_version, reward_type, expiry_hours and the wagering requirement (INCREASED_WAGERING
    multiplies it). Text comes as dictionary arrays (pandas categoricals): no per-row copies."""
    segment = _named(table.column("segment_code").to_numpy(), SEGMENTS)
    table = table.set_column(table.schema.get_field_index("segment_code"), "segment", segment)
    score, bands = table.column("abuse_score").to_numpy(), cfg.abuse.bands
    action = np.select(
        [
            score <= bands.no_action_max,
            score <= bands.reduced_rewards_max,
            score <= bands.increased_wagering_max,
        ],
        [0, 1, 2],
        3,
    )
    table = table.append_column("abuse_action", _named(action, ACTIONS))
    number = pc.fill_null(table.column("rule_no"), 0).to_numpy()
    missing = number == 0
    index = np.where(missing, 0, number - 1)

    def constant(values: list[float | None]) -> pa.Array:
        picked = np.array([np.nan if v is None else v for v in values] or [np.nan], dtype=np.float64)[index]
        return pa.array(picked, mask=missing | np.isnan(picked))

    def text(values: list[str]) -> pa.DictionaryArray:
        names = list(dict.fromkeys(values)) or [""]  # a dictionary holds each value once
        codes = np.array([names.index(v) for v in values] or [0], dtype=np.int32)[index]
        return pa.DictionaryArray.from_arrays(pa.array(codes, mask=missing), pa.array(names))

    factor = np.where(action == ACTIONS.index("INCREASED_WAGERING"), cfg.abuse.increased_wagering_factor, 1.0)
    extra = {
        "rule_id": text([r.rule_id for r in rules]),
        "rule_version": constant([versions.get(r.rule_id) for r in rules]).cast(pa.int64()),
        "reward_type": text([r.reward_type for r in rules]),
        "wagering_requirement": pc.multiply(
            constant([r.wagering_requirement for r in rules]), pa.array(factor)
        ),
        "expiry_hours": constant([r.expiry_hours for r in rules]),
    }
    for name, column in extra.items():
        table = table.append_column(name, column)
    return table


_ENGINE_DB: duckdb.DuckDBPyConnection | None = None
_ENGINE_LOCK = threading.Lock()


def _engine_session() -> duckdb.DuckDBPyConnection:
    """A session (cursor) of the process's one in-memory DuckDB for the engine: opening a database
    per call cost about 12 ms. Its TEMP tables are its own and vanish when it is closed."""
    global _ENGINE_DB
    with _ENGINE_LOCK:
        if _ENGINE_DB is None:
            _ENGINE_DB = duckdb.connect()
        return _ENGINE_DB.cursor()


def evaluate(
    players: Any,
    rules: Sequence[Rule],
    cfg: RewardsConfig,
    *,
    signals: pd.DataFrame | None = None,
    issued: pd.DataFrame | None = None,
    issued_keys: pd.DataFrame | None = None,
    versions: dict[str, int] | None = None,
) -> pa.Table:
    """Every player's decision under the active rules (first match by priority), as Arrow, in
    one query: player_state.sql, the compiled rules, then decide.sql (rows in no set order)."""
    active = ordered(list(rules))
    pick, params = pick_query(active)
    state, decide = sql.load("rewards/player_state"), sql.load("rewards/decide")
    query = f"WITH player_state AS ({state.text}), picked AS ({pick}) SELECT * FROM ({decide.text})"
    con = _engine_session()
    try:
        con.execute("SET TimeZone = 'UTC'")
        _input_view(con, players)
        _table(con, "abuse_signals", SIGNAL_COLUMNS, signals)
        _table(con, "issued_totals", ISSUED_COLUMNS, issued)
        con.execute(f"CREATE TEMP TABLE player_side AS {sql.load('rewards/player_side').text}")
        _table(con, "issued_keys", KEY_COLUMNS, _keys_by_rule_no(issued_keys, active))
        params |= state_params(cfg) | decide_params(cfg)
        table = con.sql(query, params=params).to_arrow_table()
    finally:
        con.close()
    return _with_rule_columns(table, active, cfg, versions or {})
