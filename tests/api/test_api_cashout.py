"""Cashout audits over HTTP: upload and audit, the queue, one audit, decisions; same JSON as the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analytics import cli
from analytics.settings import sample_dir

# One player, three games and a cashout, made by hand:
#   games_to_cashout = 3 (two game_end, one matchup_end); won 2 of 3 -> winrate 0.666667
#   take_per_game = (2.0 - 1.0 + 3.0) / 3 = 1.333333; audited_value = 2 - 1 + 3 = 4.0 = the cashout
#   -> discrepancy 0; value sources: game_end 2.0, matchup_end 3.0 of 5.0 -> 0.4 and 0.6
#   verdict: flagged, only for fast_cashout (3 games < 5); device d-api-1 is nobody else's.
EXPORT = """event_time,user_id,username,event_type,amount,won,counterparty_id,device_id,cashout_id
2023-09-01T10:00:00Z,u-api-1,apitester,game_end,2.0,true,,d-api-1,
2023-09-01T11:00:00Z,u-api-1,apitester,game_end,-1.0,false,,d-api-1,
2023-09-01T12:00:00Z,u-api-1,apitester,matchup_end,3.0,true,u-api-2,d-api-1,
2023-09-02T09:00:00Z,u-api-1,apitester,cashout,4.0,,,d-api-1,c-api-1
"""


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("exports") / "apitester_922023.csv"
    path.write_text(EXPORT)
    return path


@pytest.fixture(scope="module")
def uploaded(client, export: Path) -> list[dict]:
    response = client.post("/api/audits", files=[("files", (export.name, export.read_bytes(), "text/csv"))])
    assert response.status_code == 200, response.text
    return response.json()


def test_upload_audits_the_cashout_with_the_hand_computed_figures(uploaded: list[dict]) -> None:
    assert len(uploaded) == 1
    audit = uploaded[0]
    assert audit["audit_id"].startswith("au-")
    assert (audit["cashout_id"], audit["user_id"], audit["verdict"]) == ("c-api-1", "u-api-1", "flagged")
    assert [r["code"] for r in audit["reasons"]] == ["fast_cashout"]
    k = audit["key_numbers"]
    assert (k["games_to_cashout"], k["winrate"], k["take_per_game"]) == (3, 0.666667, 1.333333)
    assert audit["reconciliation"] == {"audited_value": 4.0, "discrepancy_share": 0.0}
    assert audit["value_sources"]["game_end"] == 0.4 and audit["value_sources"]["matchup_end"] == 0.6
    assert audit["source_file"] == "apitester_922023.csv"


def test_the_api_answers_the_same_json_as_the_cli(uploaded: list[dict], export: Path, capsys) -> None:
    capsys.readouterr()
    assert cli.main(["audit", str(export), "--format", "json"]) == 0  # the same content: the stored audit again
    assert json.loads(capsys.readouterr().out) == uploaded


def test_queue_lists_the_audit_with_its_id_and_pages(client, uploaded: list[dict]) -> None:
    everything = client.get("/api/audits", params={"limit": 1000}).json()
    # init-db audits the 15 sample cashouts; this module added one
    assert everything["total"] == 16 == len(everything["items"])
    mine = client.get("/api/audits", params={"player": "apitester"}).json()
    assert mine["total"] == 1
    row = mine["items"][0]
    assert (row["audit_id"], row["verdict"], row["decision"], row["reasons"]) == \
        (uploaded[0]["audit_id"], "flagged", "pending", "fast_cashout")
    page = client.get("/api/audits", params={"limit": 5, "offset": 14}).json()
    assert page["total"] == 16 and len(page["items"]) == 2  # items 15 and 16 of 16
    assert [r["audit_id"] for r in page["items"]] == [r["audit_id"] for r in everything["items"][14:]]
    flagged = client.get("/api/audits", params=[("verdict", "flagged"), ("reason", "fast_cashout")]).json()
    assert uploaded[0]["audit_id"] in {r["audit_id"] for r in flagged["items"]}
    assert all(r["verdict"] == "flagged" and "fast_cashout" in r["reasons"] for r in flagged["items"])


def test_queue_bad_filters_name_the_field(client) -> None:
    bad = client.get("/api/audits", params={"verdict": "maybe"})
    assert bad.status_code == 400 and "verdict 'maybe'" in bad.json()["error"]
    bad = client.get("/api/audits", params={"since": "yesterday"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "query.since"
    bad = client.get("/api/audits", params={"limit": 1001})
    assert bad.status_code == 422 and "query.limit" in bad.json()["error"]


def test_one_audit_and_an_unknown_one(client, uploaded: list[dict]) -> None:
    audit_id = uploaded[0]["audit_id"]
    got = client.get(f"/api/audits/{audit_id}").json()
    assert got["audit_id"] == audit_id and got["decisions"] == []
    assert {k: v for k, v in got.items() if k != "decisions"} == uploaded[0]
    missing = client.get("/api/audits/au-00000000000000000000")
    assert missing.status_code == 404
    assert missing.json() == {"error": "no audit with id 'au-00000000000000000000'", "detail": None}


def test_decisions_are_appended_never_overwritten(client, uploaded: list[dict]) -> None:
    audit_id = uploaded[0]["audit_id"]
    first = client.post(f"/api/audits/{audit_id}/decision", json={"decision": "escalate", "comment": "ask payments"})
    assert first.status_code == 201, first.text
    second = client.post(f"/api/audits/{audit_id}/decision", json={"decision": "approve"})
    assert second.status_code == 201
    assert first.json()["decision_id"] != second.json()["decision_id"]
    assert first.json()["cashout_id"] == "c-api-1"
    got = client.get(f"/api/audits/{audit_id}").json()
    assert [(d["decision"], d["comment"]) for d in got["decisions"]] == [("escalate", "ask payments"),
                                                                         ("approve", None)]
    queue = client.get("/api/audits", params={"player": "apitester"}).json()["items"][0]
    assert (queue["decision"], queue["decisions"]) == ("approve", 2)  # the latest counts; both kept


def test_decision_bad_input_and_unknown_audit(client, uploaded: list[dict]) -> None:
    audit_id = uploaded[0]["audit_id"]
    bad = client.post(f"/api/audits/{audit_id}/decision", json={"decision": "maybe"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "body.decision"
    long = client.post(f"/api/audits/{audit_id}/decision", json={"decision": "approve", "comment": "x" * 2001})
    assert long.status_code == 422 and long.json()["detail"][0]["field"] == "body.comment"
    extra = client.post(f"/api/audits/{audit_id}/decision", json={"decision": "approve", "by": "someone else"})
    assert extra.status_code == 422 and extra.json()["detail"][0]["field"] == "body.by"
    missing = client.post("/api/audits/au-nope/decision", json={"decision": "approve"})
    assert missing.status_code == 404


def test_a_file_that_cannot_be_audited_is_named_after_the_others_are_stored(client, tmp_path: Path) -> None:
    other = EXPORT.replace("u-api-1", "u-api-9").replace("c-api-1", "c-api-9").replace("apitester", "tester9")
    no_cashout = "\n".join(EXPORT.splitlines()[:4]).replace("u-api-1", "u-api-8") + "\n"
    response = client.post("/api/audits", files=[
        ("files", ("tester9_922023.csv", other.encode(), "text/csv")),
        ("files", ("nocashout.csv", no_cashout.encode(), "text/csv")),
    ])
    assert response.status_code == 400
    body = response.json()
    assert "nocashout.csv: no cashout row" in body["error"]
    assert [f["file"] for f in body["detail"]["failed"]] == ["nocashout.csv"]
    assert [a["cashout_id"] for a in body["detail"]["audits"]] == ["c-api-9"]
    assert client.get("/api/audits", params={"player": "tester9"}).json()["total"] == 1  # stored


def test_upload_without_files_names_the_field(client) -> None:
    response = client.post("/api/audits")
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "body.files"


def test_a_raw_sample_export_is_audited_in_pennies(client) -> None:
    raw = sample_dir() / "cashout" / "raw" / "raw_jaxxon77_9222023.csv"
    audits = client.post("/api/audits", files=[("files", (raw.name, raw.read_bytes(), "text/csv"))]).json()
    assert [(a["cashout_id"], a["unit"]) for a in audits] == [("u1401#1", "pennies"), ("u1401#3", "pennies")]
