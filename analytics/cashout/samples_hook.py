"""After init-db loads the samples: audit every sample cashout, so the page opens on a queue."""

from __future__ import annotations

from analytics.cashout.runs import audit_all
from analytics.identity import Actor
from analytics.store import Store


def after_sample_load(store: Store, actor: Actor) -> dict:
    """Audit all cashouts in the store; return how many audits there are per verdict."""
    audits = audit_all(store, actor)
    counts: dict[str, int] = {}
    for audit in audits:
        counts[audit["verdict"]] = counts.get(audit["verdict"], 0) + 1
    return {"audits": len(audits), "verdicts": dict(sorted(counts.items()))}
