"""`python -m analytics audit / audit-batch / audit-note` as a user runs them.

The first test runs a real subprocess; the others call the same `analytics.cli.main` in-process
(same parser, handlers, stdout and exit codes) to keep the suite quick.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analytics.cli import main
from analytics.settings import sample_dir
from tests.cashout.helpers import at, ev, export, games
from tests.conftest import ROOT, write

SAMPLES = sample_dir() / "cashout"


def subprocess_cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analytics", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def cli(db_path, capsys):
    """Run `python -m analytics ARGS` in-process on the test's store; returns returncode/stdout/stderr."""
    def run(_env: dict, *args: str) -> subprocess.CompletedProcess:
        capsys.readouterr()
        code = main(list(args))
        out = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out.out, out.err)

    return run


def audits_of(result: subprocess.CompletedProcess) -> dict[str, dict]:
    return {a["cashout_id"]: a for a in json.loads(result.stdout)}


def test_single_file_prints_one_json_list_ordered_by_cashout_time(cli_env, tmp_path: Path) -> None:
    cli = subprocess_cli
    result = cli(cli_env, "audit", str(SAMPLES / "marlowe_9302023.csv"), "--format", "json")
    assert result.returncode == 0, result.stderr
    audits = json.loads(result.stdout)   # exactly one JSON document on stdout
    assert [a["cashout_id"] for a in audits] == ["c-9705", "c-10118"]
    first, second = audits
    assert (first["verdict"], first["amount"], first["reconciliation"]["audited_value"]) == ("approved", 11.8, 11.8)
    assert second["verdict"] == "flagged" and [r["code"] for r in second["reasons"]] == ["value_mismatch"]
    assert second["reconciliation"] == {"audited_value": 12.2, "discrepancy_share": 0.491667}  # 11.8 / 24
    assert second["cashout_time"] == "2023-09-30T17:55:03Z" and second["audit_id"].startswith("au-")
    # a re-audit replaces nothing and adds nothing: same audit, same id
    again = cli(cli_env, "audit", str(SAMPLES / "marlowe_9302023.csv"), "--format", "json")
    assert json.loads(again.stdout) == audits
    count = cli(cli_env, "sql", "SELECT count(*) FROM cashout_audits", "--format", "json")
    assert json.loads(count.stdout)["rows"] == [[2]]


def test_many_players_in_one_file_and_unsorted_rows(cli, cli_env) -> None:
    result = cli(cli_env, "audit", str(SAMPLES / "cashouts_1052023.csv"), str(SAMPLES / "foxtrot9_1062023.csv"),
                 str(SAMPLES / "tomsawyer88_1032023.csv"), "--format", "json")
    assert result.returncode == 0, result.stderr
    audits = audits_of(result)
    assert sorted(audits) == ["c-10130", "c-10140", "c-10150", "c-10163", "c-10171"]
    # u1010 is seen on bluefox's device only in foxtrot9's file: sharing is read across files
    assert audits["c-10163"]["device_sharing"]["other_accounts"] == ["u1009", "u1010"]
    assert audits["c-10171"]["device_sharing"]["other_accounts"] == ["u1008", "u1009"]
    assert audits["c-10150"]["reasons"][0]["code"] == "fast_cashout"
    tom = audits["c-10140"]   # rows out of time order in its file
    assert (tom["key_numbers"]["games_to_cashout"], tom["key_numbers"]["winrate"]) == (40, 0.575)
    assert tom["reconciliation"] == {"audited_value": 12.3, "discrepancy_share": 0.025}
    text = cli(cli_env, "audit", str(SAMPLES / "tomsawyer88_1032023.csv"))
    assert text.stdout.startswith("Cashout c-10140 - tomsawyer88 (u1003) - 12.00 on 2023-10-03 11:15 UTC")


