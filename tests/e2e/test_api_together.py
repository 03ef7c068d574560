"""The API, the app and the daily job at once on one database: a browser records a decision in the app
while API clients record decisions and run the fraud pipeline and cron runs the daily job. All
finish, and every decision and run each of them wrote is stored exactly once."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import expect

from tests.api.conftest import copy_db, sample_db, start_api, stop, write_config  # noqa: F401 - a fixture
from tests.api.receiver import Receiver
from tests.conftest import ROOT
from tests.e2e.conftest import free_port, screenshot, wait_healthy

pytestmark = pytest.mark.e2e
API_DECISIONS = 12
SECRET = "together"


@pytest.fixture
def world(sample_db: Path, tmp_path: Path) -> Iterator[dict]:  # noqa: F811
    """One database and settings; the API and the app serving it; an admin endpoint for the daily job."""
    db = copy_db(sample_db, tmp_path / "db")
    cfg = write_config(tmp_path)
    admin = Receiver(secret=SECRET)
    daily = yaml.safe_load((cfg / "daily.yaml").read_text())
    daily["admin_push"] = {**daily["admin_push"], "endpoint": admin.url, "backoff_seconds": 0}
    (cfg / "daily.yaml").write_text(yaml.safe_dump(daily))
    env = {**os.environ, "RISKDESK_DB": str(db), "RISKDESK_CONFIG_DIR": str(cfg), "PYTHONPATH": str(ROOT),
           "RISKDESK_USERS_FILE": str(tmp_path / "no-users.yaml"), "RISKDESK_WEBHOOK_SECRET": SECRET}
    env.pop("RISKDESK_ATHENA_S3_STAGING_DIR", None)
    api, api_url = start_api(env, tmp_path / "api.log")
    port = free_port()
    log = open(tmp_path / "streamlit.log", "w")  # noqa: SIM115 - closed below
    app = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    app_url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(app_url, app)
        yield {"db": db, "env": env, "api": api_url, "app": app_url, "admin": admin, "folder": tmp_path}
    finally:
        stop(api)
        stop(app)
        log.close()
        admin.close()


def post(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=240) as resp:
        return resp.status, json.loads(resp.read())


def test_api_app_and_daily_job_at_once(world: dict, page) -> None:
    from analytics.store import Store

    store = Store(world["db"], lock_timeout=60)
    with store.connect() as con:
        audit_id, cashout_id = con.execute("SELECT audit_id, cashout_id FROM cashout_audits "
                                           "WHERE cashout_id = 'c-10118'").fetchone()
        fraud_runs_before = con.execute("SELECT count(*) FROM fraud_runs").fetchone()[0]

    answers: dict[str, object] = {}
    app_done = threading.Event()

    def api_writes() -> None:
        """Decisions through the API for as long as the browser works (at least API_DECISIONS), then a run."""
        codes: list[int] = []
        while len(codes) < API_DECISIONS or not app_done.is_set():
            codes.append(post(f"{world['api']}/api/audits/{audit_id}/decision",
                              {"decision": "escalate", "comment": f"api #{len(codes)}"})[0])
        status, run = post(f"{world['api']}/api/fraud/runs", {})
        answers["api"] = (codes, status, run)

    daily = subprocess.Popen([sys.executable, "-m", "analytics", "daily", "--date", "2023-10-05", "--format", "json"],
                             cwd=ROOT, env=world["env"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    writer = threading.Thread(target=api_writes)
    writer.start()

    # meanwhile, in the app: open the same audit and approve it
    page.goto(f"{world['app']}/cashout_audits?audit={audit_id}")
    expect(page.get_by_role("heading", name="c-10118 · marlowe (u1007)")).to_be_visible(timeout=120_000)
    page.get_by_role("textbox", name="Comment").fill("from the app")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text(re.compile(r"Recorded: approve by "))).to_be_visible(timeout=120_000)
    app_done.set()
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "api_together_app_decision")

    out, err = daily.communicate(timeout=600)
    writer.join(timeout=600)
    assert not writer.is_alive()
    assert daily.returncode == 0, err
    result = json.loads(out)
    assert [(p["part"], p["success"]) for p in result["parts"]] == [("fraud", True), ("cashout", True),
                                                                   ("overdraft", True)]
    codes, status, run = answers["api"]
    assert len(codes) >= API_DECISIONS and set(codes) == {201} and status == 200 and run["success"] is True

    with store.connect() as con:
        comments = [r[0] for r in con.execute("SELECT comment FROM cashout_decisions WHERE cashout_id = ? "
                                              "ORDER BY decided_at", [cashout_id]).fetchall()]
        started, ended = con.execute("SELECT started_at, ended_at FROM daily_runs").fetchone()
        api_times = [r[0] for r in con.execute("SELECT decided_at FROM cashout_decisions WHERE comment LIKE "
                                               "'api #%' ORDER BY decided_at").fetchall()]
        runs = con.execute("SELECT run_id FROM fraud_runs").fetchall()
        daily_runs = con.execute("SELECT run_id, success FROM daily_runs").fetchall()
        parts = con.execute("SELECT part FROM daily_run_parts WHERE run_id = ? ORDER BY started_at",
                            [result["run_id"]]).fetchall()
        pushes = con.execute("SELECT cashout_id, status FROM admin_pushes").fetchall()
    # every decision once: each of the API's and the app's one, the app's made while the API was writing
    assert sorted(comments) == sorted([f"api #{i}" for i in range(len(codes))] + ["from the app"])
    assert 0 < comments.index("from the app") < len(comments) - 1
    assert started < api_times[-1] and api_times[0] < ended  # the daily job ran while the API wrote
    # the fraud runs: the API's and the daily job's, each once, beside those before
    run_ids = [r[0] for r in runs]
    assert len(run_ids) == len(set(run_ids)) == fraud_runs_before + 2
    assert {run["run_id"], result["parts"][0]["result"]["run_id"]} <= set(run_ids)
    assert daily_runs == [(result["run_id"], True)] and [p[0] for p in parts] == ["fraud", "cashout", "overdraft"]
    assert pushes == [("c-10163", "pushed")]
    assert [r.body["cashout_id"] for r in world["admin"].received] == ["c-10163"]
    assert world["admin"].received[0].signed_ok
