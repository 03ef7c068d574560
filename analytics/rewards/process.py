"""Reward processing over stored players: read the inputs, run the engine, optionally issue.

This is what the CLI, the page and the later HTTP API call: `evaluate` (what would happen, no
writes), `run` (the same and, when asked, issue the approved rewards idempotently) and
`contract_json` (the players.md output).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace

import pandas as pd
import pyarrow as pa

from analytics import sql
from analytics.identity import Actor, require
from analytics.rewards import abuse, engine, rule_store, wallet
from analytics.rewards.rules import Rule
from analytics.rewards.settings import RewardsConfig
from analytics.store import Store


@dataclass
class Evaluation:
    """One evaluation: the engine's table (one row per player) and what was issued."""

    table: pd.DataFrame
    rules: list[Rule]
    versions: dict[str, int]
    now: dt.datetime
    issued: pd.DataFrame | None = None  # idempotency_key, player_id, rule_id, status, entry_id
    repeated: dict[str, int] = field(default_factory=dict)  # player -> rows in its file (when > 1)


def read_players(store: Store, *, file_id: str | None = None, player_id: str | None = None) -> pa.Table:
    """Players to evaluate: the latest row of each (or one file's rows, or one player), as Arrow so
    the store's decimals stay exact for the segment thresholds."""
    query = sql.load("rewards/current_players")
    with store.connect() as con:
        return con.sql(query.text, params={"file_id": file_id, "player_id": player_id}).to_arrow_table()


def issued_totals(store: Store, now: dt.datetime) -> pd.DataFrame:
    """Rewards already issued per player today and this week (UTC)."""
    return sql.DuckDBRunner(store).run("rewards/issued_totals", wallet.cap_windows(now))


def evaluate(
    store: Store,
    rules: list[Rule],
    cfg: RewardsConfig,
    actor: Actor,
    *,
    file_id: str | None = None,
    player_id: str | None = None,
    versions: dict[str, int] | None = None,
    now: dt.datetime | None = None,
) -> Evaluation:
    """Every selected player's decision under `rules`, with the store's ledger and caps; no writes."""
    require(actor, "view")
    now = now or wallet.utc_now()
    players = read_players(store, file_id=file_id, player_id=player_id)
    signals = abuse.ledger_signals(store, cfg, player_id)
    issued = issued_totals(store, now)
    keys = sql.DuckDBRunner(store).run("rewards/issued_keys", wallet.cap_windows(now))
    if versions is None:
        versions = rule_store.matching_versions(store, rules)
    table = engine.evaluate(
        players, rules, cfg, signals=signals, issued=issued, issued_keys=keys, versions=versions
    ).to_pandas()
    table = table.sort_values("player_id", kind="stable", ignore_index=True)
    counts = zip(
        players.column("player_id").to_pylist(), players.column("rows_in_file").to_pylist(), strict=True
    )
    repeated = {p: int(n) for p, n in counts if n > 1}
    return Evaluation(table, rules, versions, now, repeated=repeated if file_id else {})


def idempotency_key(rule_id: str, player_id: str, source_file: str | None) -> str:
    """One reward per rule per player per stored snapshot of that player."""
    return f"reward:{rule_id}:{player_id}:{source_file or 'unsaved'}"


def candidates(table: pd.DataFrame, rules: list[Rule]) -> pd.DataFrame:
    """The approved rows of an engine table, shaped for wallet.issue_rewards."""
    rows = table[table["approved"]].copy()
    rows["idempotency_key"] = [
        idempotency_key(r, p, f)
        for r, p, f in zip(rows["rule_id"], rows["player_id"], rows["source_file"], strict=True)
    ]
    games = {r.rule_id: list(r.eligible_games) if r.eligible_games else None for r in rules}
    rows["eligible_games"] = [games[r] for r in rows["rule_id"]]
    return rows.loc[:, list(wallet.ISSUE_COLUMNS)]


def run(
    store: Store,
    rules: list[Rule],
    cfg: RewardsConfig,
    actor: Actor,
    *,
    file_id: str | None = None,
    issue: bool = False,
    now: dt.datetime | None = None,
) -> Evaluation:
    """Evaluate, and with `issue` save the rules (a changed rule gets a new version) and issue
    the approved rewards in one wallet transaction, each recording its rule version."""
    versions = None
    if issue:
        require(actor, "rewards.issue")
        saved = rule_store.save_rules(store, rules, actor)
        versions = {s["rule_id"]: s["version"] for s in saved}
    result = evaluate(store, rules, cfg, actor, file_id=file_id, versions=versions, now=now)
    if issue:
        result.issued = wallet.issue_rewards(
            store,
            candidates(result.table, rules),
            actor,
            daily_cap=cfg.caps.daily,
            weekly_cap=cfg.caps.weekly,
            now=result.now,
        )
    return result


