"""Alerts: one per out-of-sync episode and per days-to-overdraft run under the limit, never twice;
delivered through a file, a real local webhook and SNS (moto)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analytics.notify import Notifier, NotifySettings
from analytics.overdraft import alerts, importer
from analytics.overdraft.settings import OverdraftSettings
from tests.overdraft import scenario
from tests.overdraft.scenario import U
from tests.test_notify import Receiver


@pytest.fixture
def loaded(store, actor, tmp_path: Path):
    paths = scenario.write(tmp_path / "logs")
    importer.load_logs(store, [(p, p.name) for p in paths], actor, workers=1)
    return store


def cfg(lookback: float = 7, limit: float = 7) -> OverdraftSettings:
    return OverdraftSettings(alerts={"out_of_sync_lookback_days": lookback, "days_to_overdraft_limit": limit})


def keys(found) -> list[str]:
    return sorted(a.key for a in found)


def test_one_alert_per_out_of_sync_episode(loaded) -> None:
    # the latest transaction is 03-05 11:00; every episode began within 7 days of it
    assert keys(alerts.build_alerts(loaded, cfg())) == sorted([
        f"overdraft:out_of_sync:{U[1]}:T12",  # T12-T13, one episode of two transactions
        f"overdraft:out_of_sync:{U[3]}:T34",
        f"overdraft:out_of_sync:{U[4]}:T41",  # over (T42 is in sync again) but recent
        f"overdraft:out_of_sync:{U[5]}:T51",
    ])


def test_older_episodes_are_history(loaded) -> None:
    # 2 days before 03-05 11:00 is 03-03 11:00: only the episodes of u3 (03-05 09:00) and u5 remain
    assert keys(alerts.build_alerts(loaded, cfg(lookback=2))) == sorted([
        f"overdraft:out_of_sync:{U[3]}:T34", f"overdraft:out_of_sync:{U[5]}:T51"])


def test_days_to_overdraft_under_the_limit(loaded) -> None:
    def days_alerts(limit: float) -> list:
        return [a for a in alerts.build_alerts(loaded, cfg(lookback=0, limit=limit)) if a.kind == "days_to_overdraft"]

    assert days_alerts(7) == []  # u3 has 15.0 days
    found = days_alerts(20)
    assert [a.key for a in found] == [f"overdraft:days_to_overdraft:{U[3]}:T34"]
    assert found[0].details["days_to_overdraft"] == pytest.approx(15.0)
    # with 40, u1's T12 is under too (30 / (25 / 30) = 36 days) but u1 went on into overdraft at
    # T13: that run is closed, so still only u3
    assert [a.key for a in days_alerts(40)] == [f"overdraft:days_to_overdraft:{U[3]}:T34"]


def test_each_episode_is_sent_once_even_on_reruns(loaded, actor, tmp_path: Path) -> None:
    notifier = Notifier(NotifySettings(backend="file", file_path=str(tmp_path / "alerts.jsonl")))
    first = alerts.send_alerts(loaded, cfg(limit=20), actor, notifier)
    again = alerts.send_alerts(loaded, cfg(limit=20), actor, notifier)
    assert len(first["sent"]) == 5 and first["failed"] == []
    assert again["sent"] == [] and sorted(again["skipped"]) == sorted(first["sent"])
    lines = [json.loads(x) for x in (tmp_path / "alerts.jsonl").read_text().splitlines()]
    assert len(lines) == 5 and {x["kind"] for x in lines} == {"out_of_sync", "days_to_overdraft"}


def test_a_new_episode_after_recovery_is_alerted(loaded, actor, tmp_path: Path) -> None:
    notifier = Notifier(NotifySettings(backend="file", file_path=str(tmp_path / "alerts.jsonl")))
    alerts.send_alerts(loaded, cfg(), actor, notifier)
    path = tmp_path / "later.log"  # u4 drifts again on 03-06
    path.write_text(scenario.k.one_request("2024-03-06T08:00:00.000Z", "req-T43",
                                           scenario.k.transaction("T43", U[4], 20), out_of_sync=True))
    importer.load_logs(loaded, [(path, path.name)], actor, workers=1)
    result = alerts.send_alerts(loaded, cfg(), actor, notifier)
    assert result["sent"] == [f"overdraft:out_of_sync:{U[4]}:T43"]


def test_slack_webhook_receives_the_alerts(loaded, actor) -> None:
    receiver = Receiver()
    try:
        notifier = Notifier(NotifySettings(backend="slack", slack_webhook_url=receiver.url))
        result = alerts.send_alerts(loaded, cfg(lookback=2), actor, notifier)
    finally:
        receiver.close()
    assert len(result["sent"]) == 2
    texts = sorted(b["text"] for b in receiver.bodies)
    assert texts[0].startswith(f"*Subscriber {U[3]} is out of sync*\n")
    assert "since 2024-03-05 09:00 UTC (transaction T34)" in texts[0]


def test_a_failed_webhook_is_tried_again_next_run(loaded, actor, tmp_path: Path) -> None:
    failing = Receiver(status=500)
    try:
        bad = alerts.send_alerts(loaded, cfg(lookback=2), actor,
                                 Notifier(NotifySettings(backend="slack", slack_webhook_url=failing.url)))
    finally:
        failing.close()
    assert bad["sent"] == [] and len(bad["failed"]) == 2
    good = Notifier(NotifySettings(backend="file", file_path=str(tmp_path / "a.jsonl")))
    assert len(alerts.send_alerts(loaded, cfg(lookback=2), actor, good)["sent"]) == 2


def test_sns_receives_the_alerts(loaded, actor, monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3
    from moto import mock_aws

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        sns = boto3.client("sns", region_name="me-south-1")
        topic = sns.create_topic(Name="overdraft")["TopicArn"]
        sqs = boto3.client("sqs", region_name="me-south-1")
        queue = sqs.create_queue(QueueName="inbox")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
        notifier = Notifier(NotifySettings(backend="sns", sns_topic_arn=topic, sns_region="me-south-1"))
        result = alerts.send_alerts(loaded, cfg(lookback=0, limit=20), actor, notifier)
        messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    # lookback 0: only episodes that began at 03-05 11:00 (u5); limit 20: u3's open run
    assert sorted(result["sent"]) == sorted([f"overdraft:out_of_sync:{U[5]}:T51",
                                             f"overdraft:days_to_overdraft:{U[3]}:T34"])
    bodies = [json.loads(json.loads(m["Body"])["Message"]) for m in messages]
    assert sorted(b["key"] for b in bodies) == sorted(result["sent"])


def test_viewers_cannot_send(loaded) -> None:
    from analytics.errors import PermissionDenied
    from analytics.identity import Actor

    with pytest.raises(PermissionDenied):
        alerts.send_alerts(loaded, cfg(), Actor("v", "viewer"))
