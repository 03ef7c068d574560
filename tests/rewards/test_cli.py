"""`python -m analytics rewards`: the contract's JSON, saving, --issue idempotency and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from analytics.cli import main
from analytics.store import Store
from tests.conftest import ROOT, write
from tests.rewards.test_engine import CASHBACK

SAMPLE = ROOT / "sample_data" / "players"
HEADER = "player_id,total_deposited,total_wagered,total_won,sessions,playtime_hours\n"


def cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    """The command in a child process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "analytics", "rewards", *args, "--format", "json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def run(capsys: pytest.CaptureFixture, cli_env) -> Callable[..., subprocess.CompletedProcess]:
    """The command in this process (faster; same code path as the child process)."""

    def go(_env: dict, *args: str) -> subprocess.CompletedProcess:
        code = main(["rewards", *args, "--format", "json"])
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out, err)

    return go


def test_the_contract_example_exactly(tmp_path: Path, cli_env) -> None:
    players = write(tmp_path / "p.csv", HEADER + "P001,500,6000,3000,10,12.5\n")
    rules = write(tmp_path / "rules.json", json.dumps(CASHBACK))
    result = cli(cli_env, str(players), "--rules", str(rules))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        {
            "player_id": "P001",
            "segment": "LOSING",
            "state": {"net_pnl": -3000.0, "net_loss": 3000.0, "avg_wager_per_session": 600.0},
            "rewards": [
                {
                    "rule_id": "LOSING_PLAYER_CASHBACK",
                    "type": "BONUS_BALANCE",
                    "amount": 300.0,
                    "approved": True,
                    "reason": None,
                    "ev": {
                        "expected_wager": 6000.0,
                        "expected_revenue": 300.0,
                        "expected_profit": 0.0,
                        "roi_percent": 0.0,
                    },
                }
            ],
            "abuse": {"score": 0, "signals": [], "action": "NO_ACTION"},
        }
    ]
    assert result.stdout.count("\n") == 1  # one JSON document, nothing else on stdout


def test_samples_with_ledger_then_issue_twice(run, cli_env, db_path: Path) -> None:
    args = [
        str(SAMPLE / "players.csv"),
        "--rules",
        str(SAMPLE / "rules.json"),
        "--transactions",
        str(SAMPLE / "transactions.csv"),
    ]
    result = run(cli_env, *args)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert len(payload) == 500 and [p["player_id"] for p in payload] == sorted(
        p["player_id"] for p in payload
    )
    assert Counter(p["segment"] for p in payload) == {
        "NEW": 176,
        "LOSING": 173,
        "BREAKEVEN": 74,
        "WINNING": 63,
        "VIP": 14,
    }
    blocked = next(p for p in payload if p["player_id"] == "P0169")
    assert blocked["abuse"] == {
        "score": 85,
        "signals": ["fast_withdrawal", "bet_jump", "multi_accounting"],
        "action": "BLOCKED",
    }
    assert blocked["rewards"][0]["rule_id"] == "LOSING_PLAYER_CASHBACK"
    assert (blocked["rewards"][0]["approved"], blocked["rewards"][0]["reason"]) == (False, "abuse: BLOCKED")
    # matched / approved per rule: the ground truth (LOSING 164/93) less the BLOCKED player; the five
    # multi-accounting players at 40 points get REDUCED_REWARDS (half), which does not change approval here
    tally = Counter((r["rule_id"], r["approved"]) for p in payload for r in p["rewards"])
    assert tally[("LOSING_PLAYER_CASHBACK", True)] == 92 and tally[("LOSING_PLAYER_CASHBACK", False)] == 72
    assert tally[("NEW_PLAYER_WELCOME_TICKETS", True)] == 67 and tally[("WINNING_PLAYER_RELOAD", True)] == 0
    assert tally[("BREAKEVEN_REWARD_POINTS", True)] == 70 and tally[("VIP_LOYALTY_POINTS", True)] == 14
    assert tally[("HIGH_ROLLER_CASHBACK", True)] == 3 and ("WEEKEND_FREE_SPINS", True) not in tally
    with Store(db_path).connect() as con:  # saved the players and the ledger, issued nothing, saved no rule
        assert con.execute("SELECT count(*) FROM players").fetchone()[0] == 500
        assert con.execute("SELECT count(*) FROM player_transactions").fetchone()[0] == 15810
        assert con.execute("SELECT count(*) FROM wallet_ledger").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM reward_rule_versions").fetchone()[0] == 0

    first = run(cli_env, *args, "--issue")
    assert first.returncode == 0, first.stderr
    issued = [r for p in json.loads(first.stdout) for r in p["rewards"] if r["issued"]]
    assert len(issued) == 246 and {r["rule_version"] for r in issued} == {1}
    again = run(cli_env, *args, "--issue")  # a retry pays nothing twice
    entries = [r for p in json.loads(again.stdout) for r in p["rewards"] if r["approved"]]
    assert len(entries) == 246 and {r["issue_status"] for r in entries} == {"already issued"}
    with Store(db_path).connect() as con:
        assert con.execute("SELECT count(*) FROM wallet_ledger WHERE kind = 'reward'").fetchone()[0] == 246
        assert con.execute("SELECT count(DISTINCT rule_id) FROM reward_rule_versions").fetchone()[0] == 7


