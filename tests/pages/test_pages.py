"""Every page runs under Streamlit's AppTest without an exception; Home's logic works."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, write

PAGES = sorted(p.name for p in (ROOT / "pages").glob("*.py") if not p.name.startswith("_"))


@pytest.fixture(autouse=True)
def fresh_cache(db_path: Path):
    """Each test gets its own store: the cached store handle is dropped."""
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()


def run_page(name: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / name), default_timeout=60)
    return at.run()


def test_app_entry_runs_home() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "Riskdesk"


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_without_exception(page: str) -> None:
    at = run_page(page)
    assert not at.exception, at.exception
    assert at.title, f"{page} has no title"


def test_home_shows_what_is_loaded(store, actor, tmp_path: Path) -> None:
    from analytics import ingest

    csv = write(tmp_path / "a.csv", "event_time,user_id,username,event_type,amount\n"
                "2023-09-19T14:02:11Z,u1,a,game_end,1.5\n2023-09-20T14:02:11Z,u2,b,game_end,2\n")
    ingest.load_files(store, [(csv, "a.csv")], actor)
    at = run_page("home.py")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Rows"] == "2"  # the 2 events; bookkeeping tables are not data
    assert metrics["Tables with data"].startswith("1 of ")
    assert metrics["Files loaded"] == "1"
    tables = at.dataframe[0].value
    row = tables[tables["table"] == "cashout_events"].iloc[0]
    assert row["rows"] == 2 and str(row["first"]).startswith("2023-09-19 14:02:11")


def test_home_sql_box_runs_and_refuses(store) -> None:
    at = run_page("home.py")
    at.text_area[0].set_value("SELECT 40 + 2 AS answer")
    at.button[0].click().run()
    assert not at.exception
    assert not at.error
    answers = [d.value for d in at.dataframe if "answer" in d.value.columns]
    assert answers[0]["answer"].tolist() == [42]
    at.text_area[0].set_value("DELETE FROM loaded_files")
    at.button[0].click().run()
    assert "DELETE statements are refused" in at.error[0].value


def test_sign_in_is_required_once_users_exist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from analytics import auth

    monkeypatch.setenv("RISKDESK_USERS_FILE", str(tmp_path / "users.yaml"))
    monkeypatch.setattr(auth, "_FAILURES", {})
    auth.set_user("dana", "viewer", "dana-password-1")
    at = run_page("home.py")
    assert not at.exception
    assert [t.value for t in at.title] == ["Riskdesk"] and not at.metric  # only the sign-in form
    at.text_input[0].set_value("dana")
    at.text_input[1].set_value("wrong-password")
    at.button[0].click().run()
    assert at.error[0].value == "wrong user name or password" and not at.metric
    at.text_input[1].set_value("dana-password-1")
    at.button[0].click().run()
    assert not at.exception
    assert at.metric, "the signed-in user sees Home"


def test_single_sign_on_button_when_oidc_is_configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from analytics import auth

    monkeypatch.setenv("RISKDESK_USERS_FILE", str(tmp_path / "users.yaml"))
    auth.set_user("erin", "auditor", email="erin@example.com")
    at = AppTest.from_file(str(ROOT / "pages" / "home.py"), default_timeout=60)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                          "client_id": "riskdesk", "client_secret": "s",
                          "server_metadata_url": "https://sso.example.com/.well-known/openid-configuration"}
    at.run()
    assert not at.exception
    assert [b.label for b in at.button][:1] == ["Sign in with company account"]
    assert not at.metric  # nothing of Home before sign-in
