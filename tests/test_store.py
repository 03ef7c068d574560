"""The store: one file shared by threads and processes, open per use, fair, clear when busy."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import duckdb
import pytest

from analytics.errors import DatabaseBusy
from analytics.store import Store
from tests.conftest import ROOT

HEADER = "event_time,user_id,username,event_type,amount,won,counterparty_id,device_id,cashout_id\n"


def spawn(code: str, *args: str) -> subprocess.Popen:
    """Start a Python child running `code` from the project root."""
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args], cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def test_first_use_creates_every_contract_table(store: Store) -> None:
    with store.connect() as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    expected = {"cashout_events", "cashout_audits", "cashout_decisions", "lambda_transactions",
                "lambda_errors", "game_events", "fraudsters", "process_audit_log", "players",
                "player_transactions", "wallet_ledger", "drop_runs", "drop_transactions",
                "drop_accounts", "loaded_files", "load_rejects"}
    assert expected <= tables


def test_file_is_closed_between_uses(store: Store) -> None:
    with store.connect() as con:
        con.execute("CREATE TABLE t (x INT)")
    # another instance (as another process would) can open it now: nothing holds it
    other = duckdb.connect(str(store.path), read_only=True)
    assert other.execute("SELECT count(*) FROM t").fetchone()[0] == 0
    other.close()


def test_error_rolls_back_the_transaction(store: Store) -> None:
    with store.connect() as con:
        con.execute("CREATE TABLE t (x INT)")
    with pytest.raises(RuntimeError), store.connect() as con:
        con.execute("INSERT INTO t VALUES (1)")
        raise RuntimeError("boom")
    with store.connect() as con:
        assert con.execute("SELECT count(*) FROM t").fetchone()[0] == 0


def test_nested_use_on_one_thread_shares_the_transaction(store: Store) -> None:
    with store.connect() as outer:
        outer.execute("CREATE TABLE t (x INT)")
        with store.connect() as inner:
            assert inner is outer
            inner.execute("INSERT INTO t VALUES (1)")
    with store.connect() as con:
        assert con.execute("SELECT count(*) FROM t").fetchone()[0] == 1


def test_many_threads_at_once_lose_nothing(store: Store) -> None:
    with store.connect() as con:
        con.execute("CREATE TABLE t (thread INT, i INT)")
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(25):
                with store.connect() as con:
                    con.execute("INSERT INTO t VALUES (?, ?)", [n, i])
                    con.execute("SELECT count(*) FROM t").fetchone()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with store.connect() as con:
        assert con.execute("SELECT count(*), count(DISTINCT (thread, i)) FROM t").fetchone() == (200, 200)


def test_reader_loop_and_cli_import_in_two_processes(tmp_path: Path, db_path: Path, cli_env) -> None:
    rows = 60_000
    big = tmp_path / "big_export.csv"
    with open(big, "w") as fh:
        fh.write(HEADER)
        for i in range(rows):
            fh.write(f"2023-09-19T14:{i // 3600 % 60:02d}:{i % 60:02d}Z,u{i % 500},name{i % 500},"
                     f"game_end,{i % 7 - 3}.25,{'true' if i % 2 else 'false'},,d{i % 97},\n")
    Store(db_path).ensure_created()
    stop = tmp_path / "stop"
    reader = spawn(
        """
        import json, pathlib, sys, time
        from analytics import catalog
        from analytics.store import Store
        store, stop, n, errors, seen = Store(sys.argv[1]), pathlib.Path(sys.argv[2]), 0, [], set()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and (not stop.exists() or n < 3):
            try:
                frame = catalog.overview(store)
                seen.add(int(frame.loc[frame.table == 'cashout_events', 'rows'].iloc[0]))
                n += 1
            except Exception as exc:
                errors.append(repr(exc))
        print(json.dumps({"reads": n, "errors": errors, "seen": sorted(seen)}))
        """,
        str(db_path), str(stop),
    )
    time.sleep(0.5)
    importer = subprocess.run(
        [sys.executable, "-m", "analytics", "load", str(big), "--format", "json"],
        cwd=ROOT, env=cli_env, capture_output=True, text=True, timeout=120,
    )
    stop.touch()  # the reader goes on until the import is over (and at least 3 reads)
    out, err = reader.communicate(timeout=120)
    assert importer.returncode == 0, importer.stderr
    assert json.loads(importer.stdout)["rows_loaded"] == rows
    assert reader.returncode == 0, err
    report = json.loads(out)
    assert report["errors"] == []
    assert report["reads"] >= 3
    assert report["seen"][-1] == rows and set(report["seen"]) <= {0, rows}  # never a partial load
    with Store(db_path).connect() as con:
        assert con.execute("SELECT count(*) FROM cashout_events").fetchone()[0] == rows


def test_busy_store_fails_clearly_naming_the_holder(db_path: Path) -> None:
    Store(db_path).ensure_created()
    holder = spawn(
        """
        import sys, time
        from analytics.store import Store
        with Store(sys.argv[1]).connect():
            print("held", flush=True)
            time.sleep(30)
        """,
        str(db_path),
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with pytest.raises(DatabaseBusy) as info, Store(db_path, lock_timeout=0.5).connect():
            pass
        assert 0.4 < time.monotonic() - started < 5
        assert str(info.value).startswith("database busy:")
        assert f"pid {holder.pid}" in str(info.value)
    finally:
        holder.kill()
        holder.wait()
    with Store(db_path, lock_timeout=5).connect() as con:  # free again once the holder is gone
        con.execute("SELECT 1")


def test_file_held_outside_the_protocol_is_reported_busy(db_path: Path) -> None:
    Store(db_path).ensure_created()
    holder = spawn(
        """
        import sys, time, duckdb
        con = duckdb.connect(sys.argv[1])
        print("held", flush=True)
        time.sleep(30)
        """,
        str(db_path),
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(DatabaseBusy, match=r"database busy: .*lock"), \
                Store(db_path, lock_timeout=0.5).connect():
            pass
    finally:
        holder.kill()
        holder.wait()


def test_busy_app_does_not_starve_a_waiting_job(db_path: Path) -> None:
    """An app process with 4 threads using the store back to back; a job still gets its turns."""
    Store(db_path).ensure_created()
    app = spawn(
        """
        import sys, threading, time
        from analytics.store import Store
        store = Store(sys.argv[1])
        stop = time.monotonic() + 12
        def hammer():
            while time.monotonic() < stop:
                with store.connect() as con:
                    con.execute("SELECT count(*) FROM range(200000)").fetchone()
                    time.sleep(0.02)
        threads = [threading.Thread(target=hammer) for _ in range(4)]
        [t.start() for t in threads]
        print("busy", flush=True)
        [t.join() for t in threads]
        """,
        str(db_path),
    )
    try:
        assert app.stdout.readline().strip() == "busy"
        store = Store(db_path, lock_timeout=8)
        waits = []
        for _ in range(5):
            started = time.monotonic()
            with store.connect() as con:
                con.execute("SELECT 1")
            waits.append(time.monotonic() - started)
        assert max(waits) < 2.0, waits
    finally:
        app.kill()
        app.wait()
