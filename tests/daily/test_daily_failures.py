"""The daily job when something fails: a part that fails is logged and alerted while the others
finish; a refused note is retried and, once the admin tool is back, pushed once and only it; the
store as the source when Athena is not configured; one run at a time."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest

from analytics import cli
from analytics.daily import admin_push, runner
from analytics.daily.settings import AdminPush
from analytics.daily.settings import load as load_daily
from analytics.errors import RiskdeskError
from analytics.identity import Actor
from tests.api.receiver import Receiver
from tests.daily.conftest import SECRET, Athena, daily_yaml
from tests.daily.test_daily_athena import ALPHA, BRAVO, DAY, DAY_LIST, EXPORT_COLUMNS, LIST_COLUMNS

ACTOR = Actor("cron", "admin")


def alerts_of(env: dict) -> list[dict]:
    path = env["alerts"]
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def test_a_refused_note_fails_its_part_is_alerted_and_pushed_once_later(
    daily_env: dict, athena: Athena, caplog: pytest.LogCaptureFixture,
) -> None:
    healthy = {"on": False}
    admin = Receiver(secret=SECRET, status_for=lambda b: 200 if healthy["on"] or b["user_id"] == "u9001" else 503)
    try:
        daily_yaml(daily_env["config"], cashout={"source": "athena", "fetch_workers": 1},
                   admin_push={"endpoint": admin.url, "retries": 2, "backoff_seconds": 0})
        athena.queue(LIST_COLUMNS, DAY_LIST)
        athena.queue(EXPORT_COLUMNS, ALPHA)
        athena.queue(EXPORT_COLUMNS, BRAVO)
        with caplog.at_level(logging.INFO, logger="riskdesk.daily"):
            first = runner.run(daily_env["store"], ACTOR, None, load_daily())
        assert first["success"] is False
        assert [(p["part"], p["success"]) for p in first["parts"]] == [("fraud", True), ("cashout", False),
                                                                      ("overdraft", True)]
        cashout = first["parts"][1]
        assert cashout["error"] == "note of u9002#2 not pushed: POST " + admin.url + " answered 503"
        assert cashout["result"]["push"]["pushed"] == ["u9001#1"]
        assert f"daily {first['run_id']} {DAY}: cashout FAILED: note of u9002#2 not pushed" in caplog.text
        assert f"daily {first['run_id']} {DAY}: overdraft done" in caplog.text  # the next part still ran
        key = f"daily:part_failed:{first['run_id']}:cashout"
        assert key in first["alerts"]["sent"]
        alert = next(a for a in alerts_of(daily_env) if a["key"] == key)
        assert alert["title"] == f"Daily job cashout failed for {DAY}" and "u9002#2" in alert["text"]
        tries = [r.body["cashout_id"] for r in admin.received]
        assert tries == ["u9001#1", "u9002#2", "u9002#2", "u9002#2"]  # bravo: 1 try + 2 retries

        # the admin tool is back: the next run pushes bravo's note only, alpha's is not sent again
        healthy["on"] = True
        daily_yaml(daily_env["config"], parts=["cashout"])
        athena.queue(LIST_COLUMNS, DAY_LIST)
        second = runner.run(daily_env["store"], ACTOR, None, load_daily())
        assert second["success"] is True
        assert second["parts"][0]["result"]["push"]["pushed"] == ["u9002#2"]
        assert second["parts"][0]["result"]["push"]["already_pushed"] == ["u9001#1"]
        accepted = [r.body["cashout_id"] for r in admin.received if r.signed_ok][4:]
        assert accepted == ["u9002#2"]
        with daily_env["store"].connect() as con:
            rows = con.execute("SELECT cashout_id, status, attempts, http_status FROM admin_pushes "
                               "ORDER BY 1").fetchall()
        assert rows == [("u9001#1", "pushed", 1, 200), ("u9002#2", "pushed", 4, 200)]  # 3 refused + 1
    finally:
        admin.close()


def test_a_failing_source_is_alerted_while_fraud_and_overdraft_finish(daily_env: dict, admin) -> None:
    class Down:
        def run(self, name: str, params: dict | None = None):
            raise RiskdeskError("Athena: could not connect to the endpoint")

    daily_yaml(daily_env["config"], cashout={"source": "athena"}, admin_push={"endpoint": admin.url})
    result = runner.run(daily_env["store"], ACTOR, DAY, load_daily(), athena=Down())
    assert [(p["part"], p["success"]) for p in result["parts"]] == [("fraud", True), ("cashout", False),
                                                                   ("overdraft", True)]
    assert result["parts"][1]["error"] == "Athena: could not connect to the endpoint"
    assert [a["key"] for a in alerts_of(daily_env) if a["kind"] == "daily_part_failed"] == \
        [f"daily:part_failed:{result['run_id']}:cashout"]
    assert admin.received == []
    with daily_env["store"].connect() as con:
        parts = con.execute("SELECT part, success, error FROM daily_run_parts WHERE run_id = ? ORDER BY started_at",
                            [result["run_id"]]).fetchall()
    assert parts == [("fraud", True, None), ("cashout", False, "Athena: could not connect to the endpoint"),
                     ("overdraft", True, None)]


def test_an_unexpected_error_names_its_kind(daily_env: dict) -> None:
    class Broken:
        def run(self, name: str, params: dict | None = None):
            raise KeyError("Precision")

    daily_yaml(daily_env["config"], parts=["cashout"], cashout={"source": "athena"})
    result = runner.run(daily_env["store"], ACTOR, DAY, load_daily(), athena=Broken())
    assert result["parts"][0]["error"] == "KeyError: 'Precision'"


def test_the_store_is_the_source_without_athena(daily_env: dict, admin) -> None:
    # the sample's cashouts_1052023.csv holds c-10163 on 2023-10-05, the only cashout of that day
    daily_yaml(daily_env["config"], parts=["cashout"], admin_push={"endpoint": admin.url})
    first = runner.run(daily_env["store"], ACTOR, dt.date(2023, 10, 5), load_daily())
    result = first["parts"][0]["result"]
    assert (result["source"], result["cashouts"], result["recorded"], result["files"]) == \
        ("store", 1, ["c-10163"], 1)
    assert [r.body["cashout_id"] for r in admin.received] == ["c-10163"] and admin.received[0].signed_ok
    second = runner.run(daily_env["store"], ACTOR, dt.date(2023, 10, 5), load_daily())["parts"][0]["result"]
    assert (second["files"], second["recorded"], second["push"]["pushed"]) == (0, [], [])  # nothing audited again
    assert len(admin.received) == 1
    quiet = runner.run(daily_env["store"], ACTOR, dt.date(2023, 10, 7), load_daily())["parts"][0]["result"]
    assert (quiet["cashouts"], quiet["files"]) == (0, 0)  # no cashout that day


def test_without_an_endpoint_nothing_is_pushed_and_the_part_succeeds(daily_env: dict) -> None:
    daily_yaml(daily_env["config"], parts=["cashout"])
    result = runner.run(daily_env["store"], ACTOR, dt.date(2023, 10, 5), load_daily())
    push = result["parts"][0]["result"]["push"]
    assert result["success"] and push["pushed"] == [] and "no admin_push.endpoint" in push["not_pushed"]


def test_one_daily_run_at_a_time(daily_env: dict) -> None:
    with runner.one_at_a_time(daily_env["store"]), pytest.raises(RiskdeskError, match="another daily run"):
        runner.run(daily_env["store"], ACTOR, DAY, load_daily())


def test_retries_back_off_and_stop_on_a_refusal() -> None:
    waits: list[float] = []
    flaky = Receiver(statuses=[503, 502, 200])
    refusing = Receiver(statuses=[422])
    limited = Receiver(statuses=[429, 200])
    try:
        cfg = AdminPush(endpoint=flaky.url, retries=3, backoff_seconds=1.5, timeout_seconds=5)
        assert admin_push.push_one(flaky.url, {"cashout_id": "c1"}, cfg, waits.append) == (True, 200, 3, None)
        assert waits == [1.5, 3.0]  # 1.5 x 2^0, then 1.5 x 2^1
        ok, status, tries, error = admin_push.push_one(refusing.url, {"cashout_id": "c2"}, cfg, waits.append)
        assert (ok, status, tries) == (False, 422, 1) and "answered 422" in error  # refused: no retry
        assert admin_push.push_one(limited.url, {"cashout_id": "c3"}, cfg, waits.append)[:3] == (True, 200, 2)
        assert len(flaky.received) == 3 and len(refusing.received) == 1 and len(limited.received) == 2
    finally:
        for r in (flaky, refusing, limited):
            r.close()


def test_a_bad_date_is_refused(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["daily", "--date", "2025-13-01"])
    assert exit_.value.code == 2 and "--date: '2025-13-01' is not a date YYYY-MM-DD" in capsys.readouterr().err
