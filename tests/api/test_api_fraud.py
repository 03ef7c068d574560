"""Fraud pipeline over HTTP: run it on the stored events, list and read runs, the fraudsters table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analytics import cli, ingest
from analytics.identity import Actor
from tests.api.conftest import count

HEADER = ("distinct_id,event_time,event_name,platform,install_time,chapter,credits_balance,metapoints_balance,"
          "quantity,price_usd,payment_platform,transaction_id,google_order_number,checkout_id\n")
# One web player whose credits balance goes below zero: pattern 7 (negative_balance_flag), and on web
# any flag makes a fraudster. Its only event is on 2025-06-10.
EVENTS = HEADER + "api_neg,2025-06-10T10:00:00Z,session_start,web,2025-06-10T09:00:00Z,1,-5,0,,,,,,\n"
STEPS = [("Step 1", "potential_fraudsters"), ("Step 2", "offer_wall_progression_cheaters"),
         ("Step 3", "fraudsters"), ("Step 4", "cohort_export")]


@pytest.fixture(scope="module")
def events(api_env: dict, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fraud") / "api_events.csv"
    path.write_text(EVENTS)
    outcome = ingest.load_files(api_env["store"], [(path, path.name)], Actor("t", "admin"), "game_events")
    assert outcome[0].status == "loaded"
    return path


@pytest.fixture(scope="module")
def run(client, events: Path) -> dict:
    response = client.post("/api/fraud/runs", json={})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_run_answers_the_four_logged_steps(run: dict) -> None:
    assert run["success"] is True
    assert [(s["step"], s["name"], s["success"]) for s in run["steps"]] == [(a, b, True) for a, b in STEPS]
    assert run["until"] is None  # no date: every stored event
    assert run["loaded"]["files"] == 0 and run["manual"] is None


def test_the_hand_made_player_becomes_a_fraudster(client, run: dict, api_env: dict) -> None:
    got = client.get("/api/fraud/fraudsters", params={"pattern": "7", "limit": 1000}).json()
    mine = [r for r in got["items"] if r["distinct_id"] == "api_neg"]
    assert len(mine) == 1 and mine[0]["negative_balance_flag"] == 1 and mine[0]["platform"] == "web"
    flagged = count(api_env["store"], "SELECT count(*) FROM fraudsters WHERE negative_balance_flag = 1")
    assert got["total"] == flagged  # the filter keeps exactly the rows with that flag
    by_name = client.get("/api/fraud/fraudsters", params={"pattern": "negative_balance", "limit": 1000}).json()
    by_flag = client.get("/api/fraud/fraudsters", params={"pattern": "negative_balance_flag", "limit": 1000}).json()
    assert by_name == by_flag == got


def test_fraudsters_list_pages_and_filters_by_platform(client, run: dict, api_env: dict) -> None:
    everyone = client.get("/api/fraud/fraudsters", params={"limit": 1000}).json()
    assert everyone["total"] == count(api_env["store"], "SELECT count(*) FROM fraudsters")
    web = client.get("/api/fraud/fraudsters", params={"platform": "web", "limit": 1000}).json()
    assert web["total"] == count(api_env["store"], "SELECT count(*) FROM fraudsters WHERE platform = 'web'")
    assert all(r["platform"] == "web" for r in web["items"])
    ids = [r["distinct_id"] for r in everyone["items"]]
    assert ids == sorted(ids)
    page = client.get("/api/fraud/fraudsters", params={"limit": 2, "offset": 1}).json()
    assert [r["distinct_id"] for r in page["items"]] == ids[1:3]


def test_fraudsters_bad_filters_name_the_field(client) -> None:
    bad = client.get("/api/fraud/fraudsters", params={"pattern": "99"})
    assert bad.status_code == 400 and bad.json()["error"].startswith("pattern '99'")
    bad = client.get("/api/fraud/fraudsters", params={"platform": "windows"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "query.platform"


def test_runs_list_and_one_run(client, run: dict, api_env: dict) -> None:
    runs = client.get("/api/fraud/runs").json()
    assert runs["total"] == count(api_env["store"], "SELECT count(*) FROM fraud_runs WHERE ended_at IS NOT NULL")
    assert runs["items"][0]["run_id"] == run["run_id"]  # newest first
    one = client.get(f"/api/fraud/runs/{run['run_id']}").json()
    assert one["run_id"] == run["run_id"] and one["success"] is True
    assert [(s["step"], s["name"]) for s in one["steps"]] == STEPS
    assert one["steps"][2]["result"] == run["steps"][2]["result"]  # the logged result, as answered
    assert one["fraudsters"] == count(api_env["store"], "SELECT count(*) FROM fraud_run_players WHERE "
                                      "run_id = ? AND fraudster", [run["run_id"]])


def test_unknown_run_is_404(client) -> None:
    missing = client.get("/api/fraud/runs/no-such-run")
    assert missing.status_code == 404 and missing.json()["error"] == "no finished fraud run with id 'no-such-run'"


def test_a_dated_run_ignores_later_events(client, events: Path) -> None:
    dated = client.post("/api/fraud/runs", json={"date": "2025-06-09"}).json()
    assert dated["until"] == "2025-06-10T00:00:00Z"  # the end of 2025-06-09
    one = client.get(f"/api/fraud/runs/{dated['run_id']}").json()
    assert one["as_of_date"] == "2025-06-09"


def test_run_bad_input_names_the_field(client) -> None:
    for body, field in (({"date": "yesterday"}, "body.date"), ({"send": "perhaps"}, "body.send"),
                        ({"dry_run": True}, "body.dry_run")):
        bad = client.post("/api/fraud/runs", json=body)
        assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == field, body
    no_endpoint = client.post("/api/fraud/runs", json={"send": True})
    assert no_endpoint.status_code == 400 and "cohort.endpoint" in no_endpoint.json()["error"]


def test_the_api_answers_the_clis_json(client, events: Path, tmp_path: Path, capsys) -> None:
    capsys.readouterr()
    assert cli.main(["fraud", str(events), "--out", str(tmp_path), "--format", "json"]) == 0
    by_cli = json.loads(capsys.readouterr().out)
    by_api = client.post("/api/fraud/runs", json={}).json()
    assert set(by_api) == set(by_cli)
    assert [(s["step"], s["name"]) for s in by_api["steps"]] == [(s["step"], s["name"]) for s in by_cli["steps"]]
    # the same stored events give the same rows at every step (the CLI loaded nothing new: same content)
    assert [s["result"].get("rows") for s in by_api["steps"]] == [s["result"].get("rows") for s in by_cli["steps"]]
