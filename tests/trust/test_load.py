"""Many users at once: 20 browser sessions sign in, upload, audit and decide against one `streamlit run`.

One headless Chromium, 20 contexts (each its own Streamlit session and its own signed-in
auditor), all started together. Each session signs in, drops its own export on Cashout audits,
waits for the audit, opens it, records a decision and waits for the confirmation. The test then
checks that no page showed an error, that every audit and every decision is stored exactly once
under the identity that made it, and prints the latency percentiles of each step (also written to
test-output/trust/load.json).
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import statistics
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from analytics.store import Store
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, OUTPUT
from tests.trust.conftest import LOAD_PASSWORD, LOAD_USERS

pytestmark = [pytest.mark.slow, pytest.mark.e2e]
STEPS = ("sign_in", "upload_audit", "open_audit", "decide")
DECISIONS = ("approve", "reject", "escalate")
TRUST_OUTPUT = OUTPUT.parent / "trust"   # test-output/trust: the report and any failure's screenshot
HEADER = "event_time,user_id,username,event_type,amount,won,counterparty_id,device_id,cashout_id\n"


def export_for(n: int, folder: Path) -> Path:
    """A small export of one player: six won games then a cashout of 3.00 (an approved audit)."""
    user, name = f"u9{n:03d}", f"loadplayer{n:02d}"
    rows = "".join(f"2023-09-{10 + i:02d}T10:00:00Z,{user},{name},game_end,0.5,true,,d-9{n:03d},\n"
                   for i in range(6))
    path = folder / f"{name}_9202023.csv"
    path.write_text(HEADER + rows + f"2023-09-20T10:00:00Z,{user},{name},cashout,3,,,d-9{n:03d},c-load-{n:02d}\n")
    return path


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of the values."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


async def one_session(browser, url: str, n: int, export: Path, start: asyncio.Event) -> dict:
    """Drive one user's path; return its step latencies, errors seen and dialogs raised."""
    from playwright.async_api import expect

    user, cashout = LOAD_USERS[n], f"c-load-{n:02d}"
    decision = DECISIONS[n % len(DECISIONS)]
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    page.set_default_timeout(180_000)
    dialogs: list[str] = []
    page.on("dialog", lambda d: dialogs.append(d.message))
    timings: dict[str, float] = {}
    await start.wait()
    try:
        t = time.perf_counter()
        await page.goto(url)
        await page.get_by_role("textbox", name="User name").fill(user)
        await page.get_by_role("textbox", name="Password").fill(LOAD_PASSWORD)
        await page.get_by_role("button", name="Sign in").click()
        await expect(page.get_by_text(f"Signed in as {user} (auditor)")).to_be_visible(timeout=180_000)
        await page.get_by_role("link", name="Cashout audits").click()
        await expect(page.get_by_text("Exports (CSV)")).to_be_visible(timeout=180_000)
        timings["sign_in"] = time.perf_counter() - t

        t = time.perf_counter()
        await page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(export))
        await expect(page.get_by_text(f"{export.name}: 1 cashout(s) audited: {cashout} approved")
                     ).to_be_visible(timeout=180_000)
        timings["upload_audit"] = time.perf_counter() - t

        t = time.perf_counter()
        await page.get_by_test_id("stSelectbox").filter(has_text="Open an audit").click()
        await page.keyboard.type(cashout)   # the option list is virtual: filter it to this audit
        await page.get_by_role("option", name=re.compile(rf"^{cashout} · ")).click()
        await expect(page.get_by_role("heading", name=re.compile(rf"^{cashout} · "))).to_be_visible(
            timeout=180_000)
        timings["open_audit"] = time.perf_counter() - t

        t = time.perf_counter()
        await page.get_by_role("textbox", name="Comment").fill(f"load test session {n}")
        await page.get_by_role("button", name=decision.capitalize()).click()
        await expect(page.get_by_text(f"Recorded: {decision} by {user}")).to_be_visible(timeout=180_000)
        timings["decide"] = time.perf_counter() - t
        errors = await page.locator("[data-testid='stException'], [data-testid='stAlertContentError']").count()
        return {"n": n, "timings": timings, "errors": errors, "dialogs": dialogs, "failure": None}
    except Exception as exc:   # reported with the session's number below
        TRUST_OUTPUT.mkdir(parents=True, exist_ok=True)
        path = TRUST_OUTPUT / f"load_failure_{n:02d}.png"
        await page.screenshot(path=str(path), full_page=True)
        return {"n": n, "timings": timings, "errors": -1, "dialogs": dialogs, "failure": f"{exc!s:.500}"}
    finally:
        await context.close()


