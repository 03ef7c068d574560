"""The Fraud cohort page under AppTest: run, metrics, filters, a player's evidence, what-if, rollback."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analytics.fraud import pipeline, settings, thresholds
from analytics.fraud.settings import FraudSettings
from analytics.identity import os_user
from tests.conftest import ROOT
from tests.fraud.conftest import ev, insert_events, late_android_penny

PAGE = str(ROOT / "pages" / "fraud_cohort.py")


@pytest.fixture(autouse=True)
def fresh(db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Own store and config folder; Streamlit's caches dropped."""
    folder = tmp_path / "config"
    folder.mkdir()
    (folder / "notify.yaml").write_text(f"backend: file\nfile_path: {folder / 'alerts.jsonl'}\n")
    monkeypatch.setenv("RISKDESK_CONFIG_DIR", str(folder))
    settings.save(FraudSettings())
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def events(store) -> None:
    """a: 245,001 credits (pattern 6, web); b: 240,000 (nothing); c: android installed after
    2025-04-17 with one 0.01 purchase (pattern 3: potential, kept out of the table by the rules)."""
    insert_events(
        store,
        [
            ev("a", "2025-06-05T10:00:00", "harvest", credits_balance=245_001),
            ev("a", "2025-06-05T10:05:00", "harvest", credits_balance=245_100),
            ev("b", "2025-06-05T10:00:00", "harvest", credits_balance=240_000),
            late_android_penny("c"),
        ],
    )


def page() -> AppTest:
    return AppTest.from_file(PAGE, default_timeout=60).run()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_empty_store_invites_a_run() -> None:
    at = page()
    assert not at.exception
    assert "No pipeline run yet" in at.info[0].value


def test_run_from_the_page_shows_the_counts(events) -> None:
    at = page()
    at.button(key="FormSubmitter:fraud_run-Run pipeline").click().run()
    assert not at.exception, at.exception
    assert not at.error
    # a and c flagged (2 potential); c is android after the cut-off with flag 3 only: 1 fraudster
    assert metrics(at) == {
        "Potential fraudsters": "2",
        "Offerwall progression cheaters": "0",
        "Fraudsters (table)": "1",
        "New in the last run": "1",
    }
    assert any("thresholds v1 · all events · 4 events · all steps succeeded" in c.value for c in at.caption)


def test_filters_and_player_evidence(store, actor, events, tmp_path: Path) -> None:
    pipeline.run(store, actor, tmp_path / "run")
    at = page()
    subheaders = [s.value for s in at.subheader]
    assert "Fraudsters (1 of 1)" in subheaders and "Potential fraudsters, last run (2 of 2)" in subheaders
    at.multiselect(key="fraud_filter_flags").set_value(["suspicious_purchase_flag"]).run()
    subheaders = [s.value for s in at.subheader]
    assert "Fraudsters (0 of 1)" in subheaders and "Potential fraudsters, last run (1 of 2)" in subheaders
    at.multiselect(key="fraud_filter_flags").set_value([]).run()
    at.multiselect(key="fraud_filter_platforms").set_value(["web"]).run()
    assert "Potential fraudsters, last run (1 of 2)" in [s.value for s in at.subheader]
    at.selectbox(key="fraud_player").set_value("a").run()
    assert not at.exception
    assert "6. High balance — high_balance_flag" in [e.label for e in at.expander]
    text = " ".join(m.value for m in at.markdown).replace("\\", "")  # shown escaped as plain text
    assert "Balance above the limit on 2 event(s): up to 245,100" in text  # 245,001 then 245,100
    table = at.table[0].value
    assert table["value"].tolist() == [245_001.0, 245_100.0]


def test_what_if_then_save_then_roll_back(store, actor, events, tmp_path: Path) -> None:
    pipeline.run(store, actor, tmp_path / "run")
    at = page()
    at.selectbox(key="fraud_wi_pattern").set_value(6).run()
    at.number_input(key="fraud_wi_high_balance_credits_above").set_value(239_999).run()
    at.button(key="fraud_wi_preview").click().run()
    assert not at.exception, at.exception
    got = metrics(at)
    assert got["Would enter potential"] == "1" and got["Would enter final cohort"] == "1"  # b
    assert got["Would leave potential"] == "0" and got["Would leave final cohort"] == "0"
    moves = at.table[0].value
    assert moves["player"].tolist() == ["b", "b"] and moves["cohort"].tolist() == ["potential", "final"]
    counts = at.table[1].value
    assert counts.loc[6, ["last_run", "what_if", "change"]].tolist() == [1, 2, 1]
    at.text_input(key="fraud_wi_note").set_value("catch b").run()
    at.button(key="fraud_wi_save").click().run()
    assert "Saved as version 2" in at.success[0].value
    assert settings.load().patterns.high_balance.credits_above == 239_999
    at = page()
    at.selectbox(key="fraud_rb").set_value(1).run()
    at.button(key="fraud_rb_go").click().run()
    assert "Version 3 is live" in at.success[0].value
    assert settings.load().patterns.high_balance.credits_above == 245_000
    history = thresholds.history(store)  # the page acts as the signed-in user (here the OS user)
    assert history["changed_by"].tolist()[:2] == [os_user(), os_user()]
    assert history["note"].tolist()[:2] == ["rollback to version 1", "catch b"]


def test_run_history_shows_the_audit_log(store, actor, events, tmp_path: Path) -> None:
    run = pipeline.run(store, actor, tmp_path / "run")
    at = page()
    at.selectbox(key="fraud_audit_run").set_value(run.run_id).run()
    log = at.table[-1].value
    assert log.index.tolist() == ["Step 1", "Step 2", "Step 3", "Step 4"]
    assert log["success"].tolist() == [True, True, True, True]
