"""An analyst generates a small run on the Mule lab page in a real browser and opens one drop's life."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e


def test_generate_a_small_run_and_open_one_drop(app_server, page) -> None:
    page.goto(f"{app_server['url']}/mule_lab")
    # the first run of the page imports the simulator, plotly and scikit-learn: allow it time
    expect(page.get_by_role("heading", name="Mule lab").first).to_be_visible(timeout=60_000)
    expect(page.get_by_text("No run is stored yet")).to_be_visible(timeout=30_000)

    for label, value in (("Distributors", "6"), ("Purchasers", "3"), ("Ordinary clients", "20"), ("Seed", "5")):
        box = page.get_by_label(label, exact=True)
        box.fill(value)
        box.blur()  # commits the value (Tab would open the date picker that follows the seed)
    page.get_by_role("button", name="Generate").click()

    expect(page.get_by_text(re.compile(r"Run s5-[0-9a-f]{10}: [\d,]+ transactions, 9 drops, 20 ordinary clients"))
           ).to_be_visible(timeout=60_000)
    metric = page.get_by_test_id("stMetric").filter(has_text="Drops").first
    expect(metric.get_by_test_id("stMetricValue")).to_have_text("9")
    expect(page.locator(".gtitle", has_text="Batches per scenario")).to_be_visible(timeout=30_000)
    # the last section (the detectors) is drawn: the page is idle
    expect(page.get_by_text(re.compile(r"^Best: \w+ with F1 \d\.\d{3}"))).to_be_visible(timeout=60_000)
    screenshot(page, "mule_lab_run")

    # open the second drop of the list
    page.get_by_test_id("stSelectbox").filter(has_text="Drop").click()
    options = page.get_by_role("option")
    expect(options.first).to_be_visible(timeout=30_000)
    chosen = options.nth(1).inner_text()
    account = chosen.split(" · ")[0]
    options.nth(1).click()
    expect(page.locator(".gtitle", has_text=f"Balance of {account}")).to_be_visible(timeout=30_000)
    expect(page.get_by_text(re.compile(rf"\d+ transactions of {account}"))).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stMetric").filter(has_text="Activity periods").first).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Best: \w+ with F1 \d\.\d{3}"))).to_be_visible(timeout=60_000)
    assert page.locator("[data-testid='stException']").count() == 0
    shot = screenshot(page, "mule_lab_drop")
    assert shot.stat().st_size > 20_000
