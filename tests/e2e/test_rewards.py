"""A manager edits a reward rule in the browser, sees a bad formula refused, fixes it and simulates it
on every sample player before switching it on."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.conftest import ROOT
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e

# The contract's cashback under a new id, simulated alone. The sample ground truth has 164 players
# for it behind HIGH_ROLLER_CASHBACK (priority 3), which takes 5 LOSING players first: alone it
# reaches 164 + 5 = 169, and 93 + 2 of those 5 pass the profit check, less BLOCKED P0169: 94.
RULE = {
    "rule_id": "MY_CASHBACK",
    "name": "My 10% cashback",
    "priority": 60,
    "is_active": False,
    "conditions": {"segment": "LOSING", "net_loss_min": 100, "session_count_min": 3},
    "reward_config": {
        "type": "BONUS_BALANCE",
        "formula": "net_loss.__class__",
        "max_amount": 500,
        "wagering_requirement": 10,
        "expiry_hours": 48,
    },
}


def metric(page, label: str):
    """The value of the metric whose label is exactly `label`."""
    box = page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    )
    return box.get_by_test_id("stMetricValue")


def test_edit_a_rule_see_the_error_fix_it_and_simulate(app_server, page) -> None:
    sample = ROOT / "sample_data" / "players"
    page.goto(f"{app_server['url']}/rewards")
    expect(page.get_by_role("heading", name="Rewards & ROI")).to_be_visible()
    page.get_by_text("Import player exports (CSV, Excel) and transaction ledgers (CSV)").click()
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
        [str(sample / "players.csv"), str(sample / "transactions.csv")]
    )
    expect(page.get_by_text("players.csv → players: 500 rows loaded, 0 rejected")).to_be_visible(
        timeout=60_000
    )
    expect(
        page.get_by_text("transactions.csv → player_transactions: 15,810 rows loaded, 0 rejected")
    ).to_be_visible()
    expect(metric(page, "NEW")).to_have_text("176")  # NEW players
    expect(metric(page, "BLOCKED")).to_have_text("1")
    page.get_by_role("tab", name="Rules").click()

    editor = page.get_by_label("Rule (JSON)")
    editor.fill(json.dumps(RULE, indent=2))
    editor.press("Control+Enter")
    expect(
        page.get_by_text(
            "rule editor: rule MY_CASHBACK: formula 'net_loss.__class__': attribute access is not allowed"
        )
    ).to_be_visible()
    expect(page.get_by_role("button", name="Simulate on all players")).to_be_disabled()
    shot = screenshot(page, "rewards_rule_error")
    assert shot.stat().st_size > 10_000

    fixed = {**RULE, "reward_config": {**RULE["reward_config"], "formula": "net_loss * 0.10"}}
    editor.fill(json.dumps(fixed, indent=2))
    editor.press("Control+Enter")
    expect(page.get_by_text("Valid: MY_CASHBACK, priority 60, BONUS_BALANCE")).to_be_visible()
    page.get_by_role("button", name="Simulate on all players").click()
    expect(page.get_by_text("Simulation of MY_CASHBACK on 500 players")).to_be_visible()
    expect(metric(page, "Players reached")).to_have_text("169")
    expect(metric(page, "Approved")).to_have_text("94")
    expect(page.get_by_text("abuse: BLOCKED 1")).to_be_visible()
    screenshot(page, "rewards_simulation")
    assert page.locator("[data-testid='stException']").count() == 0
