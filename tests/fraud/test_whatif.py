"""Testing a threshold before it goes live, saving it as a version, and rolling it back."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics import config
from analytics.errors import ConfigError, PermissionDenied
from analytics.fraud import pipeline, settings, thresholds, whatif
from analytics.fraud.settings import FraudSettings
from analytics.identity import Actor
from tests.fraud.conftest import ev, insert_events, late_android_penny


@pytest.fixture
def last_run(store, actor, tmp_path: Path) -> str:
    """A run where a (245,001 credits, web) trips pattern 6 and b (240,000) does not;
    c is an android player installed after 2025-04-17 with a 0.01 purchase: potential, not final."""
    insert_events(
        store,
        [
            ev("a", "2025-06-05T10:00:00", "harvest", credits_balance=245_001),
            ev("b", "2025-06-05T10:00:00", "harvest", credits_balance=240_000),
            late_android_penny("c"),
        ],
    )
    return pipeline.run(store, actor, tmp_path / "run").run_id


def with_credits_above(value: int) -> dict:
    cfg = FraudSettings()
    cfg.patterns.high_balance.credits_above = value
    return cfg.thresholds()


def test_lower_threshold_shows_who_would_enter(store, actor, last_run: str) -> None:
    diff = whatif.preview(store, actor, with_credits_above(239_999))
    assert diff.last_run_id == last_run
    assert diff.changes == [{"key": "patterns.high_balance.credits_above", "old": 245_000, "new": 239_999}]
    assert diff.potential_enter == ["b"] and diff.potential_leave == []
    assert diff.final_enter == ["b"] and diff.final_leave == []
    counts = diff.counts.set_index("pattern")
    assert counts.loc[6, ["last_run", "what_if", "change"]].tolist() == [1, 2, 1]  # a; a and b
    assert counts.loc[3, ["last_run", "what_if", "change"]].tolist() == [1, 1, 0]  # c either way
    assert (diff.potential, diff.final) == (3, 2)  # a, b, c flagged; c kept out by the android rule


def test_higher_threshold_shows_who_would_leave_and_stay_in_the_table(store, actor, last_run: str) -> None:
    diff = whatif.preview(store, actor, with_credits_above(250_000))
    assert diff.potential_leave == ["a"] and diff.final_leave == ["a"]
    assert diff.stay_in_table == ["a"]  # nobody leaves the fraudsters table
    assert diff.potential_enter == diff.final_enter == []


def test_rule_change_moves_only_the_final_cohort(store, actor, last_run: str) -> None:
    cfg = FraudSettings()
    cfg.rules.android_late_flags = [3, 14, 15]
    diff = whatif.preview(store, actor, cfg.thresholds())
    assert diff.potential_enter == diff.potential_leave == []
    assert diff.final_enter == ["c"]


def test_preview_saves_nothing(store, actor, last_run: str, config_dir: Path) -> None:
    before = (config_dir / "fraud.yaml").read_text()
    whatif.preview(store, actor, with_credits_above(1))
    assert (config_dir / "fraud.yaml").read_text() == before
    assert len(thresholds.history(store)) == 1
    with store.connect() as con:
        assert con.execute("SELECT count(*) FROM fraud_runs").fetchone()[0] == 1


def test_invalid_candidate_names_the_key(store, actor, last_run: str) -> None:
    bad = FraudSettings().thresholds()
    bad["patterns"]["rapid_purchases"]["max_seconds"] = "soon"
    with pytest.raises(ConfigError, match=r"patterns\.rapid_purchases\.max_seconds"):
        whatif.preview(store, actor, bad)


def test_save_versions_who_when_what_and_rollback(store, actor, last_run: str, config_dir: Path) -> None:
    version = thresholds.save(store, with_credits_above(239_999), actor, "catch b")
    assert version == 2
    assert config.load("fraud", FraudSettings).patterns.high_balance.credits_above == 239_999
    assert "# credits_balance > this" in (config_dir / "fraud.yaml").read_text()  # comments kept
    run = pipeline.run(store, actor, config_dir.parent / "after")
    assert run.threshold_version == 2 and run.steps[0].result["flags"]["high_balance_flag"] == 2
    back = thresholds.rollback(store, 1, Actor("rita", "admin"))
    assert back == 3
    assert settings.load().patterns.high_balance.credits_above == 245_000
    history = thresholds.history(store)
    assert history["version"].tolist() == [3, 2, 1]
    assert history["changed_by"].tolist() == ["rita", "tester", "tester"]
    assert history["source"].tolist() == ["rollback", "page", "default"]
    assert history["note"].tolist()[:2] == ["rollback to version 1", "catch b"]
    assert history["changes"].tolist()[:2] == [
        "patterns.high_balance.credits_above: 239999 → 245000",
        "patterns.high_balance.credits_above: 245000 → 239999",
    ]
    assert thresholds.thresholds_of(store, 3) == thresholds.thresholds_of(store, 1)


def test_hand_edited_file_becomes_a_version(store, actor, config_dir: Path) -> None:
    thresholds.current(store, actor)
    path = config_dir / "fraud.yaml"
    path.write_text(path.read_text().replace("credits_rise: 40000", "credits_rise: 41000"))
    cfg, version = thresholds.current(store, actor)
    assert version == 2 and cfg.patterns.large_jump.credits_rise == 41_000
    row = thresholds.history(store).iloc[0]
    assert row["source"] == "file" and row["changes"] == "patterns.large_jump.credits_rise: 40000 → 41000"


def test_only_admins_save_thresholds(store) -> None:
    with pytest.raises(PermissionDenied):
        thresholds.save(store, with_credits_above(1), Actor("ann", "auditor"))
