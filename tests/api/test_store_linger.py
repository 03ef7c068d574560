"""The store's idle linger (what the API server sets): a burst of uses reuses one open instance, the
file is closed once the linger ends, and another process that queues ends the linger at once."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from analytics import store as store_module
from analytics.store import Store
from tests.conftest import ROOT

RAW_OPEN = """
import sys, duckdb
try:
    duckdb.connect(sys.argv[1], read_only=True).close()
    print("opened")
except duckdb.IOException:
    print("locked")
"""
STORE_USE = """
import sys, time
from analytics.store import Store
t = time.monotonic()
with Store(sys.argv[1], lock_timeout=30).connect() as con:
    con.execute("SELECT 1")
print(f"{time.monotonic() - t:.3f}")
"""


def child(code: str, path: Path) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code), str(path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture
def lingering() -> Iterator[None]:
    yield
    store_module.set_linger(0)


def test_the_linger_is_bounded(lingering) -> None:
    for bad in (-0.1, store_module.MAX_LINGER + 0.1):
        with pytest.raises(ValueError, match="linger must lie in"):
            store_module.set_linger(bad)
    store_module.set_linger(1.5)
    assert store_module.linger() == 1.5


def test_the_default_closes_the_file_after_each_use(store: Store) -> None:
    assert store_module.linger() == 0
    store.ensure_created()
    assert child(RAW_OPEN, store.path) == "opened"


def test_an_idle_instance_lingers_then_closes(store: Store, lingering) -> None:
    store.ensure_created()
    store_module.set_linger(1.0)
    with store.connect() as con:
        con.execute("CREATE TABLE t (x INT)")
    assert child(RAW_OPEN, store.path) == "locked"  # a process outside the protocol: still held here
    deadline = time.monotonic() + 10
    while child(RAW_OPEN, store.path) != "opened":  # closed once a second passed with no use
        assert time.monotonic() < deadline
        time.sleep(0.2)
    with store.connect() as con:  # and opened again on the next use
        assert con.execute("SELECT count(*) FROM t").fetchone()[0] == 0


def test_a_burst_reuses_one_instance(store: Store, lingering) -> None:
    store.ensure_created()
    store_module.set_linger(2.0)
    seen = set()
    for _ in range(20):
        with store.connect() as con:
            seen.add(id(con))
    assert len(seen) == 1


def test_a_waiting_process_ends_the_linger_at_once(store: Store, lingering) -> None:
    store.ensure_created()
    store_module.set_linger(store_module.MAX_LINGER)  # 5 s
    with store.connect() as con:
        con.execute("CREATE TABLE t (x INT)")
    waited = float(child(STORE_USE, store.path))
    assert waited < 2.5, waited  # far less than the 5 s linger (it includes the child's own open)
    with store.connect() as con:  # this process opens it again afterwards
        assert con.execute("SELECT count(*) FROM t").fetchone()[0] == 0


def test_close_idle_closes_a_lingering_instance_now(store: Store, lingering) -> None:
    store.ensure_created()
    store_module.set_linger(store_module.MAX_LINGER)
    with store.connect() as con:
        con.execute("CREATE TABLE t (x INT)")
    assert child(RAW_OPEN, store.path) == "locked"
    store_module.close_idle()  # what runs at exit
    assert child(RAW_OPEN, store.path) == "opened"
