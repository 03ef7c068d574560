"""Alerts: one notifier with three backends (a local file, a Slack webhook, AWS SNS).

`send_once` records each alert's key in the store, so an episode is alerted once and never
again on re-runs; the record is written only after the backend accepted the alert. The file
backend is also idempotent (a key already in the file is not appended again), so a run killed
between delivery and record sends nothing twice when run again; a webhook or SNS cannot be asked,
so there a kill in that instant repeats that one alert (at least once, never lost).
"""

from __future__ import annotations

import fcntl
import json
import os
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


class NotifyError(RiskdeskError):
    """A backend refused or could not be reached."""


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
        post_json(url, body, self.cfg.timeout_seconds)

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


def post_json(url: str, body: dict | list, timeout: float, headers: dict[str, str] | None = None) -> int:
    """POST a JSON body; the status code, NotifyError on failure or a non-2xx answer."""
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"{url!r} is not an http(s) URL")
    data = dumps(body).encode("utf-8")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url, data=data, method="POST",
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:  # noqa: S310
            return resp.status
    except urllib.error.HTTPError as exc:
        raise NotifyError(f"POST {url} answered {exc.code}") from None
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
