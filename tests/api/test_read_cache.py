"""The read cache: an answer is reused only while the database (file and WAL) and the settings are
unchanged, at most read_cache_seconds, and never after a write through the API, the app or cron."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from analytics.api.cache import ReadCache, freshness
from analytics.store import Store
from tests.conftest import ROOT


def answer(cache: ReadCache, key: tuple, compute, version) -> object:
    return asyncio.run(cache.answer(key, compute, version))


class Counter:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> dict:
        self.calls += 1
        return {"n": self.calls}


def test_an_answer_is_reused_while_its_version_holds() -> None:
    cache, compute, version = ReadCache(ttl=60), Counter(), {"v": 1}
    first = answer(cache, ("a",), compute, lambda: version["v"])
    assert answer(cache, ("a",), compute, lambda: version["v"]).body == first.body == b'{"n": 1}'
    assert compute.calls == 1
    version["v"] = 2  # something it reads changed
    assert answer(cache, ("a",), compute, lambda: version["v"]).body == b'{"n": 2}'
    answer(cache, ("b",), compute, lambda: version["v"])  # another request: its own answer
    assert compute.calls == 3
    cache.clear()  # a write through the API
    assert answer(cache, ("a",), compute, lambda: version["v"]).body == b'{"n": 4}'


def test_answers_expire_and_a_zero_ttl_keeps_none() -> None:
    clock = {"t": 1000.0}
    cache, compute = ReadCache(ttl=60, clock=lambda: clock["t"]), Counter()
    answer(cache, ("a",), compute, lambda: 1)
    clock["t"] += 59.9
    answer(cache, ("a",), compute, lambda: 1)
    assert compute.calls == 1
    clock["t"] += 0.2  # 60.1 s after it was computed
    answer(cache, ("a",), compute, lambda: 1)
    assert compute.calls == 2
    off, compute = ReadCache(ttl=0), Counter()
    answer(off, ("a",), compute, lambda: 1)
    answer(off, ("a",), compute, lambda: 1)
    assert compute.calls == 2


def test_the_cache_is_bounded() -> None:
    cache, compute = ReadCache(ttl=60, size=3), Counter()
    for key in "abcd":
        answer(cache, (key,), compute, lambda: 1)
    answer(cache, ("a",), compute, lambda: 1)  # the oldest went out: computed again
    answer(cache, ("d",), compute, lambda: 1)  # still kept
    assert compute.calls == 5


WRITE = """
import sys
from analytics.store import Store
with Store(sys.argv[1]).connect() as con:
    con.execute("CREATE TABLE IF NOT EXISTS t (x INT)")
    con.execute("INSERT INTO t VALUES (1)")
"""


def test_freshness_moves_with_any_write_and_settings_edit_never_with_reads(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "api.yaml").write_text("port: 8000\n")
    monkeypatch.setenv("RISKDESK_CONFIG_DIR", str(config))
    store.ensure_created()
    before = freshness(store.path)
    with store.connect() as con:
        con.execute("SELECT count(*) FROM players").fetchall()
    assert freshness(store.path) == before  # a read changes nothing
    subprocess.run([sys.executable, "-c", textwrap.dedent(WRITE), str(store.path)], cwd=ROOT, check=True)
    after_write = freshness(store.path)
    assert after_write != before  # another process wrote
    (config / "api.yaml").write_text("port: 8001\n")
    assert freshness(store.path) != after_write  # a setting changed


def test_a_decision_recorded_elsewhere_shows_at_once(client, api_env: dict) -> None:
    with api_env["store"].connect() as con:
        audit_id = con.execute("SELECT max(audit_id) FROM cashout_audits").fetchone()[0]
    assert client.get(f"/api/audits/{audit_id}").json()["decisions"] == []
    assert client.get(f"/api/audits/{audit_id}").json()["decisions"] == []  # kept: nothing changed
    code = f"""
        from analytics.cashout import review
        from analytics.identity import Actor
        from analytics.store import Store
        review.record_decision(Store({str(api_env['db'])!r}), {audit_id!r}, "reject", "by the app", Actor("app", "auditor"))
    """
    subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, check=True, timeout=120)
    decisions = client.get(f"/api/audits/{audit_id}").json()["decisions"]
    assert [(d["decision"], d["comment"], d["decided_by"]) for d in decisions] == [("reject", "by the app", "app")]


def test_every_answer_says_how_long_the_server_took(client) -> None:
    timing = client.get("/api/tiers").headers["server-timing"]
    assert timing.startswith("app;dur=") and float(timing.split("=")[1]) >= 0
    assert client.get("/api/nothing").headers["server-timing"].startswith("app;dur=")
