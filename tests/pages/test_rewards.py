"""The Rewards & ROI page under AppTest, on four hand-made players whose figures are worked out here.

Players (wagered / won / sessions): A, B, C LOSING (2,000 / 1,000 / 10: net_loss 1,000, avg 200,
expected revenue 200 x 10 x 0.05 = 100); D NEW (500 / 400 / 5: avg 100, revenue 100 x 4 x 0.05 = 20).
Ledger: B and C share device dev-x (multi-accounting 40 each); B also withdraws 10 minutes after a
bonus (fast withdrawal 25) and jumps its bet after the bonus's wagering (20): B scores 85, BLOCKED;
C scores 40, REDUCED_REWARDS (amounts halved).
Rules: L (LOSING, 40, priority 1), N (NEW, 10, priority 2). Issued: A 40, C 20 (half of 40), D 10:
cost 70; expected revenue 100 + 100 + 20 = 220; ROI (220 - 70) / 70 = 214.3 %.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics import ingest
from analytics.identity import os_user
from analytics.rewards import process, rule_store
from analytics.rewards.rules import parse_rules
from analytics.rewards.settings import load_config
from tests.conftest import ROOT, write
from tests.pages.test_pages import fresh_cache  # noqa: F401 - each test gets its own store
from tests.rewards.conftest import rule
from tests.rewards.test_abuse import bet_jump_ledger

EDITOR = "rw_rule_(new rule)"


@pytest.fixture
def seeded(store, actor, tmp_path: Path):
    players = write(
        tmp_path / "players.csv",
        "player_id,total_deposited,total_wagered,total_won,sessions,playtime_hours\n"
        "A,100,2000,1000,10,4\nB,100,2000,1000,10,4\nC,100,2000,1000,10,4\nD,100,500,400,5,2\n",
    )
    ledger = [
        *bet_jump_ledger("B", "dev-x", 101, "2024-01-01T10:00:00Z"),
        "B,2024-01-02T09:00:00Z,bonus,20,,dev-b,7.7.7.7",
        "B,2024-01-02T09:10:00Z,withdrawal,50,,dev-b,7.7.7.7",
        "C,2024-01-01T09:00:00Z,deposit,100,,dev-x,6.6.6.6",
        "D,2024-01-01T09:00:00Z,deposit,100,,dev-d,5.5.5.5",
    ]
    tx = write(
        tmp_path / "tx.csv", "player_id,time,type,amount,game_type,device_id,ip\n" + "\n".join(ledger) + "\n"
    )
    ingest.load_one(store, players, actor, contract="players")
    ingest.load_one(store, tx, actor, contract="player_transactions")
    cfg = load_config()
    rules = parse_rules(
        [
            rule("L", priority=1, conditions={"segment": "LOSING"}, formula="40"),
            rule("N", priority=2, conditions={"segment": "NEW"}, formula="10"),
        ],
        cfg.formula,
    )
    rule_store.save_rules(store, rules, actor)
    process.run(store, rules, cfg, actor, issue=True)
    return store


def plain(text: str) -> str:
    """A message as the user reads it (the page escapes markdown characters)."""
    return re.sub(r"\\(.)", r"\1", text)


def run_page() -> AppTest:
    return AppTest.from_file(str(ROOT / "pages" / "rewards.py"), default_timeout=90).run()


def metrics(at: AppTest, after: str | None = None) -> dict[str, str]:
    """Metric values by label (the first of each label, or the first after the metric `after`)."""
    items = [(m.label, m.value) for m in at.metric]
    if after is not None:
        items = items[[label for label, _ in items].index(after) :]
    out: dict[str, str] = {}
    for label, value in items:
        out.setdefault(label, value)
    return out


def test_segments_issued_and_abuse(seeded) -> None:
    at = run_page()
    assert not at.exception, at.exception
    shown = metrics(at)
    assert [shown[s] for s in ("NEW", "VIP", "WINNING", "LOSING", "BREAKEVEN")] == ["1", "0", "0", "3", "0"]
    assert (shown["Rewards issued"], shown["Cost"], shown["Expected revenue"]) == ("3", "70.00", "220.00")
    assert shown["Expected ROI"] == "214.3 %"
    assert (shown["NO_ACTION"], shown["REDUCED_REWARDS"], shown["INCREASED_WAGERING"], shown["BLOCKED"]) == (
        "2",
        "1",
        "0",
        "1",
    )
    captions = [plain(c.value) for c in at.caption]
    assert "2 players carry at least one signal; BLOCKED players get no reward." in captions
    # the rewards just issued are known as issued: matched 4, approved 3 (B blocked), same cost
    assert (
        "Under the active rules: 4 players matched, 3 approved, cost 70.00, expected revenue 220.00."
        in captions
    )


def test_rule_editor_validates_then_simulates(seeded) -> None:
    at = run_page()
    bad = rule("X", conditions={"segment": "LOSING"}, formula="net_loss.x")
    at.text_area(key=EDITOR).set_value(json.dumps(bad)).run()
    assert plain(at.error[0].value).startswith(
        "rule editor: rule X: formula 'net_loss.x': attribute access is not allowed"
    )
    assert at.button(key="rw_simulate").disabled
    good = rule("X", conditions={"segment": "LOSING"}, formula="net_loss * 0.01")
    at.text_area(key=EDITOR).set_value(json.dumps(good)).run()
    assert not at.error
    assert plain(at.success[0].value).startswith("Valid: X, priority 10, REWARD_POINTS")
    at.button(key="rw_simulate").click().run()
    assert not at.exception, at.exception
    shown = metrics(at, after="Players reached")
    # 1,000 x 0.01 = 10 for A, 5 for C (reduced), B blocked: reached 3, approved 2, cost 15,
    # revenue 2 x 100 = 200, ROI (200 - 15) / 15 = 1,233.3 %
    assert (shown["Players reached"], shown["Approved"], shown["Total cost"]) == ("3", "2", "15.00")
    assert (shown["Expected revenue"], shown["ROI"]) == ("200.00", "1,233.3 %")
    by_segment = at.table[0].value
    assert by_segment.loc["LOSING", "players"] == 3 and by_segment.loc["LOSING", "cost"] == 15.0
    assert "Declined: abuse: BLOCKED 1" in [plain(c.value) for c in at.caption]


def test_save_roll_back_and_switch_off(seeded) -> None:
    at = run_page()
    at.selectbox(key="rw_choice").set_value("L").run()
    editor = at.text_area(key="rw_rule_L")
    assert '"formula": "40"' in editor.value
    editor.set_value(editor.value.replace('"formula": "40"', '"formula": "45"')).run()
    at.button(key="rw_save").click().run()
    assert not at.exception, at.exception
    table = rule_store.current_table(seeded).set_index("rule_id")
    assert table.loc["L", "version"] == 2 and table.loc["L", "changed_by"] == os_user()
    at.selectbox(key="rw_rollback").set_value(1).run()
    at.button(key="rw_rollback_go").click().run()
    assert rule_store.history(seeded, "L")["action"].tolist() == ["rolled back to v1", "updated", "created"]
    at.button(key="rw_toggle").click().run()
    assert rule_store.history(seeded, "L")["action"].iloc[0] == "deactivated"


def test_issue_button_pays_nothing_twice(seeded) -> None:
    at = run_page()
    at.button(key="rw_issue").click().run()
    assert not at.exception, at.exception
    # the fixture issued A, C and D already; pressing the button again finds them all issued
    assert plain(at.success[-1].value) == "Issued 0 rewards; 3 already issued before; 0 stopped by caps."
    assert metrics(at)["Rewards issued"] == "3"


def test_player_detail(seeded) -> None:
    at = run_page()
    at.text_input(key="rw_player").set_value("B").run()
    assert not at.exception, at.exception
    shown = metrics(at)
    assert (shown["Segment"], shown["Abuse score"], shown["Tier"]) == ("LOSING", "85", "Bronze")
    assert shown["Net result (net_pnl)"] == "-1,000.00"
    captions = [plain(c.value) for c in at.caption]
    assert "Abuse: fast_withdrawal, bet_jump, multi_accounting" in captions
    assert "Abuse: device dev-x shared with C" in captions
    assert "Now: L REWARD_POINTS 40.00 – declined (abuse: BLOCKED)" in captions
    at.text_input(key="rw_player").set_value("C").run()
    assert metrics(at)["Abuse score"] == "40"
    wallet = at.table[-1].value
    assert wallet["REWARD_POINTS"].tolist() == [20.0]  # 40 halved (REDUCED_REWARDS)
    at.text_input(key="rw_player").set_value("ZZ").run()
    assert plain(at.warning[0].value) == "No player 'ZZ' is stored."
