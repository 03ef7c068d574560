"""Outgoing webhooks are signed: X-Riskdesk-Timestamp and X-Riskdesk-Signature (HMAC-SHA256 over
"<timestamp>." + body); the receiving server checks them on its own. Alerts, the cohort send and
the admin push all go through notify.post_json (the admin push is checked in tests/daily)."""

from __future__ import annotations

import json
import logging

import pytest

from analytics import notify
from analytics.fraud import cohort
from analytics.fraud.settings import load as load_fraud
from analytics.notify import Alert, Notifier, NotifySettings
from tests.api.receiver import Receiver, expected_signature

SECRET = "s3cret-for-tests"


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("RISKDESK_WEBHOOK_SECRET", SECRET)
    r = Receiver(secret=SECRET)
    yield r
    r.close()


def test_the_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    # computed here with hmac directly: key "k", message b"1700000000." + b'{"a": 1}'
    import hashlib
    import hmac

    by_hand = hmac.new(b"k", b'1700000000.{"a": 1}', hashlib.sha256).hexdigest()
    assert notify.signature("k", "1700000000", b'{"a": 1}') == f"sha256={by_hand}"
    headers = notify.signed_headers(b'{"a": 1}', "k", now=1700000000.9)
    assert headers == {"X-Riskdesk-Timestamp": "1700000000", "X-Riskdesk-Signature": f"sha256={by_hand}"}
    assert notify.signed_headers(b"{}", None) == {}


def test_verify_refuses_tampering_old_timestamps_and_other_secrets() -> None:
    body, stamp = b'{"amount": 5}', "1700000000"
    good = notify.signature("k", stamp, body)
    assert notify.verify_signature("k", stamp, body, good, now=1700000100)
    assert not notify.verify_signature("k", stamp, b'{"amount": 500}', good, now=1700000100)  # body changed
    assert not notify.verify_signature("other", stamp, body, good, now=1700000100)
    assert not notify.verify_signature("k", stamp, body, good, now=1700000000 + 301)  # too old
    assert not notify.verify_signature("k", "1700000001", body, good, now=1700000100)  # stamp changed
    assert not notify.verify_signature("k", None, body, good) and not notify.verify_signature("k", stamp, body, None)
    assert not notify.verify_signature("k", "17e8", body, good)


def test_a_slack_alert_carries_a_valid_signature(receiver: Receiver) -> None:
    Notifier(NotifySettings(backend="slack", slack_webhook_url=receiver.url)).send(
        Alert(key="k1", kind="test", title="Title", text="text"))
    (got,) = receiver.received
    assert got.signed_ok and got.body == {"text": "*Title*\ntext"}
    assert got.headers["x-riskdesk-signature"] == expected_signature(SECRET, got.headers["x-riskdesk-timestamp"],
                                                                     got.raw)


def test_the_cohort_send_carries_a_valid_signature(receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = load_fraud().cohort.model_copy(update={"endpoint": receiver.url, "batch_size": 2})
    updates = [{"$distinct_id": f"p{i}", "$set": {"fraud": True}} for i in range(3)]
    result = cohort.post(updates, cfg)
    assert (result.batches, result.profiles, result.error) == (2, 3, None)  # batches of 2 and 1
    assert [r.body for r in receiver.received] == [updates[:2], updates[2:]]
    assert all(r.signed_ok for r in receiver.received)


def test_the_notify_yaml_secret_is_used_when_the_environment_has_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RISKDESK_WEBHOOK_SECRET", raising=False)
    r = Receiver(secret="from-yaml")
    try:
        cfg = NotifySettings(backend="slack", slack_webhook_url=r.url, webhook_secret="from-yaml")
        Notifier(cfg).send(Alert(key="k2", kind="test", title="T", text="x"))
        assert r.received[0].signed_ok
    finally:
        r.close()


def test_a_receiver_refuses_a_wrong_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RISKDESK_WEBHOOK_SECRET", "not-the-receivers")
    r = Receiver(secret=SECRET)
    try:
        with pytest.raises(notify.NotifyError, match="answered 401") as caught:
            notify.post_json(r.url, {"a": 1}, 5)
        assert caught.value.status == 401 and not r.received[0].signed_ok
    finally:
        r.close()


def test_without_a_secret_nothing_is_signed_and_a_warning_says_so(monkeypatch: pytest.MonkeyPatch,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.delenv("RISKDESK_WEBHOOK_SECRET", raising=False)
    monkeypatch.setattr(notify, "load_settings", lambda: NotifySettings())
    r = Receiver()
    try:
        with caplog.at_level(logging.WARNING, logger="riskdesk.notify"):
            assert notify.post_json(r.url, {"a": 1}, 5) == 200
        assert "x-riskdesk-signature" not in r.received[0].headers
        assert json.loads(r.received[0].raw) == {"a": 1}
        assert "is not signed" in caplog.text
    finally:
        r.close()
