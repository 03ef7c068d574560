"""A user opens Home in a real browser, drops two CSV files, and sees their row counts."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import write
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e

HEADER = "event_time,user_id,username,event_type,amount,won,counterparty_id,device_id,cashout_id\n"


def test_upload_two_csvs_and_see_their_row_counts(app_server, page, tmp_path: Path) -> None:
    cashouts = write(tmp_path / "wrickmon_9192023.csv", HEADER + "".join(
        f"2023-09-19T14:{i:02d}:00Z,u1,wrickmon,game_end,0.5,true,,d-7,\n" for i in range(7)
    ) + "2023-09-19T15:00:00Z,u1,wrickmon,game_end,abc,true,,d-7,\n")
    budget = write(tmp_path / "marketing budget.csv", "month,spend\nJan,10\nFeb,12\nMar,9\n")

    page.goto(app_server["url"])
    expect(page.get_by_role("heading", name="Riskdesk").first).to_be_visible()
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files([str(cashouts), str(budget)])

    expect(page.get_by_text("wrickmon_9192023.csv → cashout_events: 7 rows loaded, 1 rejected")).to_be_visible()
    expect(page.get_by_text("marketing budget.csv → adhoc_marketing_budget: 3 rows loaded, 0 rejected")
           ).to_be_visible()
    expect(page.get_by_text("amount: 'abc' is not a number").first).to_be_visible()
    expect(page.get_by_test_id("stMetricValue").nth(1)).to_have_text("10")  # 7 + 3 rows of data
    shot = screenshot(page, "home_upload")
    assert shot.stat().st_size > 10_000
    assert page.locator("[data-testid='stException']").count() == 0

    # the data is in the store: the SQL box sees it
    page.get_by_role("textbox", name="Query").fill("SELECT count(*) AS n FROM adhoc_marketing_budget")
    page.get_by_role("button", name="Run").click()
    expect(page.get_by_text("1 rows in")).to_be_visible()
    assert page.locator("[data-testid='stException']").count() == 0


def test_hostile_names_show_as_text(app_server, page, tmp_path: Path) -> None:
    hostile = "<img src=x onerror=alert(1)>"
    path = write(tmp_path / f"{hostile}.csv", HEADER
                 + f"2023-09-19T14:00:00Z,u9,{hostile},game_end,0.5,true,,d-9,\n")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(app_server["url"])
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files([str(path)])
    expect(page.get_by_text(f"{hostile}.csv → cashout_events: 1 rows loaded, 0 rejected")).to_be_visible()
    screenshot(page, "home_hostile_name")
    assert page.locator("img[src='x']").count() == 0
    assert dialogs == []
    assert page.locator("[data-testid='stException']").count() == 0