async def drive(url: str, exports: list[Path]) -> tuple[list[dict], float]:
    """All sessions at once in one Chromium; returns their results and the wall-clock time."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        start = asyncio.Event()
        tasks = [asyncio.create_task(one_session(browser, url, n, path, start)) for n, path in enumerate(exports)]
        await asyncio.sleep(1)   # every context open before anyone starts
        began = time.perf_counter()
        start.set()
        results = await asyncio.gather(*tasks)
        wall = time.perf_counter() - began
        await browser.close()
    return results, wall


@pytest.mark.timeout(900)
def test_twenty_sessions_upload_audit_and_decide_at_once(load_server, tmp_path: Path) -> None:
    """20 signed-in auditors at once: no errors, each audit and decision stored once, by its author."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    exports = [export_for(n, tmp_path) for n in range(len(LOAD_USERS))]
    results, wall = asyncio.run(drive(load_server["url"], exports))

    failures = [f"session {r['n']}: {r['failure']}" for r in results if r["failure"]]
    assert failures == [], "\n".join(failures)
    assert [r["errors"] for r in results] == [0] * len(exports)
    assert [r["dialogs"] for r in results] == [[]] * len(exports)

    with Store(load_server["db"], lock_timeout=60).connect() as con:   # the app's lock, as any process
        audits = con.execute("SELECT cashout_id, count(*) FROM cashout_audits GROUP BY ALL ORDER BY 1").fetchall()
        decisions = con.execute(
            "SELECT cashout_id, decision, decided_by, comment, count(*) OVER (PARTITION BY cashout_id) "
            "FROM cashout_decisions ORDER BY 1").fetchall()
    expected_ids = [f"c-load-{n:02d}" for n in range(len(exports))]
    assert audits == [(cid, 1) for cid in expected_ids]
    assert decisions == [(f"c-load-{n:02d}", DECISIONS[n % len(DECISIONS)], LOAD_USERS[n],
                          f"load test session {n}", 1) for n in range(len(exports))]

    report = {"sessions": len(exports), "wall_seconds": round(wall, 1)}
    for step in STEPS:
        values = [r["timings"][step] for r in results]
        report[step] = {f"p{q}": round(percentile(values, q), 2) for q in (50, 95, 99)}
        report[step]["max"] = round(max(values), 2)
        report[step]["mean"] = round(statistics.fmean(values), 2)
    totals = [sum(r["timings"].values()) for r in results]
    report["whole_path"] = {f"p{q}": round(percentile(totals, q), 2) for q in (50, 95, 99)}
    TRUST_OUTPUT.mkdir(parents=True, exist_ok=True)
    (TRUST_OUTPUT / "load.json").write_text(json.dumps(report, indent=2))
    print("\nload test (seconds):", json.dumps(report, indent=2))


def test_percentile_is_nearest_rank() -> None:
    """The latency report's percentile: nearest rank on the sorted values."""
    values = [float(v) for v in range(1, 21)]   # 1..20
    assert percentile(values, 50) == 10.0
    assert percentile(values, 95) == 19.0
    assert percentile(values, 99) == 20.0
    assert percentile([3.0], 99) == 3.0


def test_a_link_to_a_page_opens_that_page_after_sign_in(load_server) -> None:
    """Someone following a link to Cashout audits signs in and lands there, not on Home."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(load_server["url"] + "/cashout_audits")
        expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=60_000)
        expect(page.get_by_role("link", name="Home")).to_have_count(0)  # no menu before sign-in
        TRUST_OUTPUT.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(TRUST_OUTPUT / "sign_in_from_link.png"))
        page.get_by_role("textbox", name="User name").fill(LOAD_USERS[0])
        page.get_by_role("textbox", name="Password").fill(LOAD_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Cashout audits")).to_be_visible(timeout=60_000)
        assert urlsplit(page.url).path == "/cashout_audits"   # its ?audit= query may follow
        expect(page.get_by_role("link", name="Home")).to_be_visible()
        browser.close()
