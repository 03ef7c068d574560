"""Fixtures of the trust tests: one `streamlit run` on a fresh store, shared by many sessions."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from analytics import auth
from tests.conftest import ROOT
from tests.e2e.conftest import free_port, wait_healthy

LOAD_USERS = [f"auditor-{n:02d}" for n in range(20)]
LOAD_PASSWORD = "load-test-password-1"   # a throwaway test user's password


@pytest.fixture(scope="module")
def load_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """`streamlit run app.py` with its own store and sign-in on: 20 auditors in a users file."""
    folder = tmp_path_factory.mktemp("load")
    db = folder / "riskdesk.duckdb"
    users = folder / "users.yaml"
    digest = auth.hash_password(LOAD_PASSWORD)   # one slow hash, shared: each user still signs in
    auth.save_users({name: auth.User(name=name, role="auditor", password_hash=digest) for name in LOAD_USERS},
                    users)
    env = dict(os.environ, RISKDESK_DB=str(db), PYTHONPATH=str(ROOT), RISKDESK_USERS_FILE=str(users))
    subprocess.run([sys.executable, "-m", "analytics", "init-db", "--empty"], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=120)
    port = free_port()
    log = open(folder / "streamlit.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        yield {"url": url, "db": db, "folder": folder, "pid": proc.pid, "log": folder / "streamlit.log"}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
