"""The four-step pipeline: manual list, upsert keeping history, failing steps, alerts, permissions."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analytics.errors import InputError, PermissionDenied
from analytics.fraud import detect, manual, pipeline, thresholds
from analytics.fraud.settings import FraudSettings
from analytics.identity import Actor
from tests.conftest import write
from tests.fraud.conftest import ev, insert_events, late_android_penny


def fraudsters(store) -> dict[str, dict]:
    with store.connect() as con:
        frame = con.execute("SELECT * FROM fraudsters ORDER BY distinct_id").df()
    return {r["distinct_id"]: r for r in frame.to_dict(orient="records")}


def audit(store, run_id: str) -> list[tuple]:
    with store.connect() as con:
        return con.execute(
            "SELECT step, name, success, error, ended_at IS NOT NULL FROM process_audit_log "
            "WHERE run_id = ? ORDER BY step",
            [run_id],
        ).fetchall()


def test_manual_list_reader(tmp_path: Path) -> None:
    path = write(tmp_path / "manual.csv", " Distinct_ID ,note\np1,x\n,blank\np2,\np1,again\n")
    got = manual.read(path)
    assert got.ids == ["p1", "p2"]
    assert got.rejects == [{"line": 3, "reason": "distinct_id is empty"}]
    assert got.duplicates == 1
    with pytest.raises(InputError, match=r"bad\.csv: missing required column distinct_id"):
        manual.read(write(tmp_path / "bad.csv", "player\np1\n"))


def test_manual_players_are_fraudsters_and_keep_the_flag(store, actor, tmp_path: Path) -> None:
    insert_events(
        store,
        [
            # android installed after 2025-04-17 with flag 3 only: flagged, but the rules keep it out
            late_android_penny("excluded"),
            ev("plain", "2025-06-05T10:00:00", "harvest", quantity=1),
        ],
    )
    first = pipeline.run(store, actor, tmp_path / "one", manual_ids=["excluded", "plain", "ghost"])
    assert first.success
    table = fraudsters(store)
    assert sorted(table) == ["excluded", "ghost", "plain"]
    assert all(r["manual_identification_fraud_purchase_flag"] == 1 for r in table.values())
    assert table["excluded"]["suspicious_purchase_flag"] == 1
    assert pd.isna(table["ghost"]["platform"])  # on the list, no events
    second = pipeline.run(store, actor, tmp_path / "two")  # no list this time
    table = fraudsters(store)
    assert sorted(table) == ["excluded", "ghost", "plain"]
    assert table["plain"]["manual_identification_fraud_purchase_flag"] == 1
    assert table["plain"]["last_run_id"] == second.run_id


def test_upsert_keeps_first_flagged_at_and_updates_flags(store, actor, tmp_path: Path) -> None:
    insert_events(store, [ev("a", "2025-06-05T10:00:00", "building_upgrade", credits_balance=-5)])
    one = pipeline.run(store, actor, tmp_path / "one")
    first = fraudsters(store)["a"]
    assert first["negative_balance_flag"] == 1 and first["last_run_id"] == one.run_id
    # a stricter threshold clears a's flag; b trips it
    cfg = FraudSettings()
    cfg.patterns.negative_balance.credits_below = -10
    thresholds.save(store, cfg.thresholds(), actor, "stricter")
    insert_events(store, [ev("b", "2025-06-06T10:00:00", "building_upgrade", credits_balance=-50)])
    two = pipeline.run(store, actor, tmp_path / "two")
    table = fraudsters(store)
    assert sorted(table) == ["a", "b"]  # a stays
    assert table["a"]["first_flagged_at"] == first["first_flagged_at"]
    assert table["a"]["last_flagged_at"] == first["last_flagged_at"]  # not marked by run two
    assert table["a"]["negative_balance_flag"] == 0 and table["a"]["last_run_id"] == two.run_id
    assert table["b"]["first_flagged_at"] > first["first_flagged_at"]
    assert two.steps[2].result["new"] == 1 and two.steps[2].result["rows"] == 2
    with pytest.raises(InputError, match="unchanged"):
        thresholds.save(store, cfg.thresholds(), actor)


def test_a_failing_step_is_logged_and_alerted_and_the_others_run(
    store, actor, tmp_path: Path, monkeypatch, config_dir: Path
) -> None:
    insert_events(store, [ev("a", "2025-06-05T10:00:00", "building_upgrade", credits_balance=-5)])
    (tmp_path / "out").mkdir()
    write(tmp_path / "out" / "offer_wall_progression_cheaters.csv", "stale from an earlier run\n")

    def boom(run) -> dict:
        raise RuntimeError("offerwall query exploded")

    monkeypatch.setitem(pipeline.STEP_FUNCTIONS, "offer_wall_progression_cheaters", boom)
    out = pipeline.run(store, actor, tmp_path / "out")
    assert not out.success
    assert [(s.step, s.success) for s in out.steps] == [
        ("Step 1", True),
        ("Step 2", False),
        ("Step 3", True),
        ("Step 4", True),
    ]
    assert out.steps[1].error == "offerwall query exploded"
    assert audit(store, out.run_id) == [
        ("Step 1", "potential_fraudsters", True, None, True),
        ("Step 2", "offer_wall_progression_cheaters", False, "offerwall query exploded", True),
        ("Step 3", "fraudsters", True, None, True),
        ("Step 4", "cohort_export", True, None, True),
    ]
    alerts = [json.loads(line) for line in (config_dir / "alerts.jsonl").read_text().splitlines()]
    assert [a["key"] for a in alerts] == [f"fraud:step_failed:{out.run_id}:Step 2"]
    assert not (tmp_path / "out" / "offer_wall_progression_cheaters.csv").exists()  # no stale file
    assert json.loads((tmp_path / "out" / "cohort.json").read_text()) == [
        {"$distinct_id": "a", "$set": {"fraudster_cohort_active_v8": True}}
    ]


def test_when_step_1_fails_flags_are_kept_and_the_manual_list_applied(
    store, actor, tmp_path: Path, monkeypatch
) -> None:
    insert_events(store, [ev("a", "2025-06-05T10:00:00", "building_upgrade", credits_balance=-5)])
    pipeline.run(store, actor, tmp_path / "one")

    def broken(*args, **kwargs):
        raise RuntimeError("Catalog Error: Table game_events does not exist")

    monkeypatch.setattr(detect, "detect", broken)
    out = pipeline.run(store, actor, tmp_path / "two", manual_ids=["m"])
    assert [s.success for s in out.steps] == [False, False, True, True], [s.error for s in out.steps]
    assert out.steps[1].error.startswith("step 1 (potential_fraudsters) failed")
    table = fraudsters(store)
    assert sorted(table) == ["a", "m"]
    assert table["a"]["negative_balance_flag"] == 1  # not wiped by the failed detection
    assert out.steps[3].result["rows"] == 2


def test_run_records_its_threshold_version_and_counts(store, actor, tmp_path: Path) -> None:
    insert_events(
        store,
        [
            ev("a", "2025-06-05T10:00:00", "building_upgrade", credits_balance=-5),
            ev("b", "2025-06-05T10:00:00", "offerwall_reward", credits_balance=-1),
        ],
    )
    out = pipeline.run(store, actor, tmp_path / "out")
    with store.connect() as con:
        row = con.execute(
            "SELECT threshold_version, potential, offerwall, fraudsters, new_fraudsters, events, "
            "success, run_by FROM fraud_runs WHERE run_id = ?",
            [out.run_id],
        ).fetchone()
    assert row == (1, 2, 1, 2, 2, 2, True, "tester")
    cfg = FraudSettings()
    cfg.patterns.large_jump.next_events = 3
    version = thresholds.save(store, cfg.thresholds(), actor)
    again = pipeline.run(store, actor, tmp_path / "again")
    assert again.threshold_version == version == 2


def test_viewers_may_not_run_the_pipeline(store, tmp_path: Path) -> None:
    with pytest.raises(PermissionDenied, match=r"may not fraud\.run"):
        pipeline.run(store, Actor("val", "viewer"), tmp_path)
