"""After init-db loads the samples: store the sample rules (version 1) and issue their rewards."""

from __future__ import annotations

from analytics import settings
from analytics.identity import Actor
from analytics.rewards import process, rule_store
from analytics.rewards.rules import load_rules_file
from analytics.rewards.settings import load_config
from analytics.store import Store


def after_sample_load(store: Store, actor: Actor) -> dict:
    """Save sample_data/players/rules.json when no rule is stored, then process every player."""
    cfg = load_config()
    path = settings.sample_dir() / "players" / "rules.json"
    stored, _ = rule_store.current_rules(store, cfg.formula)
    if not stored and path.is_file():
        rule_store.save_rules(store, load_rules_file(path, cfg.formula), actor)
        stored, _ = rule_store.current_rules(store, cfg.formula)
    if not stored:
        return {"rules": 0, "players": 0, "issued": 0}
    result = process.run(store, stored, cfg, actor, issue=True)
    issued = result.issued
    return {
        "rules": len(stored),
        "players": len(result.table),
        "issued": int((issued["status"] == "issued").sum()) if issued is not None else 0,
    }
