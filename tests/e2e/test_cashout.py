"""A liveops user drops two exports on Cashout audits, opens one audit, decides, and finds it after a reload."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from analytics.settings import sample_dir
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e
SAMPLES = sample_dir() / "cashout"


def no_exception(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0


def test_upload_two_exports_open_decide_and_reload(app_server, page, tmp_path: Path) -> None:
    page.goto(app_server["url"])
    page.get_by_role("link", name="Cashout audits").click()
    expect(page.get_by_role("heading", name="Cashout audits").first).to_be_visible(timeout=30_000)
    expect(page.get_by_text("No audited cashout matches")).to_be_visible(timeout=30_000)

    exports = [SAMPLES / "marlowe_9302023.csv", SAMPLES / "raw" / "raw_jaxxon77_9222023.csv"]
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files([str(p) for p in exports])
    expect(page.get_by_text("marlowe_9302023.csv: 2 cashout(s) audited: c-9705 approved, c-10118 flagged")
           ).to_be_visible(timeout=60_000)
    expect(page.get_by_text("raw_jaxxon77_9222023.csv: 2 cashout(s) audited: u1401#1 approved, "
                            "u1401#3 approved")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stMetricValue").first).to_have_text("4", timeout=30_000)   # audits shown
    no_exception(page)

    # open the flagged one
    screenshot(page, "cashout_uploaded")
    page.get_by_test_id("stSelectbox").filter(has_text="Open an audit").click()
    page.get_by_role("option", name=re.compile(r"^c-10118 · marlowe")).click()
    expect(page.get_by_role("heading", name="c-10118 · marlowe (u1007)")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("cashout of 24.00 but the window shows 12.20 (49.2% apart)").first).to_be_visible()
    expect(page.get_by_text("49.2%").first).to_be_visible()
    shot = screenshot(page, "cashout_detail")
    assert shot.stat().st_size > 20_000
    no_exception(page)

    # record a decision
    page.get_by_role("textbox", name="Comment").fill("paid twice? ask payments (e2e)")
    page.get_by_role("button", name="Escalate").click()
    expect(page.get_by_text(re.compile(r"Recorded: escalate by "))).to_be_visible(timeout=30_000)
    no_exception(page)

    # reload: the link keeps the audit open and the decision is in its history
    page.reload()
    expect(page.get_by_role("heading", name="c-10118 · marlowe (u1007)")).to_be_visible(timeout=60_000)
    history = page.get_by_test_id("stTable").filter(has_text="happened_at")
    expect(history).to_contain_text("escalate", timeout=30_000)
    expect(history).to_contain_text("paid twice? ask payments (e2e)")
    expect(page.get_by_test_id("stMetricValue").nth(4)).to_have_text("3")   # awaiting a decision
    screenshot(page, "cashout_after_reload")
    no_exception(page)


def test_hostile_username_shows_as_text_everywhere(app_server, page, tmp_path: Path) -> None:
    """A username that is HTML is shown as text in the queue, the detail, the note and the graph."""
    hostile = "<img src=x onerror=alert(1)>"
    header = "event_time,user_id,username,event_type,amount,won,counterparty_id,device_id,cashout_id\n"
    rows = "".join(f"2023-09-{10 + i:02d}T10:00:00Z,u666,{hostile},game_end,0.5,true,,d-666,\n" for i in range(6))
    path = tmp_path / "hostile_9202023.csv"
    path.write_text(header + rows + f"2023-09-20T10:00:00Z,u666,{hostile},cashout,3,,,d-666,c-666\n")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(app_server["url"] + "/cashout_audits")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files([str(path)])
    expect(page.get_by_text("hostile_9202023.csv: 1 cashout(s) audited: c-666 approved")).to_be_visible(timeout=60_000)
    page.get_by_test_id("stSelectbox").filter(has_text="Open an audit").click()
    page.keyboard.type("c-666")  # the option list is virtual: filter it so the option is rendered
    page.get_by_role("option", name=re.compile(r"^c-666 · ")).click()
    expect(page.get_by_role("heading", name=f"c-666 · {hostile} (u666)")).to_be_visible(timeout=30_000)
    expect(page.locator("code").filter(has_text=hostile).first).to_be_visible()  # the note
    screenshot(page, "cashout_hostile_username")
    assert page.locator("img[src='x']").count() == 0
    assert dialogs == []
    no_exception(page)
