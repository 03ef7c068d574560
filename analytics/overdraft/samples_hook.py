"""After `init-db` loads the sample logs: nothing to derive (every figure reads the stored
tables); report the headline counts so the init summary says what the page will show."""

from __future__ import annotations

from analytics.identity import Actor
from analytics.overdraft import figures
from analytics.overdraft import settings as ws_settings
from analytics.store import Store


def after_sample_load(store: Store, actor: Actor) -> dict:
    """Headline counts of the stored logs (a couple of quick queries)."""
    del actor  # nothing is decided or sent here
    summary = figures.summary(store)
    at_risk = figures.at_risk(store, ws_settings.load())
    return {"transactions": summary["transactions"], "errors": summary["errors"],
            "overdraft_users": summary["overdraft_users"], "at_risk": len(at_risk)}
