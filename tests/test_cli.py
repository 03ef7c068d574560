"""The command line: every listed command works; JSON on stdout only; exit codes 0 / 2."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, write

HEADER = "event_time,user_id,username,event_type,amount,won,counterparty_id,device_id,cashout_id\n"


def cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analytics", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def listed_commands(env: dict) -> list[str]:
    out = cli(env, "--help").stdout
    block = out.split("positional arguments:")[1].split("options:")[0]
    return re.findall(r"^    (\S[\w-]+)", block, flags=re.M)


def test_help_lists_the_foundation_commands(cli_env) -> None:
    names = listed_commands(cli_env)
    assert {"sample-data", "init-db", "load", "tables", "sql"} <= set(names)
    for name in names:  # every listed command answers --help
        result = cli(cli_env, name, "--help")
        assert result.returncode == 0, (name, result.stderr)


def test_load_tables_and_sql_on_a_fresh_store(tmp_path: Path, cli_env) -> None:
    good = write(tmp_path / "a.csv", HEADER + "2023-09-19T14:02:11Z,u1,a,game_end,1.5,true,,,\n"
                 "2023-09-19T15:02:11Z,u1,a,cashout,oops,,,,c1\n")
    result = cli(cli_env, "load", str(good), "--format", "json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["rows_loaded"] == 1 and payload["rows_rejected"] == 1
    assert payload["results"][0]["rejects"] == [
        {"line": 3, "reason": "amount: 'oops' is not a number",
         "raw": "2023-09-19T15:02:11Z,u1,a,cashout,oops,,,,c1"}]

    again = json.loads(cli(cli_env, "load", str(good), "--format", "json").stdout)
    assert again["duplicates"] == 1 and again["rows_loaded"] == 0

    tables = json.loads(cli(cli_env, "tables", "--format", "json").stdout)["tables"]
    events = next(t for t in tables if t["table"] == "cashout_events")
    assert events["rows"] == 1 and events["first"] == "2023-09-19T14:02:11Z"

    answer = cli(cli_env, "sql", "SELECT user_id, amount FROM cashout_events", "--format", "json")
    assert answer.returncode == 0
    assert json.loads(answer.stdout)["rows"] == [["u1", 1.5]]


def test_bad_input_exits_2_with_one_line(tmp_path: Path, cli_env) -> None:
    bad = write(tmp_path / "nope.csv", "event_time,user_id,username,event_type\n")
    result = cli(cli_env, "load", str(bad), "--format", "json")
    assert result.returncode == 2
    assert json.loads(result.stdout)["results"][0]["error"].startswith(
        "nope.csv: missing required column amount")
    refused = cli(cli_env, "sql", "DROP TABLE players", "--format", "json")
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.strip().count("\n") == 0
    assert "DROP statements are refused" in refused.stderr
    missing = cli(cli_env, "load", str(tmp_path / "missing.csv"))
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_init_db_loads_the_samples_once(cli_env) -> None:
    first = cli(cli_env, "init-db", "--format", "json")
    assert first.returncode == 0, first.stderr
    payload = json.loads(first.stdout)
    assert payload["created"] is True and payload["failed"] == 0 and payload["rows_loaded"] > 0
    second = json.loads(cli(cli_env, "init-db", "--if-missing", "--format", "json").stdout)
    assert second["created"] is False


def test_sample_data_command_writes_the_samples(tmp_path: Path, cli_env) -> None:
    result = cli(cli_env, "sample-data", "--out", str(tmp_path / "s"), "--format", "json")
    assert result.returncode == 0, result.stderr
    files = json.loads(result.stdout)["files"]
    assert any(f.endswith(".csv") for f in files)
    assert all(Path(f).is_file() for f in files)
