"""Step 4's payload: the analytics tool's profile updates marking every fraudster, and its sending.

The payload is a JSON list of profile updates, one per fraudster:
`{"$distinct_id": "p01_a", "$set": {"fraudster_cohort_active_v8": true}}` (with `"$token"` when
configured), the batch form of the analytics tool's profile-update API. Sending is a separate,
explicit action: POSTed in batches of `cohort.batch_size` to `cohort.endpoint`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from analytics.errors import ConfigError, InputError, RiskdeskError
from analytics.fraud.settings import Cohort
from analytics.notify import post_json


def payload(ids: list[str], cohort: Cohort) -> list[dict]:
    """One profile update per player id, setting the cohort marker to true."""
    updates = []
    for pid in ids:
        update: dict = {"$distinct_id": pid, "$set": {cohort.marker: True}}
        if cohort.token:
            update = {"$token": cohort.token, **update}
        updates.append(update)
    return updates


@dataclass
class SendResult:
    """What a send did: profiles and batches delivered, the error that stopped it."""

    endpoint: str
    profiles: int = 0
    batches: int = 0
    error: str | None = None
    statuses: list[int] = field(default_factory=list)

    @property
    def success(self) -> bool:
        """True when every batch was accepted."""
        return self.error is None

    def to_dict(self) -> dict:
        """JSON-ready summary."""
        return {
            "endpoint": self.endpoint,
            "success": self.success,
            "profiles": self.profiles,
            "batches": self.batches,
            "error": self.error,
        }


def read_payload(path: Path) -> list[dict]:
    """A cohort.json written by step 4."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: the cohort payload is missing (run the pipeline first)") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON (line {exc.lineno})") from None
    if not isinstance(data, list):
        raise InputError(f"{path}: expected a JSON list of profile updates")
    return data


def post(updates: list[dict], cohort: Cohort) -> SendResult:
    """POST the updates in batches; stop at the first refused batch (its error kept)."""
    if not cohort.endpoint:
        raise ConfigError("fraud.yaml: cohort.endpoint is required to send the cohort")
    result = SendResult(cohort.endpoint)
    for start in range(0, len(updates), cohort.batch_size):
        batch = updates[start : start + cohort.batch_size]
        try:
            result.statuses.append(post_json(cohort.endpoint, batch, cohort.timeout_seconds))
        except RiskdeskError as exc:
            result.error = str(exc)
            break
        result.batches += 1
        result.profiles += len(batch)
    return result
