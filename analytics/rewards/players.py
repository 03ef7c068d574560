"""Players: importing exports and ledgers, creating, editing and deactivating players, one
player's full picture (state, segment, tier, wallet, rewards, abuse)."""

from __future__ import annotations

import csv
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

from analytics import contracts, ingest, loaders, sql
from analytics.errors import InputError
from analytics.identity import Actor, require
from analytics.rewards import abuse, process, rule_store, tiers, wallet
from analytics.rewards.settings import RewardsConfig
from analytics.store import Store


def contract_for(path: Path) -> str:
    """The contract a rewards upload is read as: a ledger CSV by its header, else a player export."""
    if path.suffix.lower() in loaders.CSV_SUFFIXES:
        try:
            header, _ = loaders.read_header(path)
        except (InputError, UnicodeDecodeError, OSError):
            return contracts.PLAYERS.name
        found, _ = contracts.detect(header)
        if found is not None and found.name == contracts.PLAYER_TRANSACTIONS.name:
            return found.name
    return contracts.PLAYERS.name


def import_files(
    store: Store, files: list[tuple[Path, str]], actor: Actor, progress: ingest.Progress | None = None
) -> list[ingest.LoadOutcome]:
    """Load player exports (CSV, Excel) and ledgers (CSV) with the foundation's checks, in input order."""
    groups: dict[str, list[int]] = {}
    for i, (path, _label) in enumerate(files):
        groups.setdefault(contract_for(Path(path)), []).append(i)
    outcomes: list[ingest.LoadOutcome | None] = [None] * len(files)
    for contract, indexes in groups.items():
        loaded = ingest.load_files(store, [files[i] for i in indexes], actor, contract, progress)
        for i, outcome in zip(indexes, loaded, strict=True):
            outcomes[i] = outcome
    return [o for o in outcomes if o is not None]


def upsert_player(store: Store, record: dict[str, Any], actor: Actor) -> dict:
    """Create or change one player from a record of export columns (checked like a file row)."""
    require(actor, "players.edit")
    names = contracts.PLAYERS.names
    unknown = sorted(set(record) - set(names))
    if unknown:
        raise InputError(f"player: unknown field {', '.join(unknown)} (fields: {', '.join(names)})")
    folder = Path(tempfile.mkdtemp(prefix="riskdesk-player-"))
    try:
        path = folder / "player.csv"
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(names)
            writer.writerow(["" if record.get(n) is None else str(record[n]) for n in names])
        parsed = loaders.parse_csv(path, contracts.PLAYERS, folder, label="player")
        if parsed.rejects:
            raise InputError(f"player: {parsed.rejects[0].reason}")
        source = f"edit:{uuid.uuid4().hex}"
        with store.connect() as con:
            con.execute(
                "INSERT INTO players BY NAME SELECT *, $source AS source_file FROM read_parquet($path)",
                {"source": source, "path": str(parsed.staged)},
            )
            con.execute(
                "INSERT INTO player_edits VALUES (?, ?, now()::TIMESTAMP, ?)",
                [source, str(record["player_id"]).strip(), actor.name],
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {"player_id": str(record["player_id"]).strip(), "source_file": source}


def set_active(store: Store, player_id: str, active: bool, actor: Actor) -> dict:
    """Deactivate (no rewards) or reactivate a stored player."""
    require(actor, "players.edit")
    with store.connect() as con:
        if not con.execute("SELECT count(*) FROM players WHERE player_id = ?", [player_id]).fetchone()[0]:
            raise InputError(f"no player {player_id!r}")
        con.execute(
            "INSERT INTO player_status VALUES (?, ?, now()::TIMESTAMP, ?)", [player_id, active, actor.name]
        )
    return {"player_id": player_id, "active": active}


def detail(store: Store, player_id: str, cfg: RewardsConfig, actor: Actor) -> dict | None:
    """Everything about one player: export row, derived state, segment, abuse, tier, wallet, rewards.

    The decision shown is what the stored active rules would do now (nothing is written)."""
    rules, versions = rule_store.current_rules(store, cfg.formula)
    result = process.evaluate(store, rules, cfg, actor, player_id=player_id, versions=versions)
    if result.table.empty:
        return None
    row = next(result.table.itertuples(index=False))
    export = process.read_players(store, player_id=player_id).to_pylist()[0]
    earned = tiers.loyalty_points(store, player_id)
    points = float(earned["points"].iloc[0]) if len(earned) else 0.0
    runner = sql.DuckDBRunner(store)
    return {
        "player_id": player_id,
        "export": export,
        "segment": row.segment,
        "state": {
            "net_pnl": row.net_pnl,
            "net_loss": row.net_loss,
            "avg_wager_per_session": row.avg_wager_per_session,
            "win_loss_ratio": row.win_loss_ratio,
        },
        "abuse": {
            "score": int(row.abuse_score),
            "signals": abuse.signal_names(row),
            "action": row.abuse_action,
            "evidence": abuse.evidence(abuse.shared_identities(store), player_id),
        },
        "decision": process.contract_json(result, cfg)[0]["rewards"],
        "loyalty_points_earned": points,
        "tier": tiers.tier_for(points, tiers.list_tiers(store, cfg)),
        "balances": wallet.balances(store, player_id),
        "bonuses": runner.run("rewards/player_bonuses", {"player_id": player_id}),
        "rewards": runner.run("rewards/player_rewards", {"player_id": player_id}),
        "ledger": runner.run("rewards/player_ledger", {"player_id": player_id}),
    }
