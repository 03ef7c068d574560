"""Players: importing exports and ledgers, editing and deactivating players, one player's picture."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from analytics.errors import InputError, PermissionDenied
from analytics.identity import Actor
from analytics.rewards import players, process, rule_store, wallet
from analytics.rewards.rules import parse_rules
from tests.conftest import ROOT, write
from tests.rewards.test_engine import CASHBACK

HEADER = "player_id,total_deposited,total_wagered,total_won,sessions,playtime_hours\n"


def test_import_routes_exports_and_ledgers(store, actor, tmp_path: Path) -> None:
    export = write(tmp_path / "export.csv", HEADER + "P1,100,6000,3000,10,5\nP2,100,x,1,1,1\n")
    ledger = write(
        tmp_path / "ledger.csv",
        "player_id,time,type,amount,game_type,device_id,ip\n"
        "P1,2024-01-01T10:00:00Z,deposit,100,,d1,1.1.1.1\n",
    )
    outcomes = players.import_files(
        store,
        [
            (export, "export.csv"),
            (ROOT / "sample_data/players/players.xlsx", "players.xlsx"),
            (ledger, "ledger.csv"),
        ],
        actor,
    )
    assert [(o.file_name, o.table, o.rows_loaded, o.rows_rejected) for o in outcomes] == [
        ("export.csv", "players", 1, 1),
        ("players.xlsx", "players", 50, 0),
        ("ledger.csv", "player_transactions", 1, 0),
    ]
    assert outcomes[0].rejects[0].line == 3
    assert players.contract_for(tmp_path / "nothing.xlsx") == "players"


def test_create_edit_and_deactivate(store, actor, cfg, tmp_path: Path) -> None:
    write(tmp_path / "p.csv", HEADER + "P1,100,6000,3000,10,5\n")
    players.import_files(store, [(tmp_path / "p.csv", "p.csv")], actor)
    players.upsert_player(
        store,
        {
            "player_id": "P1",
            "total_deposited": 100,
            "total_wagered": 6000,
            "total_won": 5000,
            "sessions": 10,
            "playtime_hours": 5,
        },
        actor,
    )
    rules = parse_rules([CASHBACK], cfg.formula)
    row = process.evaluate(store, rules, cfg, actor).table.iloc[0]
    assert row["net_loss"] == 1000.0 and row["amount"] == 100.0  # the edit is the newest row
    with pytest.raises(InputError, match="player: total_won: -5 is below 0"):
        players.upsert_player(
            store,
            {
                "player_id": "P9",
                "total_deposited": 1,
                "total_wagered": 1,
                "total_won": -5,
                "sessions": 1,
                "playtime_hours": 1,
            },
            actor,
        )
    with pytest.raises(InputError, match="unknown field colour"):
        players.upsert_player(store, {"player_id": "P9", "colour": "red"}, actor)
    with pytest.raises(PermissionDenied):
        players.upsert_player(store, {"player_id": "P9"}, Actor("a", "auditor"))
    players.set_active(store, "P1", False, actor)
    row = process.evaluate(store, rules, cfg, actor).table.iloc[0]
    assert row["decline_code"] == "inactive"
    players.set_active(store, "P1", True, actor)
    assert process.evaluate(store, rules, cfg, actor).table.iloc[0]["approved"]
    with pytest.raises(InputError, match="no player 'P404'"):
        players.set_active(store, "P404", False, actor)


def test_player_detail_and_test_rule(store, actor, cfg, tmp_path: Path) -> None:
    write(tmp_path / "p.csv", HEADER + "P1,100,6000,3000,10,5\n")
    players.import_files(store, [(tmp_path / "p.csv", "p.csv")], actor)
    rule_store.save_rules(store, parse_rules([CASHBACK], cfg.formula), actor)
    rules, _ = rule_store.current_rules(store, cfg.formula)
    process.run(store, rules, cfg, actor, issue=True)
    wallet.add_loyalty_points(store, "P1", 1500, actor, key="lp")
    info = players.detail(store, "P1", cfg, actor)
    assert info["segment"] == "LOSING" and info["tier"] == "Silver"  # 1,500 points: Silver from 1,000
    assert info["state"] == {
        "net_pnl": -3000.0,
        "net_loss": 3000.0,
        "avg_wager_per_session": 600.0,
        "win_loss_ratio": 0.5,
    }
    assert info["balances"]["BONUS_BALANCE"] == 300.0 and info["balances"]["LOYALTY_POINTS"] == 1500.0
    assert info["rewards"]["rule_id"].tolist() == ["LOSING_PLAYER_CASHBACK"]
    assert info["bonuses"]["wagering_target"].astype(float).tolist() == [3000.0]
    assert info["decision"][0]["approved"]  # the same reward is known as issued, not capped by itself
    assert players.detail(store, "P404", cfg, actor) is None
    tested = process.test_rule(
        store, parse_rules([{**CASHBACK, "is_active": False}], cfg.formula)[0], "P1", cfg, actor
    )
    assert tested["rewards"][0]["amount"] == 300.0  # evaluated as if switched on; nothing written
    with store.connect() as con:
        assert con.execute("SELECT count(*) FROM reward_issues").fetchone()[0] == 1
    assert isinstance(wallet.utc_now(), dt.datetime)
