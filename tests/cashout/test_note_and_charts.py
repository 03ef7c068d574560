"""The admin-tool note and the chart builders, from a hand-made audit."""

from __future__ import annotations

import pandas as pd

from analytics.cashout import charts
from analytics.cashout.note import note, notes

AUDIT = {
    "audit_id": "au-1", "cashout_id": "c-981", "user_id": "u1", "username": "wrickmon",
    "cashout_time": "2023-09-19T14:02:11Z", "amount": 25.0, "unit": "currency",
    "window_start": "2023-09-02T08:00:00Z", "verdict": "flagged",
    "reasons": [{"code": "device_sharing", "message": "device d-7 is shared with 2 other accounts",
                 "value": 2, "threshold": 1}],
    "value_sources": {"game_end": 0.1, "matchup_end": 0.6, "tournament_end": 0.2, "goal_claim": 0.05,
                      "mega_spin": 0.05, "admin_add_balance": 0.0},
    "value_totals": {"game_end": 3.0, "matchup_end": 18.0, "tournament_end": 6.0, "goal_claim": 1.5,
                     "mega_spin": 1.5, "admin_add_balance": 0.0},
    "key_numbers": {"take_per_game": 0.42, "games_to_cashout": 57, "invites": 3, "winrate": 0.61,
                    "live_games": 40, "live_take_per_game": 0.3, "live_winrate": 0.55,
                    "matchups": 17, "matchup_take_per_game": 0.7, "matchup_winrate": 0.76},
    "reconciliation": {"audited_value": 24.1, "discrepancy_share": 0.036},
    "collusion": {"invited_share": 0.0, "related_players": ["u8", "u9", "u12"],
                  "top_opponents": [{"id": "u51", "amount": 6.0}, {"id": "u8", "amount": 1.5}]},
    "device_sharing": {"devices": ["d-7"], "other_accounts": ["u44", "u51"], "shared_devices": ["d-7"]},
    "warnings": ["something odd"], "source_file": "wrickmon_9192023.csv", "auditor": "ann",
    "audited_at": "2023-09-20T08:00:00Z",
}


def test_note_holds_every_figure_liveops_read() -> None:
    assert note(AUDIT).splitlines() == [
        "Cashout c-981 - wrickmon (u1) - 25.00 on 2023-09-19 14:02 UTC",
        "Verdict: FLAGGED (device_sharing)",
        "  * device_sharing: device d-7 is shared with 2 other accounts (value 2, threshold 1)",
        "Window 2023-09-02 08:00 UTC to 2023-09-19 14:02 UTC: 57 games, winrate 61.0%, take per game 0.42",
        "  live games 40 (winrate 55.0%, take 0.30); matchups 17 (winrate 76.0%, take 0.70)",
        "Audited value 24.10 vs cashout 25.00 (discrepancy 3.6%)",
        "Value sources: matchups 60.0% (18.00), tournaments 20.0% (6.00), live games 10.0% (3.00), "
        "goals 5.0% (1.50), mega spins 5.0% (1.50)",
        "Invites: 3; invited share 0.0%; related players: u8, u9, u12",
        "Top opponents: u51 +6.00, u8 +1.50",
        "Devices: d-7; other accounts on them: u44, u51",
        "Warning: something odd",
        "Audit au-1 by ann at 2023-09-20 08:00 UTC, file wrickmon_9192023.csv",
    ]


def test_pennies_are_whole_and_take_per_game_keeps_decimals() -> None:
    pennies = {**AUDIT, "unit": "pennies", "amount": 2430.0,
               "key_numbers": {**AUDIT["key_numbers"], "take_per_game": -1.25}}
    lines = note(pennies).splitlines()
    assert lines[0] == "Cashout c-981 - wrickmon (u1) - 2,430 pennies on 2023-09-19 14:02 UTC"
    assert lines[3].endswith("take per game -1.25")


def test_notes_lists_failed_files_after_the_audits() -> None:
    text = notes([AUDIT], [{"file": "bad.csv", "error": "bad.csv: missing required column amount"}])
    assert text.endswith("Not audited:\n  * bad.csv: bad.csv: missing required column amount")
    assert notes([]) == "No audits."


def test_value_sources_chart_plots_the_totals_and_shares() -> None:
    bar = charts.value_sources(AUDIT).data[0]
    assert list(bar.x) == [3.0, 18.0, 6.0, 1.5, 1.5, 0.0]
    assert list(bar.text) == ["10.0%", "60.0%", "20.0%", "5.0%", "5.0%", "0.0%"]


def test_opponents_chart_marks_related_players() -> None:
    bar = charts.opponents(AUDIT).data[0]
    assert list(bar.x) == ["u51", "u8"] and list(bar.y) == [6.0, 1.5]
    assert list(bar.marker.color) == ["#1565c0", "#c62828"]   # u8 is a related player


def test_balance_chart_follows_the_running_balance() -> None:
    events = pd.DataFrame({"event_time": pd.to_datetime(["2023-09-02", "2023-09-03"]), "balance": [2.0, 1.5]})
    fig = charts.balance(events, AUDIT)
    assert list(fig.data[0].y) == [2.0, 1.5] and fig.layout.shapes[0].y0 == 25.0


def test_device_graph_links_the_player_devices_and_other_accounts() -> None:
    pairs = pd.DataFrame({"device_id": ["d-7", "d-7", "d-7"], "user_id": ["u1", "u44", "u51"]})
    fig = charts.device_graph(AUDIT, pairs)
    nodes = fig.data[1]
    assert sorted(nodes.text) == ["d-7", "u1", "u44", "u51"]
    assert sum(x is None for x in fig.data[0].x) == 3   # edges u1-d-7, d-7-u44, d-7-u51