# -- the contract's JSON ----------------------------------------------------------------------
def _num(value: float) -> str:
    """A number as people write it: 1,000 or 299.5."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.4f}".rstrip("0")


def reason_text(row: object, cfg: RewardsConfig) -> str | None:
    """Why a matched reward is declined, in words (None when approved)."""
    code = getattr(row, "decline_code", None)
    if code is None or (isinstance(code, float) and math.isnan(code)):
        return None
    amount = float(row.amount)
    texts = {
        "inactive": lambda: "player deactivated",
        "blocked": lambda: "abuse: BLOCKED",
        "undefined": lambda: f"formula undefined: {row.undefined_why}",
        "zero": lambda: "amount is 0",
        "roi": lambda: (
            f"roi_percent {_num(row.roi_percent)} is below the minimum {_num(cfg.profit.min_roi_percent)}"
        ),
        "daily_cap": lambda: (
            f"daily cap {_num(cfg.caps.daily)}: {_num(row.issued_day)} already issued today, "
            f"{_num(amount)} more would pass it"
        ),
        "weekly_cap": lambda: (
            f"weekly cap {_num(cfg.caps.weekly)}: {_num(row.issued_week)} already issued this "
            f"week, {_num(amount)} more would pass it"
        ),
    }
    return texts[code]()


def _float(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else round(number, 4) + 0.0


ISSUE_TEXT = {
    "issued": "issued",
    "duplicate": "already issued",
    "daily_cap": "declined",
    "weekly_cap": "declined",
}
CAP_AT_ISSUE = {
    "daily_cap": "daily cap reached when issuing (another run issued first)",
    "weekly_cap": "weekly cap reached when issuing (another run issued first)",
}


def contract_json(result: Evaluation, cfg: RewardsConfig) -> list[dict]:
    """The players.md output: one object per player, in player_id order."""
    statuses: dict[str, str] = {}
    if result.issued is not None:
        issued = result.issued
        statuses = {
            f"{p}\x00{r}": s
            for p, r, s in zip(issued["player_id"], issued["rule_id"], issued["status"], strict=True)
        }
    out = []
    for row in result.table.itertuples(index=False):
        rewards = []
        if isinstance(row.rule_id, str):
            entry = {
                "rule_id": row.rule_id,
                "type": row.reward_type,
                "amount": _float(row.amount),
                "approved": bool(row.approved),
                "reason": reason_text(row, cfg),
                "ev": {
                    "expected_wager": _float(row.expected_wager),
                    "expected_revenue": _float(row.expected_revenue),
                    "expected_profit": _float(row.expected_profit),
                    "roi_percent": _float(row.roi_percent),
                },
            }
            if result.issued is not None:
                status = statuses.get(f"{row.player_id}\x00{row.rule_id}")
                entry["rule_version"] = result.versions.get(row.rule_id)
                entry["issued"] = status == "issued"
                entry["issue_status"] = ISSUE_TEXT.get(status) if status else None
                if status in CAP_AT_ISSUE:
                    entry["approved"], entry["reason"] = False, CAP_AT_ISSUE[status]
            rewards.append(entry)
        out.append(
            {
                "player_id": row.player_id,
                "segment": row.segment,
                "state": {
                    "net_pnl": _float(row.net_pnl),
                    "net_loss": _float(row.net_loss),
                    "avg_wager_per_session": _float(row.avg_wager_per_session),
                },
                "rewards": rewards,
                "abuse": {
                    "score": int(row.abuse_score),
                    "signals": abuse.signal_names(row),
                    "action": row.abuse_action,
                },
            }
        )
    return out


# -- what-if ----------------------------------------------------------------------------------
def simulate(
    store: Store,
    rule: Rule,
    cfg: RewardsConfig,
    actor: Actor,
    *,
    with_others: bool = False,
    now: dt.datetime | None = None,
) -> dict:
    """What `rule` would do if switched on, over every current player, without writing anything:
    alone, or among the stored active rules (priorities apply). See report.simulation."""
    from analytics.rewards import report

    rules = [replace(rule, is_active=True)]
    if with_others:
        stored, _versions = rule_store.current_rules(store, cfg.formula)
        rules += [r for r in stored if r.is_active and r.rule_id != rule.rule_id]
    result = evaluate(store, rules, cfg, actor, now=now)
    return report.simulation(result.table, rule.rule_id)


def test_rule(store: Store, rule: Rule, player_id: str, cfg: RewardsConfig, actor: Actor) -> dict | None:
    """The players.md object for one stored player under `rule` alone (switched on); no writes."""
    result = evaluate(store, [replace(rule, is_active=True)], cfg, actor, player_id=player_id)
    payload = contract_json(result, cfg)
    return payload[0] if payload else None