def test_excel_export_gives_the_same_answers(run, cli_env) -> None:
    from_csv = json.loads(
        run(cli_env, str(SAMPLE / "players.csv"), "--rules", str(SAMPLE / "rules.json")).stdout
    )
    from_xlsx = run(cli_env, str(SAMPLE / "players.xlsx"), "--rules", str(SAMPLE / "rules.json"))
    assert from_xlsx.returncode == 0, from_xlsx.stderr
    assert json.loads(from_xlsx.stdout) == from_csv[:50]  # the workbook holds P0001..P0050


def test_a_bad_rule_exits_2_naming_it_and_saves_nothing(run, tmp_path: Path, cli_env, db_path: Path) -> None:
    rules = json.loads((SAMPLE / "rules.json").read_text())
    rules[2]["reward_config"]["formula"] = "net_loss.__class__"
    bad = write(tmp_path / "rules.json", json.dumps(rules))
    result = run(cli_env, str(SAMPLE / "players.csv"), "--rules", str(bad))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(
        "error: rules.json: rule LOSING_PLAYER_CASHBACK: formula 'net_loss.__class__'"
    )
    assert result.stderr.count("\n") == 1
    if db_path.exists():
        with Store(db_path).connect() as con:
            assert con.execute("SELECT count(*) FROM players").fetchone()[0] == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("player_id,total_wagered\nP1,5\n", "missing required columns total_deposited, total_won, sessions"),
        ("", "the file is empty"),
    ],
)
def test_a_bad_players_file_exits_2(run, tmp_path: Path, cli_env, content: str, message: str) -> None:
    players = write(tmp_path / "p.csv", content)
    result = run(cli_env, str(players), "--rules", str(SAMPLE / "rules.json"))
    assert result.returncode == 2 and message in result.stderr and result.stdout == ""


def test_rejected_rows_are_reported_and_a_bad_ledger_exits_2_after_the_output(
    run, tmp_path: Path, cli_env
) -> None:
    players = write(
        tmp_path / "p.csv", HEADER + "P1,100,6000,3000,10,5\nP2,100,lots,3000,10,5\nP1,100,6000,2000,10,5\n"
    )
    ledger = write(tmp_path / "tx.csv", "player_id,time\nP1,2024-01-01\n")
    result = run(cli_env, str(players), "--rules", str(SAMPLE / "rules.json"), "--transactions", str(ledger))
    assert result.returncode == 2
    payload = json.loads(result.stdout)
    assert [p["player_id"] for p in payload] == ["P1"]  # P2's row could not be read
    assert payload[0]["state"]["net_loss"] == 4000.0  # P1's last row in the file is used
    assert "p.csv line 3: total_wagered: 'lots' is not a number (row skipped)" in result.stderr
    assert "player P1 appears 2 times; its last row is used" in result.stderr
    assert "error: tx.csv: missing required columns type, amount" in result.stderr
