"""Every audit figure computed from small hand-made exports (expected values worked out by hand)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from analytics.cashout.thresholds import Thresholds
from tests.cashout.helpers import at, audit_files, by_id, ev, export, games


def test_windows_run_from_the_previous_cashout(store, tmp_path: Path) -> None:
    rows = [
        ev(at(1), "game_end", 1, "true"),                        # window of c1
        ev(at(2), "cashout", 2, cashout_id="c1"),
        ev(at(2), "goal_claim", 1),                              # same instant as c1: still c1's window
        ev(at(3), "game_end", 2, "true"), ev(at(3, 13), "game_end", 3, "false"),  # window of c2
        ev(at(4), "cashout", 5, cashout_id="c2"),
        ev(at(5), "game_end", 10, "true"),                       # after the last cashout: in no window
    ]
    audits = by_id(audit_files(store, export(tmp_path, "p.csv", rows)))
    c1, c2 = audits["c1"], audits["c2"]
    assert c1["window_start"] == at(1) and c2["window_start"] == at(3)
    assert c1["key_numbers"]["games_to_cashout"] == 1 and c2["key_numbers"]["games_to_cashout"] == 2
    assert c1["reconciliation"]["audited_value"] == 2.0   # 1 + 1 (the goal at the cashout's instant)
    assert c2["reconciliation"]["audited_value"] == 5.0   # 2 + 3; the 10 after c2 is not counted
    assert [a["cashout_id"] for a in audit_files(store, tmp_path / "p.csv").audits] == ["c1", "c2"]


def test_games_winrate_and_take_per_game_overall_live_and_matchups(store, tmp_path: Path) -> None:
    rows = [
        ev(at(1, 1), "game_end", 0.8, "true"), ev(at(1, 2), "game_end", -1.0, "false"),
        ev(at(1, 3), "game_end", 0, ""),                         # blank won: a game with no known result
        ev(at(1, 4), "matchup_end", 1.6, "true", "u2"), ev(at(1, 5), "matchup_end", 0.8, "1", "u3"),
        ev(at(1, 6), "tournament_end", 5, "true"),               # tournaments are not games
        ev(at(2), "cashout", 7.2, cashout_id="c1"),
    ]
    k = by_id(audit_files(store, export(tmp_path, "g.csv", rows)))["c1"]["key_numbers"]
    assert k["games_to_cashout"] == 5
    assert k["winrate"] == 0.75                  # 3 won of the 4 with a known result
    assert k["take_per_game"] == 0.44            # (0.8 - 1.0 + 0 + 1.6 + 0.8) / 5 = 2.2 / 5
    assert (k["live_games"], k["live_winrate"], k["live_take_per_game"]) == (3, 0.5, -0.066667)  # -0.2/3
    assert (k["matchups"], k["matchup_winrate"], k["matchup_take_per_game"]) == (2, 1.0, 1.2)  # 2.4/2


def test_no_games_means_no_winrate_and_no_take(store, tmp_path: Path) -> None:
    rows = [ev(at(1), "goal_claim", 3), ev(at(2), "cashout", 3, cashout_id="c1")]
    k = by_id(audit_files(store, export(tmp_path, "n.csv", rows)))["c1"]["key_numbers"]
    assert (k["games_to_cashout"], k["winrate"], k["take_per_game"]) == (0, None, None)
    assert (k["live_winrate"], k["matchup_take_per_game"]) == (None, None)


def test_reconciliation_counts_every_type_and_negatives(store, tmp_path: Path) -> None:
    rows = [ev(at(1, 1), "game_end", 2, "true"), ev(at(1, 2), "tournament_entry", -1),
            ev(at(1, 3), "mega_spin", 0.5), ev(at(2), "cashout", 2, cashout_id="c1"),
            ev(at(3), "cashout", 0, cashout_id="c0", user="u2")]
    audits = by_id(audit_files(store, export(tmp_path, "r.csv", rows)))
    rec = audits["c1"]["reconciliation"]
    assert rec == {"audited_value": 1.5, "discrepancy_share": 0.25}   # |2 - 1.5| / 2
    assert audits["c0"]["reconciliation"] == {"audited_value": 0.0, "discrepancy_share": 0.0}  # both 0


def test_value_sources_are_positive_totals_and_their_shares(store, tmp_path: Path) -> None:
    rows = [ev(at(1, 1), "game_end", 1, "true"), ev(at(1, 2), "game_end", -1, "false"),
            ev(at(1, 3), "matchup_end", 3, "true", "u2"), ev(at(1, 4), "tournament_entry", -2),
            ev(at(1, 5), "tournament_end", 4, "true"), ev(at(1, 6), "goal_claim", 1),
            ev(at(1, 7), "mega_spin", 1), ev(at(2), "cashout", 7, cashout_id="c1")]
    audit = by_id(audit_files(store, export(tmp_path, "v.csv", rows)))["c1"]
    # positive amounts per source: 1, 3, 4, 1, 1, 0 -> sum 10
    assert audit["value_totals"] == {"game_end": 1.0, "matchup_end": 3.0, "tournament_end": 4.0,
                                     "goal_claim": 1.0, "mega_spin": 1.0, "admin_add_balance": 0.0}
    assert audit["value_sources"] == {"game_end": 0.1, "matchup_end": 0.3, "tournament_end": 0.4,
                                      "goal_claim": 0.1, "mega_spin": 0.1, "admin_add_balance": 0.0}
    assert sum(audit["value_sources"].values()) == pytest.approx(1.0)


def test_value_sources_are_all_zero_without_positive_value(store, tmp_path: Path) -> None:
    rows = [*games(1, 5, -1.0, "false"), ev(at(2), "cashout", 1, cashout_id="c1")]
    audit = by_id(audit_files(store, export(tmp_path, "z.csv", rows)))["c1"]
    assert set(audit["value_sources"].values()) == {0.0} and audit["collusion"]["invited_share"] == 0.0


def test_admin_balance_share_flags_the_cashout(store, tmp_path: Path) -> None:
    rows = [*games(1, 5, 0.2, "true"), ev(at(1, 20), "admin_add_balance", 3),
            ev(at(2), "cashout", 4, cashout_id="c1")]
    audit = by_id(audit_files(store, export(tmp_path, "a.csv", rows)))["c1"]
    assert audit["value_sources"]["admin_add_balance"] == 0.75   # 3 / (5 x 0.2 + 3)
    assert audit["verdict"] == "flagged" and [r["code"] for r in audit["reasons"]] == ["admin_balance"]


def test_invites_related_players_and_invited_share(store, tmp_path: Path) -> None:
    rows = [
        ev(at(1, 1), "invite_accepted", 0, cp="u1", user="u0", device="d0"),  # u0 invited u1
        ev(at(1, 2), "invite_accepted", 0, cp="u7"),
        *games(1, 5, 0.1, "true"),
        ev(at(2), "cashout", 0.5, cashout_id="c1"),
        ev(at(3, 1), "invite_accepted", 0, cp="u8"),
        ev(at(3, 2), "matchup_end", 2, "true", "u8"),     # won from an invitee
        ev(at(3, 3), "matchup_end", -1, "false", "u7"),   # lost to an invitee: not value
        ev(at(3, 4), "matchup_end", 3, "true", "u5"),     # a stranger
        ev(at(3, 5), "goal_claim", 5),
        ev(at(3, 6), "matchup_end", 0.5, "true", "u0"),   # won from the inviter
        ev(at(4), "cashout", 9.5, cashout_id="c2"),
        ev(at(5), "invite_accepted", 0, cp="u9"),         # after the last cashout: not counted
    ]
    audits = by_id(audit_files(store, export(tmp_path, "i.csv", rows)))
    c1, c2 = audits["c1"], audits["c2"]
    assert c1["key_numbers"]["invites"] == 1 and c2["key_numbers"]["invites"] == 2   # lifetime up to C
    assert c1["collusion"]["related_players"] == ["u0", "u7"]
    assert c2["collusion"]["related_players"] == ["u0", "u7", "u8"]
    # positive matchups vs related: 2 (u8) + 0.5 (u0) = 2.5; six totals: 2 + 3 + 0.5 + 5 = 10.5
    assert c2["collusion"]["invited_share"] == round(2.5 / 10.5, 6)
    assert c2["verdict"] == "flagged"   # 0.238 >= 0.20; and only 4 matchups in the window
    assert [r["code"] for r in c2["reasons"]] == ["collusion", "fast_cashout"]
    assert c1["collusion"]["invited_share"] == 0.0


def test_invited_share_of_half_rejects(store, tmp_path: Path) -> None:
    rows = [ev(at(1, 1), "invite_accepted", 0, cp="u7"), *games(1, 5, 0.2, "true", kind="matchup_end", cp="u7"),
            ev(at(1, 20), "goal_claim", 1), ev(at(2), "cashout", 2, cashout_id="c1")]
    audit = by_id(audit_files(store, export(tmp_path, "h.csv", rows)))["c1"]
    assert audit["collusion"]["invited_share"] == 0.5    # 5 x 0.2 from u7 of 2.0
    assert audit["verdict"] == "rejected" and [r["code"] for r in audit["reasons"]] == ["collusion"]


def test_top_opponents_are_the_three_won_most_from(store, tmp_path: Path) -> None:
    plays = [("a", 1), ("a", 1), ("b", 3), ("b", -1), ("c", 5), ("d", 0.5), ("e", -2)]
    rows = [ev(at(1, 1, i), "matchup_end", amount, "true" if amount > 0 else "false", cp)
            for i, (cp, amount) in enumerate(plays)]
    rows.append(ev(at(2), "cashout", 7.5, cashout_id="c1"))
    audit = by_id(audit_files(store, export(tmp_path, "o.csv", rows)))["c1"]
    # nets: c 5, a 2, b 2 (tie: by id), d 0.5 (fourth), e -2 (lost to)
    assert audit["collusion"]["top_opponents"] == [
        {"id": "c", "amount": 5.0}, {"id": "a", "amount": 2.0}, {"id": "b", "amount": 2.0}]


def test_device_sharing_reads_every_loaded_file(store, tmp_path: Path) -> None:
    earlier = export(tmp_path, "other.csv", [ev(at(1), "game_end", 1, "true", device="d2", user="u2"),
                                             ev(at(1), "game_end", 1, "true", device="d9", user="u4")])
    audit_files(store, earlier)  # no cashout: fails, but its events are loaded
    rows = [*games(1, 5, 0.2, "true", device="d1"), ev(at(1, 20), "game_end", 0, "false", device="d2"),
            ev(at(2), "cashout", 1, cashout_id="c1", device="d1"),
            ev(at(3), "game_end", 0, "false", device="d9")]   # d9 only after the cashout
    audit = by_id(audit_files(store, export(tmp_path, "p.csv", rows)))["c1"]
    assert audit["device_sharing"] == {"devices": ["d1", "d2"], "other_accounts": ["u2"],
                                       "shared_devices": ["d2"]}
    assert audit["reasons"][0]["message"] == "device d2 is shared with 1 other account"


def test_identical_rows_in_two_files_count_once(store, tmp_path: Path) -> None:
    rows = [*games(1, 6, 0.5, "true"), ev(at(2), "cashout", 3, cashout_id="c1")]
    first = export(tmp_path, "first.csv", rows)
    second = export(tmp_path, "second.csv", [*rows[:3], ev(at(1, 23), "goal_claim", 1), *rows[3:]])
    run = audit_files(store, first, second)
    assert len(run.audits) == 1
    audit = run.audits[0]
    assert audit["key_numbers"]["games_to_cashout"] == 6       # not 12
    assert audit["reconciliation"]["audited_value"] == 4.0     # 6 x 0.5 + the goal only the second file has
    assert [len(f.audits) for f in run.files] == [1, 1]        # both files show the one audit


def test_unsorted_rows_give_the_same_audit(store, tmp_path: Path) -> None:
    rows = [*games(1, 6, 0.5, "true"), *games(1, 3, -0.5, "false", kind="matchup_end", cp="u2"),
            ev(at(2), "cashout", 1.5, cashout_id="c1"), *games(3, 5, 1, "true"),
            ev(at(4), "cashout", 5, cashout_id="c2")]
    shuffled = rows[:]
    random.Random(4).shuffle(shuffled)
    a = by_id(audit_files(store, export(tmp_path, "sorted.csv", rows)))
    b = by_id(audit_files(store, export(tmp_path, "shuffled.csv", [*shuffled, ev(at(9), "mega_spin", 0)])))
    for cid in ("c1", "c2"):
        for part in ("key_numbers", "reconciliation", "value_totals", "window_start"):
            assert a[cid][part] == b[cid][part], (cid, part)
    assert b["c1"]["key_numbers"]["games_to_cashout"] == 9 and b["c2"]["window_start"] == at(3, 10, 0)


def test_other_event_types_are_counted_and_named(store, tmp_path: Path) -> None:
    rows = [*games(1, 5, 0.2, "true"), ev(at(1, 20), "bonus", 2), ev(at(1, 21), "Game_End", 1, "true"),
            ev(at(2), "cashout", 4, cashout_id="c1")]
    audit = by_id(audit_files(store, export(tmp_path, "x.csv", rows)))["c1"]
    assert audit["reconciliation"]["audited_value"] == 4.0     # 1 + 2 (bonus, as other) + 1
    assert audit["key_numbers"]["games_to_cashout"] == 6       # Game_End is game_end, case aside
    assert audit["warnings"] == ["1 event of types the contract does not name counted as other, in the "
                                 "audited value: bonus x1 (+2 currency)"]


def test_many_players_in_one_file_are_audited_apart(store, tmp_path: Path) -> None:
    rows = [*games(1, 5, 1, "true", user="u1"), *games(1, 6, -1, "false", user="u2"),
            ev(at(2), "cashout", 5, cashout_id="c1", user="u1"),
            ev(at(3), "cashout", 1, cashout_id="c2", user="u2")]
    audits = by_id(audit_files(store, export(tmp_path, "m.csv", rows)))
    assert (audits["c1"]["user_id"], audits["c1"]["key_numbers"]["games_to_cashout"]) == ("u1", 5)
    assert (audits["c2"]["user_id"], audits["c2"]["key_numbers"]["games_to_cashout"]) == ("u2", 6)
    assert audits["c2"]["key_numbers"]["winrate"] == 0.0


def test_take_per_game_outlier_uses_the_stored_audits(store, tmp_path: Path) -> None:
    # 30 earlier cashouts with take per game 1, 2, ..., 30 (5 games each);
    # 99th percentile (linear): 1 + 0.99 x 29 = 29.71
    rows = []
    for k in range(1, 31):
        rows += games(1, 5, k, "true", user=f"p{k}")
        rows.append(ev(at(2), "cashout", 5 * k, cashout_id=f"h{k}", user=f"p{k}"))
    history = audit_files(store, export(tmp_path, "history.csv", rows))
    assert all(a["verdict"] == "approved" for a in history.audits)   # no history yet: no outlier
    new = [*games(5, 5, 29.8, "true", user="q1"), ev(at(6), "cashout", 149, cashout_id="q1", user="q1"),
           *games(5, 5, 29.7, "true", user="q2"), ev(at(6), "cashout", 148.5, cashout_id="q2", user="q2")]
    audits = by_id(audit_files(store, export(tmp_path, "new.csv", new)))
    above, below = audits["q1"], audits["q2"]
    assert [r["code"] for r in above["reasons"]] == ["take_per_game_outlier"]
    assert above["reasons"][0]["value"] == 29.8 and above["reasons"][0]["threshold"] == pytest.approx(29.71)
    assert below["verdict"] == "approved"


def test_fewer_than_30_earlier_audits_never_flag_an_outlier(store, tmp_path: Path) -> None:
    rows = []
    for k in range(1, 30):
        rows += games(1, 5, k, "true", user=f"p{k}")
        rows.append(ev(at(2), "cashout", 5 * k, cashout_id=f"h{k}", user=f"p{k}"))
    audit_files(store, export(tmp_path, "history.csv", rows))
    new = [*games(5, 5, 1000, "true", user="q1"), ev(at(6), "cashout", 5000, cashout_id="q1", user="q1")]
    assert by_id(audit_files(store, export(tmp_path, "new.csv", new)))["q1"]["verdict"] == "approved"


def test_thresholds_from_the_caller_are_used(store, tmp_path: Path) -> None:
    rows = [*games(1, 5, 0.2, "true"), ev(at(2), "cashout", 1, cashout_id="c1")]
    run = audit_files(store, export(tmp_path, "t.csv", rows), thresholds=Thresholds(fast_cashout_min_games=6))
    assert [r["code"] for r in run.audits[0]["reasons"]] == ["fast_cashout"]


def test_cashout_without_id_gets_one_from_user_and_time(store, tmp_path: Path) -> None:
    rows = [*games(1, 5, 0.2, "true"), ev(at(2), "cashout", 1)]
    audit = audit_files(store, export(tmp_path, "noid.csv", rows)).audits[0]
    assert audit["cashout_id"] == "u1@2023-09-02T12:00:00Z"
    assert "no cashout_id" in audit["warnings"][0]


def test_rows_that_could_not_be_read_are_named_in_the_audit(store, tmp_path: Path) -> None:
    rows = [*games(1, 5, 0.2, "true"), ev(at(1, 20), "game_end", "abc", "true"),
            ev(at(2), "cashout", 1, cashout_id="c1")]
    run = audit_files(store, export(tmp_path, "rj.csv", rows))
    assert run.files[0].rows_rejected == 1
    assert run.audits[0]["key_numbers"]["games_to_cashout"] == 5   # the unreadable game is not in it
    assert run.audits[0]["warnings"] == ["rj.csv: 1 rows could not be read (lines 7) and are not in this audit"]
