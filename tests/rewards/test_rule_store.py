"""Rule versions: who, when, the diff; rollback; each issued reward records its rule version."""

from __future__ import annotations

import json

import pytest

from analytics.errors import InputError, PermissionDenied
from analytics.identity import Actor
from analytics.rewards import process, rule_store
from analytics.rewards.rules import parse_rules
from tests.rewards.conftest import rule


def save(store, actor, cfg, definition: dict) -> dict:
    return rule_store.save_rules(store, parse_rules([definition], cfg.formula), actor)[0]


def test_versions_diff_rollback_and_switching(store, actor, cfg) -> None:
    first = save(store, actor, cfg, rule("CB", formula="net_loss * 0.1", max_amount=500))
    assert (first["version"], first["action"]) == (1, "created")
    assert (
        save(store, actor, cfg, rule("CB", formula="net_loss * 0.1", max_amount=500))["action"] == "unchanged"
    )
    second = save(store, Actor("maria"), cfg, rule("CB", formula="net_loss * 0.2", max_amount=600))
    assert (second["version"], second["action"]) == (2, "updated")
    assert second["diff"] == {
        "reward_config.formula": ["net_loss * 0.1", "net_loss * 0.2"],
        "reward_config.max_amount": [500, 600],
    }
    history = rule_store.history(store, "CB")
    assert history["version"].tolist() == [2, 1]
    assert history["changed_by"].tolist() == ["maria", "tester"]
    assert json.loads(history["diff"].iloc[0]) == second["diff"]
    assert history["changed_at"].notna().all()

    back = rule_store.rollback(store, "CB", 1, actor, cfg.formula)
    assert (back["version"], back["action"]) == (3, "rolled back to v1")
    assert back["diff"] == {
        "reward_config.formula": ["net_loss * 0.2", "net_loss * 0.1"],
        "reward_config.max_amount": [600, 500],
    }
    rules, versions = rule_store.current_rules(store, cfg.formula)
    assert rules[0].formula_text == "net_loss * 0.1" and versions == {"CB": 3}

    off = rule_store.set_active(store, "CB", False, actor)
    assert (off["version"], off["action"], off["diff"]) == (4, "deactivated", {"is_active": [True, False]})
    assert rule_store.set_active(store, "CB", False, actor)["action"] == "unchanged"
    assert not rule_store.current_rules(store, cfg.formula)[0][0].is_active
    with pytest.raises(InputError, match="rule CB has no version 9"):
        rule_store.rollback(store, "CB", 9, actor, cfg.formula)
    with pytest.raises(InputError, match="no stored rule 'NOPE'"):
        rule_store.set_active(store, "NOPE", True, actor)
    with pytest.raises(PermissionDenied):
        save(store, Actor("viewer", "viewer"), cfg, rule("X"))


def test_matching_versions_only_for_identical_definitions(store, actor, cfg) -> None:
    save(store, actor, cfg, rule("A", formula="1"))
    save(store, actor, cfg, rule("B", formula="1"))
    save(store, actor, cfg, rule("B", formula="2"))
    edited = parse_rules([rule("A", formula="1"), rule("B", formula="3"), rule("C")], cfg.formula)
    assert rule_store.matching_versions(store, edited) == {"A": 1}


def test_issued_rewards_record_the_rule_version(store, actor, cfg, tmp_path) -> None:
    from analytics import ingest
    from tests.conftest import write

    csv = write(
        tmp_path / "players.csv",
        "player_id,total_deposited,total_wagered,total_won,sessions,playtime_hours\nP1,100,6000,3000,10,5\n",
    )
    ingest.load_one(store, csv, actor, contract="players")
    save(store, actor, cfg, rule("CB", formula="net_loss * 0.05", max_amount=500))  # v1
    changed = parse_rules([rule("CB", formula="net_loss * 0.1", max_amount=500)], cfg.formula)
    result = process.run(store, changed, cfg, actor, issue=True)  # saving makes v2, then issues
    assert result.versions == {"CB": 2}
    assert result.issued["status"].tolist() == ["issued"]
    with store.connect() as con:
        rows = con.execute(
            "SELECT rule_id, rule_version, CAST(amount AS DOUBLE), issued_by FROM reward_issues"
        ).fetchall()
        ledger = con.execute("SELECT rule_version, kind FROM wallet_ledger").fetchall()
    assert rows == [("CB", 2, 300.0, "tester")] and ledger == [(2, "reward")]
