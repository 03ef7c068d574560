"""After init-db loads the sample events: one pipeline run with the sample manual list."""

from __future__ import annotations

from analytics import settings
from analytics.fraud import manual, pipeline
from analytics.identity import Actor
from analytics.store import Store


def after_sample_load(store: Store, actor: Actor) -> dict:
    """Run the fraud pipeline once so the page shows a run on first start."""
    with store.connect() as con:
        if not con.execute("SELECT count(*) FROM game_events").fetchone()[0]:
            return {"ran": False, "reason": "no game events loaded"}
    path = settings.sample_dir() / "game_events" / "manual_fraudsters.csv"
    ids = manual.read(path).ids if path.is_file() else []
    outcome = pipeline.run(store, actor, manual_ids=ids)
    return {
        "ran": True,
        "run_id": outcome.run_id,
        "success": outcome.success,
        "steps": {s.name: s.result.get("rows") for s in outcome.steps},
    }
