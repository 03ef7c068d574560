"""The notifier: file, Slack webhook (a real local HTTP server) and SNS (moto); once per episode."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from analytics.notify import Alert, Notifier, NotifyError, NotifySettings, send_once


def alert(key: str = "overdraft:u1:1") -> Alert:
    return Alert(key=key, kind="out_of_sync", title="u1 out of sync", text="balances differ",
                 details={"user_id": "u1", "gap": 5.8})


class Receiver:
    """A real HTTP server on 127.0.0.1 recording POSTed JSON bodies."""

    def __init__(self, status: int = 200) -> None:
        self.bodies: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                outer.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def test_file_backend_appends_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "alerts.jsonl"
    notifier = Notifier(NotifySettings(backend="file", file_path=str(path)))
    notifier.send(alert("a"))
    notifier.send(alert("b"))
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [x["key"] for x in lines] == ["a", "b"]
    assert lines[0]["details"] == {"user_id": "u1", "gap": 5.8}


def test_slack_backend_posts_to_the_webhook(receiver: Receiver) -> None:
    Notifier(NotifySettings(backend="slack", slack_webhook_url=receiver.url)).send(alert())
    assert receiver.bodies == [{"text": "*u1 out of sync*\nbalances differ"}]


def test_webhook_failure_is_a_notify_error() -> None:
    failing = Receiver(status=500)
    try:
        with pytest.raises(NotifyError, match="answered 500"):
            Notifier(NotifySettings(backend="slack", slack_webhook_url=failing.url)).send(alert())
    finally:
        failing.close()


def test_sns_backend_publishes(monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3
    from moto import mock_aws

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        sns = boto3.client("sns", region_name="eu-west-1")
        topic = sns.create_topic(Name="riskdesk-alerts")["TopicArn"]
        sqs = boto3.client("sqs", region_name="eu-west-1")
        queue = sqs.create_queue(QueueName="inbox")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
        Notifier(NotifySettings(backend="sns", sns_topic_arn=topic, sns_region="eu-west-1")).send(alert())
        message = sqs.receive_message(QueueUrl=queue)["Messages"][0]
        body = json.loads(json.loads(message["Body"])["Message"])
        assert body["key"] == "overdraft:u1:1" and body["details"]["gap"] == 5.8


def test_each_episode_is_alerted_once(store, actor, tmp_path: Path) -> None:
    notifier = Notifier(NotifySettings(backend="file", file_path=str(tmp_path / "a.jsonl")))
    first = send_once(store, [alert("k1"), alert("k2")], actor, notifier)
    again = send_once(store, [alert("k1"), alert("k3")], actor, notifier)
    assert first == {"sent": ["k1", "k2"], "skipped": [], "failed": []}
    assert again == {"sent": ["k3"], "skipped": ["k1"], "failed": []}
    assert len((tmp_path / "a.jsonl").read_text().splitlines()) == 3


def test_failed_delivery_is_not_recorded_and_retried_next_time(store, actor, tmp_path: Path) -> None:
    failing = Receiver(status=503)
    try:
        bad = Notifier(NotifySettings(backend="slack", slack_webhook_url=failing.url))
        result = send_once(store, [alert("k1")], actor, bad)
        assert result["sent"] == [] and result["failed"][0]["key"] == "k1"
    finally:
        failing.close()
    good = Notifier(NotifySettings(backend="file", file_path=str(tmp_path / "a.jsonl")))
    assert send_once(store, [alert("k1")], actor, good)["sent"] == ["k1"]


def test_file_backend_appends_a_key_once_even_when_the_record_was_lost(store, actor, tmp_path: Path) -> None:
    # a run killed after the alert reached the file but before its key was recorded in the store:
    # sending it again finds the key in the file and records it without a second line
    path = tmp_path / "a.jsonl"
    notifier = Notifier(NotifySettings(backend="file", file_path=str(path)))
    notifier.send(alert("k1"))
    assert send_once(store, [alert("k1"), alert("k1-other")], actor, notifier)["sent"] == ["k1", "k1-other"]
    assert send_once(store, [alert("k1")], actor, notifier)["skipped"] == ["k1"]
    keys = [json.loads(line)["key"] for line in path.read_text().splitlines()]
    assert keys == ["k1", "k1-other"]   # "k1" is a prefix of "k1-other" yet both are kept, each once
