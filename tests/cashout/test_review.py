"""The queue, one audit in detail, append-only decisions and a cashout's history."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from analytics.cashout import review
from analytics.errors import InputError, PermissionDenied
from analytics.identity import Actor
from tests.cashout.helpers import at, audit_files, by_id, ev, export, games


@pytest.fixture
def audited(store, tmp_path: Path) -> dict[str, dict]:
    """Three cashouts: c1 approved (Sep 2), c2 fast_cashout (Sep 5), c3 of 'Bob' approved (Sep 9)."""
    rows = [*games(1, 5, 0.2, "true"), ev(at(2), "cashout", 1, cashout_id="c1"),
            *games(4, 2, 0.5, "true"), ev(at(5), "cashout", 1, cashout_id="c2"),
            *games(8, 6, 0.5, "true", user="u2"),
            ev(at(9), "cashout", 3, cashout_id="c3", user="u2", name="Bob")]
    return by_id(audit_files(store, export(tmp_path, "q.csv", rows)))


def test_queue_is_newest_first_and_filters(store, audited) -> None:
    assert review.queue(store)["cashout_id"].tolist() == ["c3", "c2", "c1"]
    assert review.queue(store, verdicts=["flagged"])["cashout_id"].tolist() == ["c2"]
    assert review.queue(store, reasons=["fast_cashout"])["cashout_id"].tolist() == ["c2"]
    assert review.queue(store, reasons=["collusion"]).empty
    assert review.queue(store, since=dt.date(2023, 9, 5))["cashout_id"].tolist() == ["c3", "c2"]
    assert review.queue(store, until=dt.date(2023, 9, 5))["cashout_id"].tolist() == ["c2", "c1"]  # inclusive
    assert review.queue(store, player="bo")["cashout_id"].tolist() == ["c3"]   # username, any case
    assert review.queue(store, player="U1")["cashout_id"].tolist() == ["c2", "c1"]
    with pytest.raises(InputError, match="verdict 'maybe'"):
        review.queue(store, verdicts=["maybe"])


def test_queue_summary_counts(store, audited) -> None:
    counts = review.summary(review.queue(store))
    assert counts == {"audits": 3, "approved": 2, "flagged": 1, "rejected": 0, "pending": 3}


def test_decisions_are_appended_never_overwritten(store, audited) -> None:
    audit_id = audited["c2"]["audit_id"]
    first = review.record_decision(store, audit_id, "escalate", "ask the player", Actor("ann", "auditor"))
    second = review.record_decision(store, audit_id, "Approve", " fine after call ", Actor("bob", "auditor"))
    assert first["decision_id"] != second["decision_id"] and second["decision"] == "approve"
    with store.connect() as con:
        rows = con.execute("SELECT decision, comment, decided_by FROM cashout_decisions "
                           "ORDER BY decided_at").fetchall()
    assert rows == [("escalate", "ask the player", "ann"), ("approve", "fine after call", "bob")]
    row = review.queue(store).set_index("cashout_id").loc["c2"]
    assert (row["decision"], row["decided_by"], row["decisions"]) == ("approve", "bob", 2)
    history = review.history(store, "c2")
    assert history["kind"].tolist() == ["audit", "decision", "decision"]
    assert history["what"].tolist() == ["flagged", "escalate", "approve"]
    assert review.summary(review.queue(store))["pending"] == 2


def test_decisions_are_checked(store, audited) -> None:
    audit_id = audited["c1"]["audit_id"]
    with pytest.raises(InputError, match="decision 'pay' is not one of approve, reject, escalate"):
        review.record_decision(store, audit_id, "pay", "", Actor("ann", "auditor"))
    with pytest.raises(PermissionDenied):
        review.record_decision(store, audit_id, "approve", "", Actor("vic", "viewer"))
    with pytest.raises(InputError, match="no audit with id 'au-nope'"):
        review.record_decision(store, "au-nope", "approve", "", Actor("ann", "auditor"))
    with pytest.raises(InputError, match="at most 2000"):
        review.record_decision(store, audit_id, "approve", "x" * 2001, Actor("ann", "auditor"))


def test_window_events_and_balance(store, tmp_path: Path) -> None:
    rows = [ev(at(1, 1), "game_end", 2, "true"), ev(at(1, 2), "tournament_entry", -1),
            ev(at(1, 3), "goal_claim", 0.5), ev(at(2), "cashout", 1.5, cashout_id="c1")]
    audit_id = audit_files(store, export(tmp_path, "b.csv", rows)).audits[0]["audit_id"]
    audit = review.get_audit(store, audit_id)
    events = review.window_events(store, audit)
    # running balance: 2, 2 - 1 = 1, 1 + 0.5 = 1.5, and the cashout leaves it at 1.5
    assert [float(b) for b in events["balance"]] == [2.0, 1.0, 1.5, 1.5]
    assert events["event_type"].tolist()[-1] == "cashout"


def test_device_accounts_lists_everyone_on_the_devices(store, tmp_path: Path) -> None:
    rows = [ev(at(1), "game_end", 1, "true", device="d1"), ev(at(1, 2), "game_end", 1, "true", device="d1",
                                                               user="u2")]
    audit_files(store, export(tmp_path, "d.csv", rows))
    pairs = review.device_accounts(store, ["d1"])
    assert list(pairs.itertuples(index=False, name=None)) == [("d1", "u1"), ("d1", "u2")]
    assert review.device_accounts(store, []).empty


def test_data_version_changes_with_every_write(store, audited) -> None:
    before = review.data_version(store)
    assert before.startswith("3|")   # three audits stored
    review.record_decision(store, audited["c1"]["audit_id"], "approve", "", Actor("ann", "auditor"))
    after = review.data_version(store)
    assert after != before and after.split("|")[2] == "1"   # one decision


def test_viewers_get_player_ids_as_pseudonyms(store, tmp_path: Path) -> None:
    from analytics.identity import mask

    rows = [ev(at(1, 1), "invite_accepted", 0, cp="u7"), *games(1, 5, 0.2, "true", kind="matchup_end", cp="u7"),
            ev(at(1, 20), "game_end", 0, "false", device="d-u1", user="u2"),   # u2 on u1's device
            ev(at(2), "cashout", 1, cashout_id="c1")]
    audit = audit_files(store, export(tmp_path, "v.csv", rows)).audits[0]
    seen = review.for_actor(audit, Actor("vic", "viewer"))
    assert (seen["user_id"], seen["username"]) == (mask("u1"), mask("name_u1"))
    assert seen["collusion"]["related_players"] == [mask("u7")]
    assert seen["collusion"]["top_opponents"] == [{"id": mask("u7"), "amount": 1.0}]
    assert seen["device_sharing"]["other_accounts"] == [mask("u2")]
    assert audit["user_id"] == "u1"   # the stored audit is untouched
    assert review.for_actor(audit, Actor("ann", "auditor")) is audit
