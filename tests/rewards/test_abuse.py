"""Abuse signals from the stored ledger: hand-made ledgers for each signal and its edges, and the
sample ledger's planted archetypes."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics import ingest
from analytics.rewards import abuse, process, rule_store
from analytics.rewards.rules import load_rules_file
from analytics.samples import players as gen
from tests.conftest import ROOT, write

HEADER = "player_id,time,type,amount,game_type,device_id,ip\n"


def signals_of(store, actor, cfg, tmp_path: Path, lines: list[str]) -> dict[str, set[str]]:
    """Load a ledger and return the players carrying each ledger signal."""
    path = write(tmp_path / "tx.csv", HEADER + "".join(line + "\n" for line in lines))
    outcome = ingest.load_one(store, path, actor, contract="player_transactions")
    assert outcome.status == "loaded" and not outcome.rejects, outcome
    frame = abuse.ledger_signals(store, cfg)
    for player in frame["player_id"]:   # one player's signals (the API's detail) are the same row
        alone = abuse.ledger_signals(store, cfg, player).to_dict("records")
        assert alone == frame[frame["player_id"] == player].to_dict("records"), player
    return {
        name: set(frame.loc[frame[name], "player_id"])
        for name in ("bonus_only", "fast_withdrawal", "bet_jump", "multi_accounting")
    }


def test_bonus_only(store, actor, cfg, tmp_path: Path) -> None:
    found = signals_of(
        store,
        actor,
        cfg,
        tmp_path,
        [
            "A,2024-01-01T10:00:00Z,bonus,20,,dA,1.1.1.1",  # bonus, no deposit
            "A,2024-01-01T10:05:00Z,wager,5,slots,dA,1.1.1.1",
            "B,2024-01-01T10:00:00Z,deposit,10,,dB,2.2.2.2",  # deposited: not bonus-only
            "B,2024-01-01T10:01:00Z,bonus,20,,dB,2.2.2.2",
            "C,2024-01-01T10:00:00Z,wager,5,slots,dC,3.3.3.3",  # no bonus: not bonus-only
        ],
    )
    assert found["bonus_only"] == {"A"}


def test_fast_withdrawal_within_one_hour_of_a_bonus_or_a_win(store, actor, cfg, tmp_path: Path) -> None:
    found = signals_of(
        store,
        actor,
        cfg,
        tmp_path,
        [
            "A,2024-01-01T10:00:00Z,deposit,100,,dA,1.1.1.1",
            "A,2024-01-01T10:10:00Z,win,50,slots,dA,1.1.1.1",
            "A,2024-01-01T11:10:00Z,withdrawal,50,,dA,1.1.1.1",  # exactly 1 h after the win: fast
            "B,2024-01-01T10:00:00Z,deposit,100,,dB,2.2.2.2",
            "B,2024-01-01T10:10:00Z,bonus,50,,dB,2.2.2.2",
            "B,2024-01-01T11:10:01Z,withdrawal,50,,dB,2.2.2.2",  # 1 h 1 s after: not fast
            "C,2024-01-01T10:00:00Z,deposit,100,,dC,3.3.3.3",
            "C,2024-01-01T10:30:00Z,bonus,50,,dC,3.3.3.3",
            "C,2024-01-01T10:40:00Z,withdrawal,50,,dC,3.3.3.3",  # 10 min after a bonus: fast
            "D,2024-01-01T10:00:00Z,deposit,100,,dD,4.4.4.4",
            "D,2024-01-01T10:10:00Z,withdrawal,50,,dD,4.4.4.4",  # after a deposit only: not fast
        ],
    )
    assert found["fast_withdrawal"] == {"A", "C"}


def bet_jump_ledger(player: str, device: str, last_bet: float, last_time: str) -> list[str]:
    """A 10.00 bonus, ten wagers of 10 (100 = 10 x the bonus: wagering complete, phase mean 10), then one more."""
    rows = [
        f"{player},2024-01-01T09:00:00Z,deposit,100,,{device},9.9.9.9",
        f"{player},2024-01-01T09:01:00Z,bonus,10,,{device},9.9.9.9",
    ]
    rows += [
        f"{player},2024-01-01T09:{10 + i:02d}:00Z,wager,10,slots,{device},9.9.9.{i + 1}" for i in range(10)
    ]
    return [*rows, f"{player},{last_time},wager,{last_bet},slots,{device},9.9.8.1"]


def test_bet_jump_after_wagering_completes(store, actor, cfg, tmp_path: Path) -> None:
    lines = (
        bet_jump_ledger("A", "dA", 101, "2024-01-01T10:00:00Z")  # 101 > 10 x mean 10: jump
        + bet_jump_ledger("B", "dB", 100, "2024-01-01T10:00:00Z")  # exactly 10x: no jump
        + bet_jump_ledger("C", "dC", 500, "2024-01-02T09:19:00Z")  # exactly 24 h after completion (09:19)
        + bet_jump_ledger("D", "dD", 500, "2024-01-02T09:19:01Z")  # 24 h and 1 s after: outside
    )
    # E: a big bet before the wagering completes is not a jump after it
    lines += [
        "E,2024-01-01T09:00:00Z,deposit,1000,,dE,8.8.8.8",
        "E,2024-01-01T09:01:00Z,bonus,10,,dE,8.8.8.8",
        "E,2024-01-01T09:02:00Z,wager,5,slots,dE,8.8.8.8",
        "E,2024-01-01T09:03:00Z,wager,90,slots,dE,8.8.8.8",
    ]
    found = signals_of(store, actor, cfg, tmp_path, lines)
    assert found["bet_jump"] == {"A", "C"}
    assert found["multi_accounting"] == {"A", "B", "C", "D"}  # they share ip 9.9.9.x and 9.9.8.1


def test_multi_accounting_by_device_or_ip(store, actor, cfg, tmp_path: Path) -> None:
    found = signals_of(
        store,
        actor,
        cfg,
        tmp_path,
        [
            "A,2024-01-01T10:00:00Z,deposit,10,,dev-1,1.1.1.1",
            "B,2024-01-01T10:00:00Z,deposit,10,,dev-1,2.2.2.2",  # same device as A
            "C,2024-01-01T10:00:00Z,deposit,10,,dev-3,3.3.3.3",
            "D,2024-01-01T10:00:00Z,deposit,10,,dev-4,3.3.3.3",  # same ip as C
            "E,2024-01-01T10:00:00Z,deposit,10,,dev-5,5.5.5.5",
            "E,2024-01-02T10:00:00Z,deposit,10,,dev-6,6.6.6.6",  # one player's own devices: no signal
            "F,2024-01-01T10:00:00Z,deposit,10,,,",  # blank device and ip: no signal
            "G,2024-01-01T10:00:00Z,deposit,10,,,",
        ],
    )
    assert found["multi_accounting"] == {"A", "B", "C", "D"}
    shared = abuse.shared_identities(store)
    assert abuse.evidence(shared, "A") == ["device dev-1 shared with B"]


def test_sample_ledger_ground_truth(store, actor, cfg) -> None:
    """The sample's planted archetypes, the one BLOCKED player (85 = 40 + 25 + 20), everyone else <= 40."""
    sample = ROOT / "sample_data" / "players"
    for name, contract in (("players.csv", "players"), ("transactions.csv", "player_transactions")):
        assert ingest.load_one(store, sample / name, actor, contract=contract).status == "loaded"
    frame = abuse.ledger_signals(store, cfg)
    for name in ("bonus_only", "fast_withdrawal", "bet_jump", "multi_accounting"):
        assert set(frame.loc[frame[name], "player_id"]) == set(gen.ARCHETYPES[name]), name
        for player in gen.ARCHETYPES[name]:   # asked one player at a time, as a detail view does
            assert abuse.ledger_signals(store, cfg, player)[name].tolist() == [True], (name, player)
    rules = load_rules_file(sample / "rules.json", cfg.formula)
    table = process.evaluate(store, rules, cfg, actor).table.set_index("player_id")
    assert set(table.index[table["sig_abnormal_win_rate"]]) == set(gen.ARCHETYPES["abnormal_win_rate"])
    blocked = table[table["abuse_action"] == "BLOCKED"]
    assert blocked.index.tolist() == [gen.BLOCKED_PLAYER]
    row = table.loc[gen.BLOCKED_PLAYER]
    assert row["abuse_score"] == 85
    assert (row["sig_multi_accounting"], row["sig_fast_withdrawal"], row["sig_bet_jump"]) == (
        True,
        True,
        True,
    )
    assert row["rule_id"] == "LOSING_PLAYER_CASHBACK" and row["decline_code"] == "blocked"
    assert row["roi_percent"] >= 0  # only the abuse block stops this reward
    assert table.drop(index=gen.BLOCKED_PLAYER)["abuse_score"].max() <= 40
    assert rule_store.current_table(store).empty  # evaluating saves no rule


@pytest.mark.parametrize("hours", [0.5, 2])
def test_fast_withdrawal_window_is_a_setting(store, actor, cfg, tmp_path: Path, hours: float) -> None:
    changed = cfg.model_copy(update={"abuse": cfg.abuse.model_copy(update={"fast_withdrawal_hours": hours})})
    found = signals_of(
        store,
        actor,
        changed,
        tmp_path,
        [
            "A,2024-01-01T10:00:00Z,win,50,slots,dA,1.1.1.1",
            "A,2024-01-01T10:45:00Z,withdrawal,50,,dA,1.1.1.1",  # 45 min after the win
        ],
    )
    assert found["fast_withdrawal"] == ({"A"} if hours == 2 else set())
