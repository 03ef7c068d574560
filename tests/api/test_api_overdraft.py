"""Overdraft monitor over HTTP: load log files (gz too) and report on everything stored; the at-risk list."""

from __future__ import annotations

import gzip
import json

import pytest

from analytics import cli
from analytics.overdraft import figures
from analytics.overdraft import settings as ws_settings
from tests.api.conftest import count
from tests.overdraft import logkit as k

# Two requests on 2024-05-20, one transaction each; the second is followed by a sync error:
#   +1 file, +2 transactions, +1 error (a sync error), +2 subscribers
LOG = (k.one_request("2024-05-20T10:00:00.000Z", "api-ra", k.transaction("TAPI1", "u-api-a", 10))
       + k.one_request("2024-05-20T11:00:00.000Z", "api-rb", k.transaction("TAPI2", "u-api-b", 3), out_of_sync=True))
# A record cut inside a string on line 2, then a whole request: 1 transaction and one malformed block
GOOD = k.tx_record("2024-05-21T10:00:00.000Z", "api-rc", k.transaction("TAPI3", "u-api-c", 1))
BROKEN = (k.start("2024-05-21T10:00:00.000Z", "api-rc") + GOOD[:200] + "\n"
          + k.one_request("2024-05-21T11:00:00.000Z", "api-rd", k.transaction("TAPI4", "u-api-c", 2)))


def part(name: str, data: bytes) -> tuple:
    return ("files", (name, data, "application/octet-stream"))


@pytest.fixture(scope="module")
def baseline(api_env: dict) -> dict:
    return figures.report(api_env["store"])


@pytest.fixture(scope="module")
def loaded(client, baseline: dict) -> dict:
    response = client.post("/api/logs", files=[part("api-a.log", LOG.encode())])
    assert response.status_code == 200, response.text
    return response.json()


def test_a_log_adds_its_transactions_to_the_report(loaded: dict, baseline: dict) -> None:
    assert loaded["files"] == baseline["files"] + 1
    assert loaded["transactions"] == baseline["transactions"] + 2
    assert loaded["errors"] == baseline["errors"] + 1
    assert loaded["sync_errors"] == baseline["sync_errors"] + 1
    assert loaded["users"] == baseline["users"] + 2
    assert (loaded["failed"], loaded["success"]) == ([], True)
    assert "alerts" not in loaded


def test_the_same_content_again_adds_nothing(client, loaded: dict) -> None:
    again = client.post("/api/logs", files=[part("renamed.log", LOG.encode())]).json()
    assert {k: again[k] for k in ("files", "transactions", "errors")} == \
        {k: loaded[k] for k in ("files", "transactions", "errors")}


def test_gzip_and_a_malformed_block(client, loaded: dict) -> None:
    answer = client.post("/api/logs", files=[part("api-c.log.gz", gzip.compress(BROKEN.encode()))]).json()
    assert answer["files"] == loaded["files"] + 1
    assert answer["transactions"] == loaded["transactions"] + 1  # TAPI4; TAPI3 was cut
    assert {"file": "api-c.log.gz", "line": 2, "reason": "unterminated string"} in answer["malformed"]
    assert answer["success"] is True  # a malformed block is counted, not a failure


def test_a_file_that_cannot_be_read_is_named_after_the_others_are_stored(client, api_env: dict) -> None:
    good = k.one_request("2024-05-22T10:00:00.000Z", "api-re", k.transaction("TAPI5", "u-api-e", 4))
    response = client.post("/api/logs", files=[part("fine.log", good.encode()),
                                               part("broken.log.gz", b"this is not gzip at all")])
    assert response.status_code == 400
    assert "broken.log.gz" in response.json()["error"]
    detail = response.json()["detail"]
    assert [f["file"] for f in detail["failed"]] == ["broken.log.gz"] and detail["success"] is False
    assert count(api_env["store"], "SELECT count(*) FROM lambda_tx WHERE id = 'TAPI5'") == 1


def test_no_files_is_named(client) -> None:
    response = client.post("/api/logs")
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "body.files"


def test_the_api_answers_the_clis_json(client, loaded: dict, tmp_path, capsys) -> None:
    path = tmp_path / "api-a.log"
    path.write_text(LOG)
    capsys.readouterr()
    assert cli.main(["logs", str(path), "--format", "json"]) == 0  # already stored: adds nothing
    by_cli = json.loads(capsys.readouterr().out)
    by_api = client.post("/api/logs", files=[part("api-a.log", LOG.encode())]).json()
    assert by_api == by_cli


def test_alerts_are_sent_once_when_asked(client, api_env: dict) -> None:
    first = client.post("/api/logs", params={"alert": "true"}, files=[part("api-a.log", LOG.encode())]).json()
    assert first["alerts"]["failed"] == []
    sent = first["alerts"]["sent"]
    assert sent, "the sample's out-of-sync subscribers are alerted"
    lines = [json.loads(x) for x in (api_env["folder"] / "alerts.jsonl").read_text().splitlines()]
    assert sorted(x["key"] for x in lines) == sorted(sent)
    second = client.post("/api/logs", params={"alert": "true"}, files=[part("api-a.log", LOG.encode())]).json()
    assert second["alerts"]["sent"] == [] and sorted(second["alerts"]["skipped"]) == sorted(sent)


def test_at_risk_is_the_monitors_list_in_pages(client, loaded: dict, api_env: dict) -> None:
    expected = figures.at_risk(api_env["store"], ws_settings.load())
    got = client.get("/api/overdraft/at-risk", params={"limit": 1000}).json()
    assert got["total"] == len(expected) and len(got["items"]) == len(expected)
    assert [r["user_id"] for r in got["items"]] == expected["user_id"].tolist()
    page = client.get("/api/overdraft/at-risk", params={"limit": 1, "offset": 1}).json()
    assert page["items"] == got["items"][1:2] and page["total"] == len(expected)
