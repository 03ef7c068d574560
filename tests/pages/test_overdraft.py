"""The Overdraft page under AppTest: headline figures, the at-risk table, the timeline, alerts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.overdraft import importer
from tests.conftest import ROOT
from tests.overdraft import scenario
from tests.overdraft.scenario import U
from tests.pages.test_pages import fresh_cache  # noqa: F401 - autouse: a store and caches per test


def run_page() -> AppTest:
    return AppTest.from_file(str(ROOT / "pages" / "overdraft.py"), default_timeout=60).run()


def test_empty_store_shows_zeros_without_errors(store) -> None:
    at = run_page()
    assert not at.exception and not at.error
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Transactions"] == "0" and metrics["At risk"] == "0"
    assert metrics["Median lead time"] == "n/a"


def test_loaded_logs_show_the_figures_and_the_at_risk_table(store, actor, tmp_path: Path) -> None:
    paths = scenario.write(tmp_path / "logs")
    importer.load_logs(store, [(p, p.name) for p in paths], actor, workers=1)
    at = run_page()
    assert not at.exception and not at.error
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Transactions"] == "12" and metrics["Overdraft rows"] == "3"
    assert metrics["Overdraft subscribers"] == "3" and metrics["At risk"] == "1"
    assert metrics["Overdraft rows out of sync"] == "66.7%"  # 2 of 3
    assert metrics["Out-of-sync subscribers"] == "4" and metrics["Out of sync → overdraft"] == "50.0%"
    assert metrics["Median lead time"] == "24.0 h"
    table = next(d.value for d in at.dataframe if "days_to_overdraft" in d.value.columns)
    assert table["user_id"].tolist() == [U[3]] and table["days_to_overdraft"].iloc[0] == pytest.approx(15.0)
    assert any(c.value.startswith("1 subscribers at risk") for c in at.caption)
    # the timeline lists the at-risk subscriber first, then the rest (most out of sync first)
    box = at.selectbox(key="overdraft_user")
    assert box.options[0] == U[3] and len(box.options) == 5
    box.set_value(U[1]).run()
    assert not at.exception


def test_folder_loading_and_a_missing_folder(store, tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    scenario.write(folder)
    at = run_page()
    at.text_input(key="overdraft_folder").set_value(str(tmp_path / "nope")).run()
    at.button[0].click().run()
    assert "no such file or folder" in at.error[0].value
    at.text_input(key="overdraft_folder").set_value(str(folder)).run()
    at.button[0].click().run()
    assert not at.exception
    loaded = at.table[0].value
    assert loaded["status"].tolist() == ["loaded", "loaded"] and loaded["transactions"].tolist() == [9, 3]
    assert {m.label: m.value for m in at.metric}["Transactions"] == "12"


def test_send_alerts_button_sends_each_episode_once(store, actor, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    paths = scenario.write(tmp_path / "logs")
    importer.load_logs(store, [(p, p.name) for p in paths], actor, workers=1)
    config = tmp_path / "config"
    config.mkdir()
    (config / "overdraft.yaml").write_text((ROOT / "config" / "overdraft.yaml").read_text())
    (config / "notify.yaml").write_text(f"backend: file\nfile_path: {tmp_path / 'alerts.jsonl'}\n")
    monkeypatch.setenv("RISKDESK_CONFIG_DIR", str(config))
    at = run_page()
    send = next(b for b in at.button if b.label == "Send new alerts")
    send.click().run()
    assert at.success[0].value == "4 sent, 0 sent before, 0 failed."
    next(b for b in at.button if b.label == "Send new alerts").click().run()
    assert at.success[0].value == "0 sent, 4 sent before, 0 failed."
    keys = [json.loads(x)["key"] for x in (tmp_path / "alerts.jsonl").read_text().splitlines()]
    assert len(keys) == 4 and len(set(keys)) == 4


def test_viewers_see_masked_ids_and_cannot_load(store, actor, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from analytics.identity import Actor, mask

    paths = scenario.write(tmp_path / "logs")
    importer.load_logs(store, [(p, p.name) for p in paths], actor, workers=1)
    monkeypatch.setattr("pages._ui.current_actor", lambda: Actor("vera", "viewer"))
    at = run_page()
    assert not at.exception
    assert "need the auditor role" in at.info[0].value
    table = next(d.value for d in at.dataframe if "days_to_overdraft" in d.value.columns)
    assert table["user_id"].tolist() == [mask(U[3])] and U[3] not in mask(U[3])
    assert next(b for b in at.button if b.label == "Send new alerts").disabled