def test_raw_export_with_duplicate_and_failed_cashout_finish(cli, cli_env) -> None:
    result = cli(cli_env, "audit", str(SAMPLES / "raw" / "raw_jaxxon77_9222023.csv"), "--format", "json")
    assert result.returncode == 0, result.stderr
    audits = json.loads(result.stdout)
    assert [a["cashout_id"] for a in audits] == ["u1401#1", "u1401#3"]   # count 1 twice = one; count 2 failed
    one, three = audits
    assert {a["unit"] for a in audits} == {"pennies"}
    assert (one["amount"], one["reconciliation"]["audited_value"]) == (2430.0, 2430.0)
    assert (three["amount"], three["reconciliation"]["audited_value"]) == (2410.0, 2410.0)
    assert one["key_numbers"]["games_to_cashout"] == 16 and one["key_numbers"]["winrate"] == 0.5625
    assert three["key_numbers"]["games_to_cashout"] == 17 and three["key_numbers"]["winrate"] == 0.588235
    assert one["collusion"]["related_players"] == ["u1402", "u1403"]
    assert all(a["verdict"] == "approved" for a in audits)
    assert "Deposit x1 (+1,000 pennies)" in one["warnings"][0]
    assert "CashOutFinish count 1 of u1401 appears 2 times" in result.stderr
    assert "count 2 of u1401 (line 94) has iserror=true" in result.stderr


def test_file_with_no_cashout_and_bad_export_exit_2_after_the_others(cli, cli_env, tmp_path: Path) -> None:
    none = export(tmp_path, "nocash_9192023.csv", games(1, 3, 0.5, "true"))
    bad = write(tmp_path / "bad_9192023.csv", "event_time,user_id,username,event_type,won\n"
                "2023-09-01T10:00:00Z,u1,a,game_end,true\n")
    result = cli(cli_env, "audit", str(none), str(bad), str(SAMPLES / "acehigh_9282023.csv"), "--format", "json")
    assert result.returncode == 2
    assert [a["cashout_id"] for a in json.loads(result.stdout)] == ["c-10102"]   # the good file was audited
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        "error: nocash_9192023.csv: no cashout row (event_type cashout, or a successful CashOutFinish): "
        "nothing to audit",
        "error: bad_9192023.csv: missing required column amount (contract cashout_events, "
        "see contracts/cashout_events.md)",
    ]


def test_two_batch_runs_on_the_same_day(cli, cli_env, tmp_path: Path) -> None:
    inbox, results = tmp_path / "inbox", tmp_path / "results"
    inbox.mkdir()
    for name in ("wrickmon_9192023.csv", "acehigh_9282023.csv"):
        shutil.copy(SAMPLES / name, inbox / name)
    write(inbox / "broken.csv", "event_time,user_id\n2023-09-01T00:00:00Z,u1\n")
    first = cli(cli_env, "audit-batch", "--inbox", str(inbox), "--results", str(results),
                "--auditor", "jdoe", "--date", "2023-10-02", "--format", "json")
    assert first.returncode == 2, first.stderr   # broken.csv could not be audited
    summary = json.loads(first.stdout)
    assert summary["audited"] == ["acehigh_9282023.csv", "wrickmon_9192023.csv"]
    day = json.loads((results / "audit_jdoe_10-02-2023.json").read_text())
    assert [a["cashout_id"] for a in day["audits"]] == ["c-9712", "c-9981", "c-10102"]
    assert [f["file"] for f in day["failed"]] == ["broken.csv"]
    assert sorted(p.name for p in (inbox / "10-02-2023").iterdir()) == ["acehigh_9282023.csv",
                                                                        "wrickmon_9192023.csv"]
    assert sorted(p.name for p in inbox.iterdir() if p.is_file()) == ["broken.csv"]   # left in the inbox
    txt = (results / "audit_jdoe_10-02-2023.txt").read_text()
    assert txt.startswith("Cashout audits of 10-02-2023 (jdoe): 3 audits - 2 approved, 1 flagged, 0 rejected")
    assert "broken.csv is not a cashout export: expected the columns" in txt

    # second run the same day: a new file, the broken one fixed, and an archived file dropped again
    shutil.copy(SAMPLES / "marlowe_9302023.csv", inbox / "marlowe_9302023.csv")
    shutil.copy(SAMPLES / "acehigh_9282023.csv", inbox / "acehigh_again.csv")
    (inbox / "broken.csv").unlink()
    second = cli(cli_env, "audit-batch", "--inbox", str(inbox), "--results", str(results),
                 "--auditor", "jdoe", "--date", "2023-10-02", "--format", "json")
    assert second.returncode == 0, second.stderr
    summary = json.loads(second.stdout)
    assert summary["audited"] == ["marlowe_9302023.csv"]
    assert [s["file"] for s in summary["skipped"]] == ["acehigh_again.csv"]   # never audited twice
    day = json.loads((results / "audit_jdoe_10-02-2023.json").read_text())
    assert [a["cashout_id"] for a in day["audits"]] == ["c-9705", "c-9712", "c-9981", "c-10102", "c-10118"]
    assert len({a["audit_id"] for a in day["audits"]}) == 5
    assert day["failed"] == [{"file": "broken.csv", "error": day["failed"][0]["error"]}]   # still reported
    assert not [p for p in inbox.iterdir() if p.is_file()]
    audits = cli(cli_env, "sql", "SELECT count(*) FROM cashout_audits", "--format", "json")
    assert json.loads(audits.stdout)["rows"] == [[5]]

    note = cli(cli_env, "audit-note", str(results / "audit_jdoe_10-02-2023.json"))
    assert note.returncode == 0
    assert note.stdout.count("Cashout c-") == 5 and "Verdict: FLAGGED (high_winrate)" in note.stdout
    assert "Not audited:\n  * broken.csv" in note.stdout


