"""Log files through the foundation's loading (Home, init-db) and the `logs` command."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from analytics import ingest
from analytics.overdraft import figures
from analytics.overdraft import ingest as log_ingest
from tests.conftest import ROOT
from tests.overdraft import logkit as k
from tests.overdraft import scenario


def test_matches_log_files_and_gzipped_logs_only(tmp_path: Path) -> None:
    (tmp_path / "x.gz").write_bytes(gzip.compress(b"2024-01-01T00:00:00.000Z START RequestId: a Version: 1\n"))
    (tmp_path / "y.gz").write_bytes(gzip.compress(b"a,b\n1,2\n"))
    (tmp_path / "z.gz").write_bytes(b"not gzip")
    assert log_ingest.matches(Path("a.log")) and log_ingest.matches(Path("A.LOG.GZ"))
    assert log_ingest.matches(tmp_path / "x.gz")
    assert not log_ingest.matches(tmp_path / "y.gz") and not log_ingest.matches(tmp_path / "z.gz")
    assert not log_ingest.matches(Path("a.csv"))


def test_home_upload_path_stages_both_tables_and_keeps_malformed_lines(store, actor, tmp_path: Path) -> None:
    paths = scenario.write(tmp_path / "logs")
    broken = tmp_path / "logs" / "c.log"
    good = k.tx_record("2024-03-06T10:00:00.000Z", "rb", k.transaction("T80", scenario.U[1], 1))
    broken.write_text(k.start("2024-03-06T10:00:00.000Z", "rb") + good[:200] + "\n"
                      + k.one_request("2024-03-06T11:00:00.000Z", "rc", k.transaction("T81", scenario.U[1], 2)))
    outcomes = ingest.load_files(store, [(p, p.name) for p in [*paths, broken]], actor)
    assert [(o.status, o.contract, o.table, o.rows_loaded) for o in outcomes] == [
        ("loaded", "lambda_logs", "lambda_transactions", 9), ("loaded", "lambda_logs", "lambda_transactions", 3),
        ("loaded", "lambda_logs", "lambda_transactions", 1)]
    assert [(r.line, r.reason) for r in outcomes[2].rejects] == [(2, "unterminated string")]  # cut in a string
    report = figures.report(store)
    assert report["transactions"] == 13 and report["errors"] == 6
    assert report["malformed"] == [{"file": "c.log", "line": 2, "reason": "unterminated string"}]
    again = ingest.load_files(store, [(paths[0], "copy.log")], actor)
    assert again[0].status == "duplicate" and figures.report(store)["transactions"] == 13


def run_cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analytics", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_logs_command_prints_the_contract_json_and_writes_the_csvs(cli_env, tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    scenario.write(folder)
    (folder / "notes.txt").write_text("not a log")  # a folder is searched for log files only
    out = tmp_path / "out"
    done = run_cli(cli_env, "logs", str(folder), "--out", str(out), "--format", "json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert list(result)[:13] == list(figures.REPORT_KEYS)
    assert (result["files"], result["transactions"], result["overdraft_users"]) == (2, 12, 3)
    assert result["median_lead_time_hours"] == 24.0 and result["failed"] == [] and result["success"] is True
    assert sorted(p.name for p in out.iterdir()) == ["at_risk.csv", "errors.csv", "transactions.csv"]
    text = run_cli(cli_env, "logs", str(folder))
    assert text.returncode == 0 and "2 log files, 70 records: 12 transactions" in text.stdout


def test_a_file_that_is_not_a_log_gives_exit_2_after_the_others(cli_env, tmp_path: Path) -> None:
    paths = scenario.write(tmp_path / "logs")
    bad = tmp_path / "bad.log"
    bad.write_text("hello\n")
    done = run_cli(cli_env, "logs", str(bad), *map(str, paths), "--format", "json")
    assert done.returncode == 2
    result = json.loads(done.stdout)
    assert result["transactions"] == 12 and result["success"] is False
    assert result["failed"] == [{"file": "bad.log", "error": "bad.log: no log records (a record starts with an "
                                 "ISO timestamp or a JSON object)"}]
    assert "bad.log: no log records" in done.stderr
    missing = run_cli(cli_env, "logs", str(tmp_path / "nope"))
    assert missing.returncode == 2 and missing.stderr.startswith("error: ") and "no such file" in missing.stderr


def test_alert_flag_sends_once(cli_env, tmp_path: Path) -> None:
    paths = scenario.write(tmp_path / "logs")
    config = tmp_path / "config"
    config.mkdir()
    for name in ("overdraft.yaml",):
        (config / name).write_text((ROOT / "config" / name).read_text())
    (config / "notify.yaml").write_text(f"backend: file\nfile_path: {tmp_path / 'alerts.jsonl'}\n")
    env = {**cli_env, "RISKDESK_CONFIG_DIR": str(config)}
    first = json.loads(run_cli(env, "logs", *map(str, paths), "--alert", "--format", "json").stdout)
    second = json.loads(run_cli(env, "logs", *map(str, paths), "--alert", "--format", "json").stdout)
    assert len(first["alerts"]["sent"]) == 4 and second["alerts"]["sent"] == []  # the 4 episodes of scenario
    assert len((tmp_path / "alerts.jsonl").read_text().splitlines()) == 4


@pytest.mark.slow
def test_init_db_loads_the_sample_logs_with_the_known_figures(cli_env) -> None:
    done = run_cli(cli_env, "init-db", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["derived"]["overdraft"] == {
        "transactions": 2418, "errors": 170, "overdraft_users": 16, "at_risk": 4}
    result = json.loads(run_cli(cli_env, "logs", str(ROOT / "sample_data" / "lambda_logs"), "--format",
                                "json").stdout)
    # the generator author's facts (notes on the committed sample)
    assert (result["files"], result["records"], result["transactions"], result["errors"]) == (5, 13108, 2418, 170)
    assert (result["sync_errors"], result["users"], result["overdraft_rows"]) == (156, 300, 38)
    assert result["malformed"] == [{"file": "balance-sync_2024-05-06_2024-05-15.log", "line": 1898,
                                    "reason": "unterminated object"}]
    assert result["overdraft_users"] == 16 and result["out_of_sync_users"] == 22
    assert result["overdraft_rows_out_of_sync_share"] == pytest.approx(36 / 38)
    assert result["out_of_sync_precision"] == pytest.approx(14 / 22)
    assert result["median_lead_time_hours"] == pytest.approx(105.416, abs=0.001)
