"""Alerts: one notifier with three backends (a local file, a Slack webhook, AWS SNS).

`send_once` records each alert's key in the store, so an episode is alerted once and never
again on re-runs; the record is written only after the backend accepted the alert. The file
backend is also idempotent (a key already in the file is not appended again), so a run killed
between delivery and record sends nothing twice when run again; a webhook or SNS cannot be asked,
so there a kill in that instant repeats that one alert (at least once, never lost).
Every outgoing webhook (`post_json`: Slack alerts, the fraud cohort send, the admin push) is
signed when a secret is configured: `X-Riskdesk-Timestamp` (Unix seconds) and
`X-Riskdesk-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>." + body>`; `verify_signature`
is the receiver's check.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import logging
import os
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from analytics import config, settings
from analytics.errors import ConfigError, RiskdeskError
from analytics.identity import Actor
from analytics.jsonutil import dumps
from analytics.store import Store


class NotifySettings(BaseModel):
    """config/notify.yaml."""

    backend: Literal["file", "slack", "sns"] = "file"
    file_path: str = "data/alerts.jsonl"
    slack_webhook_url: str | None = None
    sns_topic_arn: str | None = None
    sns_region: str | None = None
    timeout_seconds: float = 10
    webhook_secret: str | None = None  # signs outgoing webhooks; RISKDESK_WEBHOOK_SECRET takes precedence


class NotifyError(RiskdeskError):
    """A backend refused or could not be reached (`status`: the HTTP answer's code, when there was one)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Alert:
    """One alert: `key` names the episode (alerted once), the rest says what happened."""

    key: str
    kind: str
    title: str
    text: str
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The alert as plain data."""
        return asdict(self)


def load_settings() -> NotifySettings:
    """The notifier settings from config/notify.yaml (defaults when the file is absent)."""
    path = config.config_path("notify")
    return config.load("notify", NotifySettings) if path.exists() else NotifySettings()


class Notifier:
    """Sends alerts through the configured backend."""

    def __init__(self, cfg: NotifySettings | None = None) -> None:
        self.cfg = cfg or load_settings()

    def send(self, alert: Alert) -> None:
        """Deliver one alert; NotifyError when the backend fails."""
        backend = getattr(self, f"_send_{self.cfg.backend}")
        backend(alert)

    def _send_file(self, alert: Alert) -> None:
        path = Path(self.cfg.file_path)
        if not path.is_absolute():
            path = settings.ROOT / path
        path.parent.mkdir(parents=True, exist_ok=True)
        line = dumps(alert.as_dict()) + "\n"
        head = line[: line.index(",") + 1]   # '{"key": "<key>",' opens the alert's line
        with open(path, "a+", encoding="utf-8") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)  # whole lines only, whatever else appends
            fh.seek(0)
            if any(old.startswith(head) for old in fh):
                return   # delivered before (by a run killed before it recorded the key)
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())

    def _send_slack(self, alert: Alert) -> None:
        url = self.cfg.slack_webhook_url
        if not url:
            raise ConfigError("notify.yaml: slack_webhook_url is required for backend slack")
        body = {"text": f"*{alert.title}*\n{alert.text}"}
        post_json(url, body, self.cfg.timeout_seconds, cfg=self.cfg)

    def _send_sns(self, alert: Alert) -> None:
        if not self.cfg.sns_topic_arn:
            raise ConfigError("notify.yaml: sns_topic_arn is required for backend sns")
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError

        region = self.cfg.sns_region or os.environ.get("AWS_DEFAULT_REGION")
        client = boto3.client("sns", region_name=region)
        try:
            client.publish(TopicArn=self.cfg.sns_topic_arn, Subject=alert.title[:99],
                           Message=dumps(alert.as_dict()))
        except (BotoCoreError, ClientError) as exc:
            raise NotifyError(f"SNS publish failed: {exc}") from None


SIGNATURE_HEADER = "X-Riskdesk-Signature"
TIMESTAMP_HEADER = "X-Riskdesk-Timestamp"
SIGNATURE_TOLERANCE = 300  # seconds a receiver accepts between the timestamp and its clock
log = logging.getLogger("riskdesk.notify")


def signing_secret(cfg: NotifySettings | None = None) -> str | None:
    """The webhook signing secret: RISKDESK_WEBHOOK_SECRET, else notify.yaml's webhook_secret."""
    return os.environ.get("RISKDESK_WEBHOOK_SECRET") or (cfg or load_settings()).webhook_secret or None


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>`: HMAC-SHA256 with `secret` over `<timestamp>.` followed by the raw body."""
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def signed_headers(body: bytes, secret: str | None, now: float | None = None) -> dict[str, str]:
    """The timestamp and signature headers of a body (none without a secret)."""
    if not secret:
        return {}
    stamp = str(int(now if now is not None else time.time()))
    return {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: signature(secret, stamp, body)}


def verify_signature(secret: str, timestamp: str | None, body: bytes, received: str | None,
                     tolerance: float = SIGNATURE_TOLERANCE, now: float | None = None) -> bool:
    """The receiver's check: the signature matches and the timestamp is within `tolerance` seconds."""
    if not timestamp or not received or not timestamp.isdigit():
        return False
    if abs((now if now is not None else time.time()) - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), received)


def post_json(url: str, body: dict | list, timeout: float, headers: dict[str, str] | None = None,
              cfg: NotifySettings | None = None) -> int:
    """POST a JSON body, signed when a secret is configured (`signing_secret(cfg)`); the status code,
    NotifyError on failure or a non-2xx answer."""
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"{url!r} is not an http(s) URL")
    data = dumps(body).encode("utf-8")
    secret = signing_secret(cfg)
    if not secret:
        log.warning("POST %s is not signed: set RISKDESK_WEBHOOK_SECRET (or notify.yaml webhook_secret)", url)
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url, data=data, method="POST",
        headers={"Content-Type": "application/json", **signed_headers(data, secret), **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:  # noqa: S310
            return resp.status
    except urllib.error.HTTPError as exc:
        raise NotifyError(f"POST {url} answered {exc.code}", exc.code) from None
    except (urllib.error.URLError, OSError) as exc:
        raise NotifyError(f"POST {url} failed: {getattr(exc, 'reason', exc)}") from None


def already_sent(store: Store, keys: list[str]) -> set[str]:
    """The keys among `keys` that were alerted before."""
    if not keys:
        return set()
    with store.connect() as con:
        rows = con.execute(
            "SELECT DISTINCT alert_key FROM alerts_sent WHERE alert_key IN (SELECT unnest($keys))",
            {"keys": keys},
        ).fetchall()
    return {r[0] for r in rows}


def send_once(store: Store, alerts: list[Alert], actor: Actor, notifier: Notifier | None = None) -> dict:
    """Send the alerts not sent before; record each after it was delivered.

    Returns {"sent": [...keys], "skipped": [...keys already sent], "failed": [{key, error}]}.
    """
    notifier = notifier or Notifier()
    seen = already_sent(store, [a.key for a in alerts])
    out: dict[str, list] = {"sent": [], "skipped": [], "failed": []}
    for alert in alerts:
        if alert.key in seen:
            out["skipped"].append(alert.key)
            continue
        try:
            notifier.send(alert)
        except RiskdeskError as exc:
            out["failed"].append({"key": alert.key, "error": str(exc)})
            continue
        with store.connect() as con:
            con.execute(
                "INSERT INTO alerts_sent VALUES (?, ?, ?, ?, ?, now()::TIMESTAMP, ?)",
                [alert.key, alert.kind, alert.title, json.dumps(alert.as_dict(), default=str),
                 notifier.cfg.backend, actor.name],
            )
        seen.add(alert.key)
        out["sent"].append(alert.key)
    return out
