"""`python -m analytics fraud ...` as the contract says, end to end on the committed sample events."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from analytics.fraud import settings
from analytics.fraud.patterns import BY_NUMBER, FLAGS
from analytics.fraud.settings import FraudSettings
from analytics.samples import game_events as ge
from tests.conftest import ROOT, write
from tests.test_notify import Receiver

EVENTS = ROOT / "sample_data" / "game_events" / "events.csv"
MANUAL = ROOT / "sample_data" / "game_events" / "manual_fraudsters.csv"
HEADER = "distinct_id,event_time,event_name,platform,install_time,credits_balance\n"


def cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "analytics", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


class Ran:
    """An in-process CLI run: exit status and what it printed."""

    def __init__(self, capsys, *args: str) -> None:
        from analytics.cli import main

        self.returncode = main(list(args))
        captured = capsys.readouterr()
        self.stdout, self.stderr = captured.out, captured.err


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One CLI run over the sample events with the sample manual list (shared by the module)."""
    import os

    folder = tmp_path_factory.mktemp("sample")
    (folder / "config").mkdir()
    (folder / "config" / "notify.yaml").write_text(f"backend: file\nfile_path: {folder / 'alerts.jsonl'}\n")
    env = dict(
        os.environ,
        RISKDESK_DB=str(folder / "db.duckdb"),
        RISKDESK_CONFIG_DIR=str(folder / "config"),
        PYTHONPATH=str(ROOT),
    )
    plain = cli(env, "fraud", str(EVENTS), "--out", str(folder / "plain"), "--format", "json")
    manual = cli(
        env,
        "fraud",
        str(EVENTS),
        "--out",
        str(folder / "manual"),
        "--manual",
        str(MANUAL),
        "--format",
        "json",
    )
    return {"plain": plain, "manual": manual, "folder": folder}


def test_sample_events_give_the_ground_truth(sample_run: dict) -> None:
    result = sample_run["plain"]
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["success"] is True
    assert [(s["step"], s["name"]) for s in payload["steps"]] == [
        ("Step 1", "potential_fraudsters"),
        ("Step 2", "offer_wall_progression_cheaters"),
        ("Step 3", "fraudsters"),
        ("Step 4", "cohort_export"),
    ]
    rows = {s["name"]: s["result"]["rows"] for s in payload["steps"]}
    assert rows == {
        "potential_fraudsters": 46,
        "offer_wall_progression_cheaters": 2,
        "fraudsters": 35,
        "cohort_export": 35,
    }
    assert payload["loaded"]["rows_loaded"] == 20_799 and payload["loaded"]["rows_rejected"] == 0
    for key in ("start_time", "end_time"):
        assert payload[key].endswith("Z")
    out = sample_run["folder"] / "plain"
    potential = read_csv(out / "potential_fraudsters.csv")
    assert list(potential[0]) == ["distinct_id", "platform", "install_time", "last_purchase_time", *FLAGS]
    for number, pattern in BY_NUMBER.items():  # every pattern flags exactly its scripted trippers
        got = {r["distinct_id"] for r in potential if r[pattern.flag] == "1"}
        assert got == (set() if number == 10 else set(ge.TRIPPERS[number])), number
        assert not got & set(ge.NEAR_MISSES[number])
    fraud = {r["distinct_id"] for r in read_csv(out / "fraudsters.csv")}
    assert {r["distinct_id"] for r in potential} - fraud == set(ge.EXCLUDED)
    assert {r["distinct_id"] for r in read_csv(out / "offer_wall_progression_cheaters.csv")} == {
        "p06_b",
        "p12_b",
    }
    cohort = json.loads((out / "cohort.json").read_text())
    assert sorted(u["$distinct_id"] for u in cohort) == sorted(fraud)


