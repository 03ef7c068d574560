"""Trust in the pages' shared helpers: open mode serves this machine only; uploads are bounded and
saved under safe names in a private folder."""

from __future__ import annotations

import io
import stat
from pathlib import Path
from types import SimpleNamespace

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analytics.errors import InputError
from analytics.settings import sample_dir
from tests.conftest import ROOT
from tests.pages.test_pages import fresh_cache  # noqa: F401 - autouse: each test its own store and caches


@pytest.mark.parametrize(("ip", "refused"), [("10.20.30.40", True), ("127.0.0.1", False), ("::1", False)])
def test_open_mode_serves_this_machine_only(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ip: str,
                                            refused: bool) -> None:
    monkeypatch.setenv("RISKDESK_USERS_FILE", str(tmp_path / "no-users.yaml"))   # no users file: open mode
    monkeypatch.setattr(st, "context", SimpleNamespace(ip_address=ip))
    at = AppTest.from_file(str(ROOT / "pages" / "home.py"), default_timeout=60).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    if refused:
        assert errors == ["Riskdesk runs without sign-in, so it only serves this machine. Configure users "
                          "(python -m analytics users set ...) to open it to others."]
        assert not at.metric   # nothing of Home is shown
    else:
        assert errors == [] and at.metric


class Upload(io.BytesIO):
    """What st.file_uploader hands a page: bytes with a name and a size."""

    def __init__(self, name: str, data: bytes) -> None:
        super().__init__(data)
        self.name, self.size = name, len(data)


def test_an_upload_over_the_limit_is_refused_with_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    from pages._ui import saved_uploads

    monkeypatch.setenv("RISKDESK_MAX_UPLOAD_MB", "1")
    big = Upload("big.csv", b"x" * (2**20 + 1))   # one byte over 1 MB
    with pytest.raises(InputError) as refused, saved_uploads([Upload("small.csv", b"a\n"), big]):
        pytest.fail("nothing is saved when one upload is too big")
    assert str(refused.value) == "big.csv: 1.0 MB is over the upload limit of 1 MB (RISKDESK_MAX_UPLOAD_MB)"


def test_uploads_are_saved_under_safe_names_in_a_private_folder() -> None:
    from pages._ui import saved_uploads

    hostile = [Upload("../../etc/passwd", b"root"), Upload("<img src=x onerror=alert(1)>.csv", b"a,b\n"),
               Upload("report; DROP TABLE x.CSV", b"c\n")]
    with saved_uploads(hostile) as saved:
        folder = saved[0][0].parent
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700   # readable by this user only
        assert [p.parent for p, _ in saved] == [folder] * 3   # nothing written outside it
        assert [name for _, name in saved] == [u.name for u in hostile]   # shown to the user as given
        assert all(p.name[:4] in ("000_", "001_", "002_") for p, _ in saved)
        assert all(set(p.name[4:]) <= set("abcdefghijklmnopqrstuvwxyz0123456789_.") for p, _ in saved)
        assert [p.read_bytes() for p, _ in saved] == [b"root", b"a,b\n", b"c\n"]
    assert not folder.exists()   # removed when the page is done with it


def test_a_decision_records_who_signed_in(store, actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sign-in on: the decision's author is the signed-in user, never a name typed on the page."""
    from analytics import auth
    from analytics.cashout import runs

    export = sample_dir() / "cashout" / "queenbee_1012023.csv"
    [audit] = runs.audit_files(store, [(export, export.name)], actor).audits
    monkeypatch.setenv("RISKDESK_USERS_FILE", str(tmp_path / "users.yaml"))
    monkeypatch.setattr(auth, "_FAILURES", {})
    auth.set_user("dana", "auditor", "dana-password-1")
    at = AppTest.from_file(str(ROOT / "pages" / "cashout_audits.py"), default_timeout=60)
    at.query_params["audit"] = audit["audit_id"]
    at.run()
    assert not at.text_area and not at.metric   # the sign-in form only
    at.text_input[0].set_value("dana")
    at.text_input[1].set_value("dana-password-1")
    at.button[0].click().run()
    at.text_area[0].set_value("signed-in decision")
    [escalate] = [b for b in at.button if b.label == "Escalate"]
    escalate.click().run()
    assert not at.exception
    assert at.success[-1].value == "Recorded: escalate by dana"
    with store.connect() as con:
        rows = con.execute("SELECT decided_by, decision, comment FROM cashout_decisions").fetchall()
    assert rows == [("dana", "escalate", "signed-in decision")]


def test_streamlit_serves_this_machine_bounds_uploads_and_hides_tracebacks(monkeypatch: pytest.MonkeyPatch) -> None:
    import tomllib

    from analytics import settings

    monkeypatch.delenv("RISKDESK_MAX_UPLOAD_MB", raising=False)

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["address"] == "127.0.0.1"
    assert config["server"]["maxUploadSize"] * 2**20 == settings.max_upload_bytes()   # 200 MB both
    assert config["client"]["showErrorDetails"] == "none"
    assert ".streamlit/secrets.toml" in (ROOT / ".gitignore").read_text().splitlines()
    assert "config/users.yaml" in (ROOT / ".gitignore").read_text().splitlines()
