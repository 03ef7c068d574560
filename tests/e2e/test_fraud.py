"""An analyst runs the fraud pipeline from the page on the sample events and opens a player's evidence."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import ROOT
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e
SAMPLES = ROOT / "sample_data" / "game_events"


@pytest.fixture(scope="module")
def fraud_config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Settings of the app under test in a folder of its own (alerts to a file there)."""
    folder = tmp_path_factory.mktemp("config")
    (folder / "notify.yaml").write_text(f"backend: file\nfile_path: {folder / 'alerts.jsonl'}\n")
    before = os.environ.get("RISKDESK_CONFIG_DIR")
    os.environ["RISKDESK_CONFIG_DIR"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("RISKDESK_CONFIG_DIR", None)
    else:
        os.environ["RISKDESK_CONFIG_DIR"] = before


@pytest.fixture(scope="module")
def server(fraud_config: Path, app_server: dict) -> dict:
    """The app, started after its settings folder is chosen."""
    return app_server


def test_run_pipeline_on_the_sample_events_and_open_evidence(server: dict, page) -> None:
    page.goto(f"{server['url']}/fraud_cohort")
    expect(page.get_by_role("heading", name="Fraud cohort")).to_be_visible(timeout=60_000)  # cold start
    expect(page.get_by_text("No pipeline run yet")).to_be_visible(timeout=30_000)

    page.get_by_test_id("stExpander").get_by_text("Run the pipeline").click()
    inputs = page.locator("[data-testid='stFileUploaderDropzoneInput']")
    inputs.nth(0).set_input_files(str(SAMPLES / "events.csv"))
    inputs.nth(1).set_input_files(str(SAMPLES / "manual_fraudsters.csv"))
    expect(page.get_by_test_id("stFileChip")).to_have_count(2, timeout=30_000)  # both uploaded
    page.get_by_role("button", name="Run pipeline").click()

    expect(page.get_by_text("events.csv: 20,799 rows loaded, 0 rejected")).to_be_visible(timeout=120_000)
    expect(page.get_by_text("every step succeeded")).to_be_visible(timeout=120_000)
    expect(page.get_by_text("potential_fraudsters: 46 rows")).to_be_visible()
    values = page.get_by_test_id("stMetricValue")
    expect(values.nth(0)).to_have_text("46")  # potential fraudsters (ground truth)
    expect(values.nth(1)).to_have_text("2")  # p06_b and p12_b earned offerwall rewards
    expect(values.nth(2)).to_have_text("38")  # 35 by the rules + 3 from the manual list
    expect(page.get_by_text("Fraudsters (38 of 38)")).to_be_visible()
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "fraud_run")

    page.get_by_role("tab", name="Player").click()
    page.get_by_role("combobox", name="Player", exact=True).click()
    page.keyboard.type("p08_b")
    page.keyboard.press("Enter")
    expect(page.get_by_text("8. Large balance jump — large_jump_flag")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Metapoints jumped by 150,000 on chapter_complete")).to_be_visible()
    expect(page.get_by_text("Evidence: 1 triggering event(s)")).to_be_visible()
    expect(page.get_by_role("cell", name="150,000.0000")).to_be_visible()
    assert page.locator("[data-testid='stException']").count() == 0
    shot = screenshot(page, "fraud_player_evidence")
    assert shot.stat().st_size > 10_000