def test_manual_list_adds_its_players(sample_run: dict) -> None:
    result = sample_run["manual"]
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["loaded"]["duplicates"] == 1  # the same events again add nothing
    assert payload["manual"] == {
        "file": "manual_fraudsters.csv",
        "players": 4,
        "duplicates": 0,
        "rejected": [],
    }
    # 35 by the rules + p01_excl_ios (flagged, excluded) + p09_near_a and u0007 (not flagged); p02_a already in
    assert payload["steps"][2]["result"]["rows"] == 38 and payload["steps"][2]["result"]["new"] == 3
    table = {r["distinct_id"]: r for r in read_csv(sample_run["folder"] / "manual" / "fraudsters.csv")}
    manual = {pid for pid, r in table.items() if r["manual_identification_fraud_purchase_flag"] == "1"}
    assert manual == set(ge.MANUAL_FRAUDSTERS)
    assert table["p01_excl_ios"]["fast_progression_flag"] == "1"


def test_a_bad_file_exits_2_after_the_rest_ran(tmp_path: Path, capsys) -> None:
    good = write(
        tmp_path / "good.csv",
        HEADER + "a,2025-06-05T10:00:00Z,harvest,web,2025-06-01T00:00:00Z,-5\n"
        "b,not a time,harvest,web,2025-06-01T00:00:00Z,1\n",
    )
    bad = write(tmp_path / "bad.csv", "distinct_id,event_time\na,2025-06-05T10:00:00Z\n")
    result = Ran(capsys, "fraud", str(good), str(bad), "--out", str(tmp_path / "out"), "--format", "json")
    assert result.returncode == 2
    assert "bad.csv: missing required column" in result.stderr
    payload = json.loads(result.stdout)
    assert payload["loaded"]["failed"] == 1 and payload["loaded"]["rows_rejected"] == 1, payload["loaded"]
    assert payload["loaded"]["results"][0]["rejects"][0]["line"] == 3
    assert payload["success"] is True and payload["steps"][2]["result"]["rows"] == 1  # a: negative balance


def test_date_ignores_later_events(tmp_path: Path, capsys) -> None:
    events = write(
        tmp_path / "e.csv",
        HEADER + "a,2025-06-05T23:59:59Z,harvest,web,2025-06-01T00:00:00Z,-5\n"
        "b,2025-06-06T00:00:00Z,harvest,web,2025-06-01T00:00:00Z,-5\n",
    )
    result = Ran(
        capsys,
        "fraud",
        str(events),
        "--out",
        str(tmp_path / "out"),
        "--date",
        "2025-06-05",
        "--format",
        "json",
    )
    payload = json.loads(result.stdout)
    assert payload["until"] == "2025-06-06T00:00:00Z"
    assert [r["distinct_id"] for r in read_csv(tmp_path / "out" / "fraudsters.csv")] == ["a"]
    with pytest.raises(SystemExit) as stop:  # argparse refuses it: exit 2, one line on stderr
        Ran(capsys, "fraud", str(events), "--out", str(tmp_path / "o2"), "--date", "06/05/2025")
    assert stop.value.code == 2 and "is not a date YYYY-MM-DD" in capsys.readouterr().err


def test_send_posts_the_cohort_in_batches(tmp_path: Path, capsys, config_dir: Path) -> None:
    receiver = Receiver()
    try:
        cfg = FraudSettings()
        cfg.cohort.endpoint, cfg.cohort.batch_size = receiver.url, 2
        settings.save(cfg)
        events = write(
            tmp_path / "e.csv",
            HEADER
            + "".join(f"p{i},2025-06-05T10:00:00Z,harvest,web,2025-06-01T00:00:00Z,-5\n" for i in range(3)),
        )
        result = Ran(
            capsys, "fraud", str(events), "--out", str(tmp_path / "out"), "--send", "--format", "json"
        )
        assert result.returncode == 0, result.stderr
        payload = json.loads(result.stdout)
        assert payload["send"]["profiles"] == 3 and payload["send"]["batches"] == 2  # 2 + 1
        assert receiver.bodies == [
            [
                {"$distinct_id": "p0", "$set": {"fraudster_cohort_active_v8": True}},
                {"$distinct_id": "p1", "$set": {"fraudster_cohort_active_v8": True}},
            ],
            [{"$distinct_id": "p2", "$set": {"fraudster_cohort_active_v8": True}}],
        ]
        without = Ran(capsys, "fraud", str(events), "--out", str(tmp_path / "o2"), "--format", "json")
        assert without.returncode == 0 and len(receiver.bodies) == 2  # nothing sent without --send
    finally:
        receiver.close()


