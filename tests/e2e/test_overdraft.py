"""A user opens the Overdraft monitor in a real browser, uploads a log file and sees who is at risk."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.overdraft import scenario

pytestmark = pytest.mark.e2e


def test_upload_a_log_file_and_see_the_at_risk_table(app_server, page, tmp_path: Path) -> None:
    log_file = scenario.write(tmp_path / "logs")[0]  # a.log: u1-u3, u3 at risk with 15.0 days

    page.goto(f"{app_server['url']}/overdraft")
    expect(page.get_by_role("heading", name="Overdraft monitor").first).to_be_visible()
    expect(page.get_by_test_id("stMetricValue").first).to_have_text("0", timeout=60_000)  # a loaded machine
    page.get_by_text("Load log files").click()
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files([str(log_file)])

    expect(page.get_by_text("1 subscribers at risk", exact=False)).to_be_visible(timeout=60_000)
    metrics = page.get_by_test_id("stMetric")
    expect(metrics.filter(has_text="Transactions").get_by_test_id("stMetricValue")).to_have_text("9")
    expect(metrics.filter(has_text="At risk").get_by_test_id("stMetricValue")).to_have_text("1")
    expect(metrics.filter(has_text="Median lead time").get_by_test_id("stMetricValue")).to_have_text("48.0 h")
    expect(page.get_by_role("heading", name="Subscribers at risk")).to_be_visible()
    grid = page.get_by_test_id("stDataFrame").filter(has=page.locator("canvas")).first
    expect(grid).to_be_visible()
    expect(page.locator(".js-plotly-plot").first).to_be_visible()
    shot = screenshot(page, "overdraft_at_risk")
    assert shot.stat().st_size > 10_000
    assert page.locator("[data-testid='stException']").count() == 0
