"""The daily job against Athena (a moto server on 127.0.0.1): yesterday's cashouts are found, each
player's export fetched with the audit query, every cashout audited and its note pushed once to the
admin endpoint with a valid signature; a second run pushes nothing; the SQL that reached Athena is
the query library's, values bound as execution parameters."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest

from analytics.cashout import note
from analytics.daily.cashout_pull import day_bounds
from analytics.sql import AthenaRunner
from tests.conftest import ROOT
from tests.daily.conftest import Athena, cli_env, daily_yaml

DAY = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)  # what `daily` works on by default
LIST_COLUMNS = [("userid", "varchar"), ("username", "varchar"), ("count", "bigint"), ("finished_at", "timestamp")]
EXPORT_COLUMNS = [("time", "timestamp"), ("userid", "varchar"), ("username", "varchar"), ("deviceid", "varchar"),
                  ("type", "varchar"), ("balancechange", "bigint"), ("escrowchange", "bigint"),
                  ("prevbalance", "bigint"), ("reason", "varchar"), ("result", "varchar"),
                  ("opponentusername", "varchar"), ("istransaction", "boolean"), ("awardedprizetype", "varchar"),
                  ("usedpowerup", "varchar"), ("inviterusername", "varchar"), ("iserror", "boolean"),
                  ("count", "bigint")]


def at(days_before: int, hour: int) -> str:
    """An Athena timestamp `days_before` days before DAY at `hour`:00 UTC."""
    moment = dt.datetime.combine(DAY - dt.timedelta(days=days_before), dt.time(hour))
    return moment.strftime("%Y-%m-%d %H:%M:%S.000")


def row(when: str, user: str, name: str, kind: str, change: str | None = None, escrow: str | None = None,
        prev: str | None = None, reason: str | None = None, count: str | None = None) -> list[str | None]:
    return [when, user, name, f"d-{user}", kind, change, escrow, prev, reason, None, "rival" if reason else None,
            "true" if kind != "CashOutFinish" else "false", None, None, None,
            "false" if kind == "CashOutFinish" else None, count]


# alpha (u9001): deposit 1000, wins 80, loses 100, wins 200 on the day -> balance 1180, cashed out at noon
ALPHA = [row(at(2, 10), "u9001", "alpha", "Deposit", "1000", None, "0"),
         row(at(1, 10), "u9001", "alpha", "GameEnd", "180", "-100", "1000", "win"),
         row(at(1, 11), "u9001", "alpha", "GameEnd", "0", "-100", "1080", "loss"),
         row(at(0, 9), "u9001", "alpha", "GameEnd", "300", "-100", "980", "win"),
         row(at(0, 12), "u9001", "alpha", "CashOutFinish", None, None, "1180", count="1")]
# bravo (u9002): an earlier cashout (count 1, five days before) and the day's (count 2) of 400
BRAVO = [row(at(6, 10), "u9002", "bravo", "Deposit", "500", None, "0"),
         row(at(5, 10), "u9002", "bravo", "CashOutFinish", None, None, "500", count="1"),
         row(at(2, 10), "u9002", "bravo", "Deposit", "400", None, "0"),
         row(at(0, 15), "u9002", "bravo", "CashOutFinish", None, None, "400", count="2")]
DAY_LIST = [["u9001", "alpha", "1", at(0, 12)], ["u9002", "bravo", "2", at(0, 15)]]


def run_daily(*args: str) -> tuple[int, dict, str]:
    done = subprocess.run([sys.executable, "-m", "analytics", "daily", "--format", "json", *args], cwd=ROOT,
                          env=cli_env(), capture_output=True, text=True, timeout=300)
    return done.returncode, json.loads(done.stdout), done.stderr


@pytest.fixture
def configured(daily_env: dict, athena: Athena, admin) -> dict:
    daily_yaml(daily_env["config"], cashout={"source": "athena", "fetch_workers": 1},  # moto answers in order
               admin_push={"endpoint": admin.url, "retries": 2, "backoff_seconds": 0, "timeout_seconds": 5})
    return daily_env


def test_yesterdays_cashouts_are_audited_and_pushed_once(configured: dict, athena: Athena, admin) -> None:
    athena.queue(LIST_COLUMNS, DAY_LIST)
    athena.queue(EXPORT_COLUMNS, ALPHA)
    athena.queue(EXPORT_COLUMNS, BRAVO)
    code, result, stderr = run_daily()
    assert code == 0, stderr
    assert result["date"] == DAY.isoformat() and result["success"] is True
    assert [(p["part"], p["success"]) for p in result["parts"]] == [("fraud", True), ("cashout", True),
                                                                   ("overdraft", True)]
    cashout = result["parts"][1]["result"]
    assert (cashout["source"], cashout["cashouts"], cashout["recorded"]) == ("athena", 2, ["u9001#1", "u9002#2"])
    assert cashout["players_fetched"] == ["u9001", "u9002"] and cashout["failed"] == []
    assert cashout["push"]["pushed"] == ["u9001#1", "u9002#2"]
    for part in ("fraud", "cashout", "overdraft"):
        assert f"daily {result['run_id']} {DAY}: {part} started" in stderr
        assert f"daily {result['run_id']} {DAY}: {part} done" in stderr

    # each note arrived once, signed, with the audit's figures (pennies kept as they are)
    assert len(admin.received) == 2 and all(r.signed_ok for r in admin.received)
    bodies = {r.body["cashout_id"]: r.body for r in admin.received}
    assert {r.headers["idempotency-key"] for r in admin.received} == {"u9001#1", "u9002#2"}
    assert (bodies["u9001#1"]["amount"], bodies["u9001#1"]["unit"], bodies["u9001#1"]["user_id"]) == \
        (1180.0, "pennies", "u9001")
    assert (bodies["u9002#2"]["amount"], bodies["u9002#2"]["day"]) == (400.0, DAY.isoformat())
    store = configured["store"]
    with store.connect() as con:
        audits = {r[0]: json.loads(r[1]) for r in con.execute(
            "SELECT cashout_id, result FROM cashout_audits WHERE user_id IN ('u9001', 'u9002')").fetchall()}
        pushes = con.execute("SELECT cashout_id, status, attempts, pushed_by FROM admin_pushes ORDER BY 1").fetchall()
    assert set(audits) == {"u9001#1", "u9002#1", "u9002#2"}  # bravo's earlier cashout audited, not pushed
    assert bodies["u9001#1"]["note"] == note.note(audits["u9001#1"])
    assert bodies["u9001#1"]["audit_id"] == audits["u9001#1"]["audit_id"]
    assert [p[:3] for p in pushes] == [("u9001#1", "pushed", 1), ("u9002#2", "pushed", 1)]

    # the SQL that reached Athena: the query library's files, values as execution parameters
    executions = athena.executions()
    assert len(executions) == 3
    listed, *exports = executions
    expected_sql, _ = AthenaRunner.prepare("daily/athena_cashouts", day_bounds(DAY))
    assert listed["Query"] == expected_sql and "FROM server_events" in expected_sql and "$" not in expected_sql
    assert listed["ExecutionParameters"] == [f"TIMESTAMP '{DAY} 00:00:00.000'",
                                             f"TIMESTAMP '{DAY + dt.timedelta(days=1)} 00:00:00.000'"]
    export_sql, _ = AthenaRunner.prepare("cashout/raw_export", {"player": "x"})
    assert [e["Query"] for e in exports] == [export_sql, export_sql]
    # raw_export.sql names $player four times (userid or username, and again for the invitees)
    assert [e["ExecutionParameters"] for e in exports] == [["'u9001'"] * 4, ["'u9002'"] * 4]

    # a second run for the same day: Athena lists the same cashouts; nothing fetched, audited or pushed
    athena.queue(LIST_COLUMNS, DAY_LIST)
    code, again, stderr = run_daily("--date", DAY.isoformat())
    assert code == 0, stderr
    second = again["parts"][1]["result"]
    assert (second["recorded"], second["already"], second["players_fetched"]) == ([], ["u9001#1", "u9002#2"], [])
    assert (second["push"]["pushed"], second["push"]["already_pushed"]) == ([], ["u9001#1", "u9002#2"])
    assert len(admin.received) == 2 and len(athena.executions()) == 4
    with store.connect() as con:
        assert con.execute("SELECT count(*) FROM daily_runs").fetchone()[0] == 2
        assert con.execute("SELECT count(*) FROM daily_run_parts WHERE success").fetchone()[0] == 6