def test_audit_note_reads_audit_output_and_refuses_other_json(cli, cli_env, tmp_path: Path) -> None:
    result = cli(cli_env, "audit", str(SAMPLES / "queenbee_1012023.csv"), "--format", "json")
    saved = write(tmp_path / "out.json", result.stdout)
    note = cli(cli_env, "audit-note", str(saved), "--format", "json")
    [entry] = json.loads(note.stdout)["notes"]
    assert entry["cashout_id"] == "c-10121"
    assert entry["note"].splitlines()[1] == "Verdict: REJECTED (collusion)"
    other = write(tmp_path / "other.json", '{"rows": []}')
    refused = cli(cli_env, "audit-note", str(other))
    assert refused.returncode == 2 and "expected a list of audits" in refused.stderr


def test_batch_needs_a_safe_auditor_name_and_an_inbox(cli, cli_env, tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    bad = cli(cli_env, "audit-batch", "--inbox", str(tmp_path / "in"), "--results", str(tmp_path / "r"),
              "--auditor", "../evil")
    assert bad.returncode == 2 and "--auditor '../evil'" in bad.stderr
    missing = cli(cli_env, "audit-batch", "--inbox", str(tmp_path / "nope"), "--results", str(tmp_path / "r"),
                  "--auditor", "jdoe")
    assert missing.returncode == 2 and "no such folder" in missing.stderr


def test_audit_of_a_folder_audits_its_csvs(cli, cli_env, tmp_path: Path) -> None:
    export(tmp_path / "exports", "a.csv", [*games(1, 5, 0.2, "true"), ev(at(2), "cashout", 1, cashout_id="c1")])
    result = cli(cli_env, "audit", str(tmp_path / "exports"), "--format", "json")
    assert result.returncode == 0 and [a["cashout_id"] for a in json.loads(result.stdout)] == ["c1"]


def test_rejected_rows_are_counted_and_named_on_stderr(cli, cli_env, tmp_path: Path) -> None:
    rows = [*games(1, 5, 0.2, "true"), ev(at(1, 20), "game_end", "abc", "true"),
            ev(at(2), "cashout", 1, cashout_id="c1")]
    result = cli(cli_env, "audit", str(export(tmp_path, "rj.csv", rows)), "--format", "json")
    assert result.returncode == 0   # the rest of the file was audited
    assert "warning: rj.csv: 1 rows rejected (kept in load_rejects)" in result.stderr
    assert "warning: rj.csv: line 7: amount: 'abc' is not a number" in result.stderr
