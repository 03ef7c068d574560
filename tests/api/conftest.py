"""API fixtures: one sample store per session (copied per module), test settings, users and tokens,
an in-process client and a real uvicorn server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from analytics import auth, data_commands, settings, tokens
from analytics import store as store_module
from analytics.identity import Actor
from analytics.store import Store
from tests.conftest import ROOT

ROLES = ("viewer", "auditor", "admin")
SMALL_DROPS = {"legit_clients": 30, "distributor": {"count": 3}, "purchaser": {"count": 2},
               "start": "2025-01-01T00:00:00Z", "end": "2025-02-01T00:00:00Z"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_config(folder: Path, **api: object) -> Path:
    """A copy of config/ for tests: alerts to a file in `folder`, small simulations, one log parser."""
    cfg = folder / "config"
    shutil.copytree(ROOT / "config", cfg, ignore=shutil.ignore_patterns("users.yaml", "api_tokens.yaml"))
    notify = yaml.safe_load((cfg / "notify.yaml").read_text())
    notify.update(backend="file", file_path=str(folder / "alerts.jsonl"))
    (cfg / "notify.yaml").write_text(yaml.safe_dump(notify))
    overdraft = yaml.safe_load((cfg / "overdraft.yaml").read_text())
    overdraft["parser"]["workers"] = 1  # no process pool per upload in tests
    (cfg / "overdraft.yaml").write_text(yaml.safe_dump(overdraft))
    drops = yaml.safe_load((cfg / "drops.yaml").read_text())
    for key, value in SMALL_DROPS.items():
        drops[key] = {**drops[key], **value} if isinstance(value, dict) else value
    (cfg / "drops.yaml").write_text(yaml.safe_dump(drops))
    limits = {"drops_max_clients": 100, "drops_max_window_days": 62, **api}
    (cfg / "api.yaml").write_text(yaml.safe_dump(limits))
    return cfg


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with every sample loaded and the workspaces' hooks run (built once per session)."""
    folder = tmp_path_factory.mktemp("sample_db")
    path = folder / "riskdesk.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RISKDESK_CONFIG_DIR", str(write_config(folder)))
        data_commands.init_db(Store(path), settings.sample_dir(), Actor("seed", "admin"))
    return path


def copy_db(sample_db: Path, folder: Path) -> Path:
    """A private copy of the sample store."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "riskdesk.duckdb"
    shutil.copy(sample_db, target)
    return target


@pytest.fixture(scope="module")
def api_env(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """A module's own store copy and settings, set in the environment while the module runs."""
    folder = tmp_path_factory.mktemp("api")
    db = copy_db(sample_db, folder / "db")
    cfg = write_config(folder)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RISKDESK_DB", str(db))
        mp.setenv("RISKDESK_CONFIG_DIR", str(cfg))
        mp.delenv("RISKDESK_USERS_FILE", raising=False)
        mp.delenv("RISKDESK_TOKENS_FILE", raising=False)
        mp.delenv("RISKDESK_WEBHOOK_SECRET", raising=False)
        yield {"db": db, "config": cfg, "folder": folder, "store": Store(db, lock_timeout=30)}


@contextmanager
def serving(store: Store) -> Iterator:
    """An in-process client of the API on `store`, the store lingering as under `serve` (reset after)."""
    from fastapi.testclient import TestClient

    from analytics.api.app import create_app

    store_module.set_linger(settings_of_api().store_linger_seconds)
    try:
        with TestClient(create_app(store)) as c:
            yield c
    finally:
        store_module.set_linger(0)
        store_module.close_idle()


def settings_of_api():
    from analytics.api import settings as api_settings

    return api_settings.load()


@pytest.fixture(scope="module")
def client(api_env: dict) -> Iterator:
    """An in-process client of the API on the module's store (open mode: no users file)."""
    with serving(api_env["store"]) as c:
        yield c


def add_users(config: Path) -> dict[str, str]:
    """A users file with one user per role and a token each: {role: token}."""
    users = {f"{role}1": auth.User(name=f"{role}1", role=role, email=f"{role}1@example.com") for role in ROLES}
    auth.save_users(users, config / "users.yaml")
    return {role: tokens.create(f"{role}1", 1)[0] for role in ROLES}


@pytest.fixture(scope="module")
def tokens_by_role(api_env: dict) -> Iterator[dict[str, str]]:
    """Users viewer1, auditor1, admin1 and their tokens; the users file is removed afterwards."""
    made = add_users(api_env["config"])
    yield made
    (api_env["config"] / "users.yaml").unlink(missing_ok=True)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def row_counts(store: Store) -> dict[str, int]:
    """Rows in every table of the store (to show that a refused call wrote nothing)."""
    with store.connect() as con:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'").fetchall()]
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def count(store: Store, sql: str, params: list | None = None) -> int:
    """A count query's answer."""
    with store.connect() as con:
        return con.execute(sql, params or []).fetchone()[0]


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    """Wait until `url` answers (the process must stay up)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status < 500:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {timeout} s")


def start_api(env: dict[str, str], log: Path, port: int | None = None) -> tuple[subprocess.Popen, str]:
    """`python -m analytics serve` on a free port with `env`; (process, base URL)."""
    port = port or free_port()
    fh = open(log, "w")  # noqa: SIM115 - the process writes to it until stopped
    proc = subprocess.Popen([sys.executable, "-m", "analytics", "serve", "--port", str(port)],
                            cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)}, stdout=fh, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_http(f"{url}/health", proc)
    return proc, url


def stop(proc: subprocess.Popen) -> None:
    """Stop a server we started."""
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def live_api(api_env: dict) -> Iterator[str]:
    """A real uvicorn serving the module's store: its base URL."""
    proc, url = start_api(dict(os.environ), api_env["folder"] / "api.log")
    try:
        yield url
    finally:
        stop(proc)
