"""The Cashout audits page under AppTest: queue, filters, one audit in detail, decisions."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.cashout import runs
from analytics.settings import sample_dir
from tests.conftest import ROOT
from tests.pages.test_pages import fresh_cache  # noqa: F401 - autouse: each test its own store and caches

PAGE = str(ROOT / "pages" / "cashout_audits.py")
SAMPLES = sample_dir() / "cashout"


@pytest.fixture
def audited(store, actor) -> dict[str, str]:
    """marlowe (c-9705 approved, c-10118 value_mismatch) and queenbee (c-10121 rejected) audited."""
    files = [SAMPLES / "marlowe_9302023.csv", SAMPLES / "queenbee_1012023.csv"]
    run = runs.audit_files(store, [(f, f.name) for f in files], actor)
    return {a["cashout_id"]: a["audit_id"] for a in run.audits}


def page(**params: str) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def problems(at: AppTest) -> list[str]:
    """Error messages on the page (a rejected verdict is shown in red too: that is not a problem)."""
    return [e.value for e in at.error if not e.value.startswith("**REJECTED**")]


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_empty_store_says_what_to_do(store) -> None:
    at = page()
    assert not at.exception
    assert metrics(at)["Audits shown"] == "0"
    assert "No audited cashout matches" in at.info[0].value


def test_queue_counts_and_newest_first(audited) -> None:
    at = page()
    assert not at.exception and not problems(at)
    got = metrics(at)
    assert (got["Audits shown"], got["Approved"], got["Flagged"], got["Rejected"]) == ("3", "1", "1", "1")
    assert got["Awaiting a decision"] == "3"
    picker = at.selectbox(key="cashout_open")
    # newest cashout first: queenbee Oct 1, marlowe Sep 30, marlowe Sep 1
    assert picker.options == [
        "c-10121 · queenbee (u1005) · rejected · pending", "c-10118 · marlowe (u1007) · flagged · pending",
        "c-9705 · marlowe (u1007) · approved · pending"]


def test_filters_narrow_the_queue(audited) -> None:
    at = page()
    at.multiselect(key="cashout_f_verdicts").set_value(["rejected"]).run()
    assert metrics(at)["Audits shown"] == "1"
    at.multiselect(key="cashout_f_verdicts").set_value([])
    at.multiselect(key="cashout_f_reasons").set_value(["value_mismatch"]).run()
    assert metrics(at)["Audits shown"] == "1"
    at.multiselect(key="cashout_f_reasons").set_value([])
    at.text_input(key="cashout_f_player").set_value("MARLOWE").run()
    assert metrics(at)["Audits shown"] == "2"
    at.text_input(key="cashout_f_player").set_value("nobody").run()
    assert metrics(at)["Audits shown"] == "0" and "No audited cashout matches" in at.info[0].value


def test_one_audit_in_detail(audited) -> None:
    at = page(audit=audited["c-10118"])   # a link to one audit opens it
    assert not at.exception and not problems(at)
    assert at.subheader[1].value == r"c\-10118 · marlowe \(u1007\)"   # Markdown-escaped, shown as typed
    got = metrics(at)
    # paid 24.00, the window shows 12.20: |24 - 12.2| / 24 = 49.2 %
    assert (got["Cashout (currency)"], got["Audited value (currency)"], got["Discrepancy"]) == (
        "24.00", "12.20", "49.2%")
    assert (got["Games to cashout"], got["Winrate"], got["Take per game (currency)"]) == ("15", "60.0%", "0.08")
    reasons = at.table[0].value
    assert reasons.index.tolist() == ["value_mismatch"] and reasons.iloc[0]["threshold"] == 0.1
    assert at.code[0].value.startswith("Cashout c-10118 - marlowe (u1007) - 24.00 on 2023-09-30 17:55 UTC")
    assert at.warning[0].value.startswith("**FLAGGED** · value_mismatch")


def test_recording_a_decision_shows_it_in_the_history(audited) -> None:
    at = page(audit=audited["c-10121"])
    at.text_area[0].set_value("won 87% of the value from invitees")
    [reject] = [b for b in at.button if b.label == "Reject"]
    reject.click().run()
    assert not at.exception and not problems(at)
    assert at.success[-1].value.startswith("Recorded: reject by ")
    history = at.table[-1].value
    assert history["kind"].tolist() == ["audit", "decision"]
    assert history["what"].tolist() == ["rejected", "reject"]
    assert history["detail"].tolist()[-1] == "won 87% of the value from invitees"
    assert metrics(at)["Awaiting a decision"] == "2"   # the queue was read again after the write
    assert at.selectbox(key="cashout_open").options[0] == "c-10121 · queenbee (u1005) · rejected · reject"


def test_names_from_files_are_shown_as_text_not_markup(store, actor, tmp_path: Path) -> None:
    from tests.cashout.helpers import at, ev, export, games

    rows = [*games(1, 5, 0.2, "true"), ev(at(2), "cashout", 1, cashout_id="c1", name="[win](http://x.y)_*me*")]
    rows = [r.replace("name_u1", "[win](http://x.y)_*me*") for r in rows]
    runs.audit_files(store, [(export(tmp_path, "n.csv", rows), "n.csv")], actor)
    got = page()
    assert not got.exception
    assert got.subheader[1].value == r"c1 · \[win\]\(http\://x\.y\)\_\*me\* \(u1\)"   # no link, no bold


def test_viewers_see_pseudonyms_and_cannot_act(audited, monkeypatch) -> None:
    from analytics.identity import Actor, mask

    monkeypatch.setattr("pages._ui.current_actor", lambda: Actor("vera", "viewer"))
    at = page(audit=audited["c-10121"])
    assert not at.exception and not problems(at)
    assert "queenbee" not in at.subheader[1].value and "u1005" not in at.code[0].value
    assert mask("u1005") in at.code[0].value   # the note names the player by pseudonym only
    decide = [b for b in at.button if b.label in ("Approve", "Reject", "Escalate")]
    assert len(decide) == 3 and all(b.disabled for b in decide)
    queue = at.dataframe[0].value
    assert sorted(set(queue["user_id"])) == sorted({mask("u1005"), mask("u1007")})