def test_send_refused_by_the_endpoint_exits_1_and_alerts(tmp_path: Path, capsys, config_dir: Path) -> None:
    refusing = Receiver(status=503)
    try:
        cfg = FraudSettings()
        cfg.cohort.endpoint = refusing.url
        settings.save(cfg)
        events = write(
            tmp_path / "e.csv", HEADER + "a,2025-06-05T10:00:00Z,harvest,web,2025-06-01T00:00:00Z,-5\n"
        )
        result = Ran(
            capsys, "fraud", str(events), "--out", str(tmp_path / "out"), "--send", "--format", "json"
        )
        assert result.returncode == 1
        payload = json.loads(result.stdout)
        assert payload["success"] is False and "answered 503" in payload["send"]["error"]
        alerts = [json.loads(x) for x in (config_dir / "alerts.jsonl").read_text().splitlines()]
        assert alerts[0]["kind"] == "fraud_cohort_send_failed"
    finally:
        refusing.close()


def test_send_without_endpoint_is_refused_before_running(tmp_path: Path, capsys) -> None:
    events = write(
        tmp_path / "e.csv", HEADER + "a,2025-06-05T10:00:00Z,harvest,web,2025-06-01T00:00:00Z,-5\n"
    )
    result = Ran(capsys, "fraud", str(events), "--out", str(tmp_path / "out"), "--send", "--format", "json")
    assert result.returncode == 2 and result.stdout == ""
    assert "cohort.endpoint is required" in result.stderr
    assert not (tmp_path / "out").exists()


def test_thresholds_command_sets_and_rolls_back(capsys) -> None:
    first = json.loads(Ran(capsys, "fraud-thresholds", "--format", "json").stdout)
    assert first["version"] == 1
    changed = Ran(
        capsys,
        "fraud-thresholds",
        "--set",
        "patterns.high_balance.credits_above=300000",
        "--note",
        "fewer whales",
        "--format",
        "json",
    )
    assert changed.returncode == 0, changed.stderr
    payload = json.loads(changed.stdout)
    assert (
        payload["version"] == 2
        and payload["thresholds"]["patterns"]["high_balance"]["credits_above"] == 300000
    )
    assert payload["history"][0]["changes"] == "patterns.high_balance.credits_above: 245000 → 300000"
    back = json.loads(Ran(capsys, "fraud-thresholds", "--rollback", "1", "--format", "json").stdout)
    assert back["version"] == 3 and back["thresholds"]["patterns"]["high_balance"]["credits_above"] == 245000
    wrong = Ran(capsys, "fraud-thresholds", "--set", "patterns.nope.x=1")
    assert wrong.returncode == 2 and "no setting" in wrong.stderr


def test_a_failed_step_exits_1_with_the_json(tmp_path: Path, capsys, monkeypatch) -> None:
    from analytics.fraud import pipeline

    def boom(run) -> dict:
        raise RuntimeError("disk full")

    monkeypatch.setitem(pipeline.STEP_FUNCTIONS, "fraudsters", boom)
    events = write(tmp_path / "e.csv", HEADER + "a,2025-06-05T10:00:00Z,harvest,web,2025-06-01T00:00:00Z,-5\n")
    result = Ran(capsys, "fraud", str(events), "--out", str(tmp_path / "out"), "--format", "json")
    assert result.returncode == 1
    payload = json.loads(result.stdout)
    assert payload["success"] is False
    assert [s["success"] for s in payload["steps"]] == [True, True, False, True]
    assert payload["steps"][2]["error"] == "disk full"
    assert "Step 3 (fraudsters) failed: disk full" in result.stderr
    assert len(payload["alerts"]["sent"]) == 1
