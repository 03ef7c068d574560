"""The raw audit-query export: recognised by its header, mapped row by row, audited in pennies."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from analytics import ingest, sql
from analytics.cashout import ingest as raw
from analytics.errors import ContractError
from analytics.settings import sample_dir
from tests.cashout.helpers import RAW_HEADER, audit_files, ev, export
from tests.conftest import write

COLS = RAW_HEADER.strip().split(",")


def raw_row(time: str, kind: str, change: str = "", escrow: str = "", prev: str = "0", user: str = "u1",
            name: str = "jax", device: str = "d1", **extra: str) -> str:
    """One raw server event (other columns blank unless given)."""
    values = {"time": time, "userid": user, "username": name, "deviceid": device, "type": kind,
              "balancechange": change, "escrowchange": escrow, "prevbalance": prev, **extra}
    return ",".join(values.get(c, "") for c in COLS) + "\n"


def staged(parsed) -> list[dict]:
    con = duckdb.connect()
    cur = con.execute(f"SELECT * FROM read_parquet('{parsed.staged}') ORDER BY event_time, event_type")
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def test_header_with_type_balancechange_escrowchange_is_a_raw_export(tmp_path: Path) -> None:
    assert raw.matches(write(tmp_path / "a.csv", "Time,UserId,Type,BalanceChange,EscrowChange\n"))
    assert not raw.matches(write(tmp_path / "b.csv", "time,userid,type,balancechange\n"))
    assert not raw.matches(export(tmp_path, "c.csv", []))
    assert not raw.matches(write(tmp_path / "d.log", "type,balancechange,escrowchange\n"))


def test_every_mapping_row_of_the_contract(tmp_path: Path) -> None:
    rows = [
        raw_row("2023-09-01T10:00:00.000", "SetInviter", user="u2", name="lil", device="d2",
                inviterusername="jax"),
        raw_row("2023-09-01T11:00:00.000", "GameEnd", "180", "-100", reason="win", opponentusername="lil"),
        raw_row("2023-09-01T12:00:00.000", "AcknowledgeResult", "0", "-200", result="loss",
                opponentusername="zed"),
        raw_row("2023-09-01T13:00:00.000", "ClaimSpecialEventPrize", "1500", istransaction="true"),
        raw_row("2023-09-01T13:30:00.000", "ClaimSpecialEventPrize", "700", istransaction="false"),
        raw_row("2023-09-01T14:00:00.000", "JoinSpecialEvent", "-200", istransaction="true"),
        raw_row("2023-09-01T15:00:00.000", "ClaimGoalReward", "50", awardedprizetype="Tokens"),
        raw_row("2023-09-01T15:30:00.000", "ClaimGoalReward", "20", awardedprizetype="Gems"),
        raw_row("2023-09-01T16:00:00.000", "Awarded", "100", usedpowerup="TowerJump"),
        raw_row("2023-09-01T17:00:00.000", "AdminAddBalance", "300", istransaction="true"),
        raw_row("2023-09-01T18:00:00.000", "Deposit", "1000"),
        raw_row("2023-09-01T18:30:00.000", "Login"),
        raw_row("2023-09-01T19:00:00.000", "CashOutFinish", "-2430", prev="2430", iserror="false", count="1"),
    ]
    parsed = raw.parse(write(tmp_path / "raw_jax.csv", RAW_HEADER + "".join(rows)), tmp_path, "raw_jax.csv")
    assert parsed.kind == "cashout_raw" and parsed.table == "cashout_events" and parsed.rejects == []
    got = [(r["event_type"], int(r["amount"]), r["won"], r["counterparty_id"], r["user_id"], r["raw_type"])
           for r in staged(parsed)]
    assert got == [
        ("invite_accepted", 0, None, "u2", "u1", "SetInviter"),        # the inviter's event; jax -> u1
        ("game_end", 80, True, "u2", "u1", "GameEnd"),                 # 180 - 100; lil -> u2 in the file
        ("matchup_end", -200, False, "zed", "u1", "AcknowledgeResult"),  # unknown name stays
        ("tournament_end", 1500, True, None, "u1", "ClaimSpecialEventPrize"),
        ("other", 700, None, None, "u1", "ClaimSpecialEventPrize"),    # not a transaction
        ("tournament_entry", -200, None, None, "u1", "JoinSpecialEvent"),
        ("goal_claim", 50, None, None, "u1", "ClaimGoalReward"),
        ("other", 20, None, None, "u1", "ClaimGoalReward"),            # Gems are not Tokens
        ("mega_spin", 100, None, None, "u1", "Awarded"),
        ("admin_add_balance", 300, None, None, "u1", "AdminAddBalance"),
        ("other", 1000, None, None, "u1", "Deposit"),
        ("other", 0, None, None, "u1", "Login"),                       # blank balancechange = 0
        ("cashout", 2430, None, None, "u1", "CashOutFinish"),          # amount = prevbalance
    ]
    rows_by_type = {r["raw_type"]: r for r in staged(parsed)}
    assert rows_by_type["CashOutFinish"]["cashout_id"] == "u1#1"
    assert {r["unit"] for r in staged(parsed)} == {"pennies"}
    assert rows_by_type["SetInviter"]["device_id"] is None   # the invitee's device is not the inviter's


def test_repeated_and_failed_cashout_finish_rows(tmp_path: Path, store) -> None:
    game = [raw_row(f"2023-09-01T1{i}:00:00", "GameEnd", "180", "-100", reason="win") for i in range(5)]
    rows = [*game,
            raw_row("2023-09-02T10:00:00", "CashOutFinish", "-400", prev="400", iserror="false", count="1"),
            raw_row("2023-09-02T10:00:00", "CashOutFinish", "-400", prev="400", iserror="false", count="1"),
            raw_row("2023-09-03T10:00:00", "CashOutFinish", "0", prev="0", iserror="true", count="2")]
    path = write(tmp_path / "dup.csv", RAW_HEADER + "".join(rows))
    parsed = raw.parse(path, tmp_path, "dup.csv")
    assert parsed.rows == 7   # 8 rows, the repeat is one cashout
    assert parsed.warnings == [
        "dup.csv: CashOutFinish count 1 of u1 appears 2 times (lines 7, 8): one cashout, u1#1",
        "dup.csv: CashOutFinish count 2 of u1 (line 9) has iserror=true: not a cashout, counted as other",
    ]
    run = audit_files(store, path)
    assert [a["cashout_id"] for a in run.audits] == ["u1#1"]
    audit = run.audits[0]
    assert audit["unit"] == "pennies" and audit["amount"] == 400.0
    assert audit["reconciliation"] == {"audited_value": 400.0, "discrepancy_share": 0.0}   # 5 x 80
    assert audit["key_numbers"]["take_per_game"] == 80.0 and audit["verdict"] == "approved"


def test_bad_rows_are_rejected_with_their_line(tmp_path: Path) -> None:
    rows = [raw_row("2023-09-01T10:00:00", "GameEnd", "abc", "-100"),
            raw_row("yesterday", "Login"),
            raw_row("2023-09-01T11:00:00", "Login", user="", name=""),
            raw_row("2023-09-01T12:00:00", "CashOutFinish", "-5", prev="", iserror="false", count="1"),
            raw_row("2023-09-01T13:00:00", "Login")]
    parsed = raw.parse(write(tmp_path / "bad.csv", RAW_HEADER + "".join(rows)), tmp_path, "bad.csv")
    assert parsed.rows == 1
    assert [(r.line, r.reason) for r in parsed.rejects] == [
        (2, "balancechange: 'abc' is not a number"),
        (3, "time: 'yesterday' is not an ISO 8601 timestamp"),
        (4, "userid and username are both empty"),
        (5, "prevbalance is empty on a CashOutFinish row"),
    ]


def test_missing_columns_name_the_file_and_the_column(tmp_path: Path) -> None:
    path = write(tmp_path / "cut.csv", "userid,type,balancechange,escrowchange\nu1,Login,,\n")
    with pytest.raises(ContractError, match=r"cut\.csv: missing required column time \(raw audit-query"):
        raw.parse(path, tmp_path, "cut.csv")


def test_without_inviterusername_the_inviter_is_the_player_cashing_out(tmp_path: Path) -> None:
    header = RAW_HEADER.replace(",inviterusername", "")
    cols = header.strip().split(",")

    def row(**v: str) -> str:
        return ",".join(v.get(c, "") for c in cols) + "\n"

    text = header + row(time="2023-09-01T10:00:00", userid="u9", username="kid", type="SetInviter") + row(
        time="2023-09-02T10:00:00", userid="u1", username="jax", type="CashOutFinish", prevbalance="10",
        iserror="false", count="4")
    first = staged(raw.parse(write(tmp_path / "noinv.csv", text), tmp_path, "noinv.csv"))[0]
    assert (first["event_type"], first["user_id"], first["username"], first["counterparty_id"]) == (
        "invite_accepted", "u1", "jax", "u9")


def test_opponent_names_resolve_through_names_loaded_before(store, tmp_path: Path) -> None:
    known = export(tmp_path, "known.csv", [ev("2023-08-01T00:00:00Z", "game_end", 1, "true", user="u77",
                                              name="zed")])
    audit_files(store, known)   # no cashout, but zed = u77 is now loaded
    rows = [raw_row(f"2023-09-01T1{i}:00:00", "AcknowledgeResult", "360", "-200", result="win",
                    opponentusername="zed") for i in range(5)]
    rows.append(raw_row("2023-09-02T10:00:00", "CashOutFinish", "-800", prev="800", iserror="false",
                        count="1"))
    audit = audit_files(store, write(tmp_path / "r.csv", RAW_HEADER + "".join(rows))).audits[0]
    assert audit["collusion"]["top_opponents"] == [{"id": "u77", "amount": 800.0}]   # 5 x (360 - 200)


def test_home_upload_loads_a_raw_export_into_cashout_events(store, actor, tmp_path: Path) -> None:
    path = sample_dir() / "cashout" / "raw" / "raw_jaxxon77_9222023.csv"
    [outcome] = ingest.load_files(store, [(path, path.name)], actor)
    assert (outcome.status, outcome.table, outcome.contract) == ("loaded", "cashout_events", "cashout_raw")
    assert outcome.rows_loaded == 93   # 94 rows, CashOutFinish count 1 twice is one cashout
    with store.connect() as con:
        tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
        units = con.execute("SELECT DISTINCT unit FROM cashout_events").fetchall()
    assert not [t for t in tables if t.startswith("adhoc_")] and units == [("pennies",)]


def test_the_athena_export_query_returns_the_players_rows(tmp_path: Path) -> None:
    path = sample_dir() / "cashout" / "raw" / "raw_jaxxon77_9222023.csv"
    con = duckdb.connect()
    con.execute(f"CREATE TABLE server_events AS SELECT * FROM read_csv('{path}', all_varchar = true)")
    con.execute("INSERT INTO server_events (time, userid, username, type) VALUES "
                "('2023-09-01T00:00:00', 'u9', 'someone', 'Login')")   # another player's row
    query = sql.load("cashout/raw_export")
    rows = con.execute(query.text, {"player": "jaxxon77"}).fetchall()
    assert len(rows) == 94 and {r[1] for r in rows} == {"u1401", "u1402", "u1403"}   # + the invitees' SetInviter
    athena, order = query.to_athena()
    assert order == ["player"] * 4 and "?" in athena
