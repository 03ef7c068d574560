"""Shared fixtures: a fresh store per test, and the environment a subprocess needs to use it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from analytics.identity import Actor  # noqa: E402
from analytics.store import Store  # noqa: E402


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh database path, also set as RISKDESK_DB for code and subprocesses."""
    path = tmp_path / "db" / "riskdesk.duckdb"
    monkeypatch.setenv("RISKDESK_DB", str(path))
    return path


@pytest.fixture
def store(db_path: Path) -> Store:
    """A fresh store in a temporary folder."""
    return Store(db_path, lock_timeout=10)


@pytest.fixture
def actor() -> Actor:
    """An admin acting in tests."""
    return Actor("tester", "admin")


@pytest.fixture
def cli_env(db_path: Path) -> dict[str, str]:
    """Environment for `python -m analytics` subprocesses on the test's store."""
    env = dict(os.environ)
    env["RISKDESK_DB"] = str(db_path)
    env["PYTHONPATH"] = str(ROOT)
    return env


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write a small test file and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path
