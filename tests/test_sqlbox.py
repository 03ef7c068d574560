"""The SQL box: reads only, enforced by the database; one statement; row and time limits."""

from __future__ import annotations

import time

import pytest

from analytics import sqlbox
from analytics.errors import InputError, PermissionDenied, QueryRefused, QueryTimeout
from analytics.identity import Actor
from analytics.store import Store


@pytest.fixture
def filled(store: Store) -> Store:
    with store.connect() as con:
        con.execute("CREATE TABLE adhoc_numbers AS SELECT range AS n FROM range(25)")
    return store


def test_select_returns_the_contract_shape(filled: Store, actor) -> None:
    answer = sqlbox.run_sql(filled, "SELECT n, n * 2 AS twice FROM adhoc_numbers WHERE n < 3 ORDER BY n", actor)
    assert answer["columns"] == [{"name": "n", "type": "BIGINT"}, {"name": "twice", "type": "BIGINT"}]
    assert answer["rows"] == [[0, 0], [1, 2], [2, 4]]
    assert answer["row_count"] == 3 and answer["truncated"] is False
    assert answer["elapsed_s"] >= 0


def test_row_limit_truncates(filled: Store, actor) -> None:
    answer = sqlbox.run_sql(filled, "SELECT * FROM adhoc_numbers ORDER BY n", actor, max_rows=10)
    assert answer["row_count"] == 10 and answer["truncated"] is True
    assert answer["rows"][-1] == [9]
    exact = sqlbox.run_sql(filled, "SELECT * FROM adhoc_numbers", actor, max_rows=25)
    assert exact["row_count"] == 25 and exact["truncated"] is False


@pytest.mark.parametrize("query", [
    "DESCRIBE adhoc_numbers", "SHOW TABLES", "SUMMARIZE adhoc_numbers",
    "EXPLAIN SELECT * FROM adhoc_numbers", "WITH x AS (SELECT 1 AS a) SELECT * FROM x",
    "FROM adhoc_numbers LIMIT 1",
])
def test_reading_statements_run(filled: Store, actor, query: str) -> None:
    assert sqlbox.run_sql(filled, query, actor)["row_count"] >= 1


@pytest.mark.parametrize("query", [
    "INSERT INTO adhoc_numbers VALUES (99)", "UPDATE adhoc_numbers SET n = 0",
    "DELETE FROM adhoc_numbers", "CREATE TABLE x (a INT)", "DROP TABLE adhoc_numbers",
    "ALTER TABLE adhoc_numbers ADD COLUMN b INT", "COPY adhoc_numbers TO '/tmp/out.csv'",
    "EXPORT DATABASE '/tmp/dump'", "ATTACH '/tmp/other.duckdb' AS other", "DETACH other",
    "INSTALL httpfs", "LOAD httpfs", "SET threads = 1", "RESET threads", "PRAGMA version",
    "CALL pragma_version()", "CHECKPOINT", "USE memory", "VACUUM",
    "EXPLAIN ANALYZE DELETE FROM adhoc_numbers", "create temp table t as select 1",
    "SELECT 1; SELECT 2", "SELECT 1; DROP TABLE adhoc_numbers",
])
def test_writes_and_state_changes_are_refused(filled: Store, actor, query: str) -> None:
    with pytest.raises(QueryRefused):
        sqlbox.run_sql(filled, query, actor)
    answer = sqlbox.run_sql(filled, "SELECT count(*) FROM adhoc_numbers", actor)
    assert answer["rows"] == [[25]]


@pytest.mark.parametrize("query", [
    "SELECT * FROM read_csv('/etc/passwd')", "SELECT * FROM read_csv_auto('/etc/passwd')",
    "SELECT * FROM read_text('/etc/passwd')", "SELECT * FROM read_blob('/etc/passwd')",
    "SELECT * FROM read_json('/etc/passwd')", "SELECT * FROM read_parquet('/etc/passwd')",
    "SELECT * FROM glob('/etc/*')", "SELECT * FROM '/etc/passwd'", "FROM '/etc/passwd'",
    "SELECT * FROM sniff_csv('/etc/passwd')",
    "SELECT * FROM read_csv('https://example.com/x.csv')",
    "SELECT * FROM read_parquet('s3://bucket/x.parquet')",
    "SELECT * FROM (SELECT '/etc/' || 'passwd' AS p), read_text(p)",
])
def test_file_and_network_reads_are_refused_by_the_database(filled: Store, actor, query: str) -> None:
    with pytest.raises((QueryRefused, InputError)):
        sqlbox.run_sql(filled, query, actor)


def test_database_itself_enforces_read_only(filled: Store) -> None:
    """The child's connection refuses a write even if the parser check were bypassed."""
    from analytics.sqlbox_worker import run

    with filled.exclusive_file() as path:
        with pytest.raises(Exception, match=r"read-only|read only"):
            run(str(path), "INSERT INTO adhoc_numbers VALUES (1)", 10)
        with pytest.raises(Exception, match="disabled by configuration"):
            run(str(path), "SELECT * FROM read_text('/etc/passwd')", 10)
        with pytest.raises(Exception, match=r"locked|lock"):
            run(str(path), "SET enable_external_access = true", 10)


def test_slow_query_is_stopped_and_the_store_is_free_at_once(filled: Store, actor) -> None:
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="stopped after 1 s"):
        sqlbox.run_sql(filled, "SELECT count(*) FROM range(1000000000) a, range(1000) b", actor, timeout=1)
    assert time.monotonic() - started < 5
    quick = Store(filled.path, lock_timeout=1)
    with quick.connect() as con:
        assert con.execute("SELECT count(*) FROM adhoc_numbers").fetchone()[0] == 25


def test_bad_sql_and_limits_are_input_errors(filled: Store, actor) -> None:
    with pytest.raises(InputError, match="does not parse"):
        sqlbox.run_sql(filled, "SELEC 1", actor)
    with pytest.raises(InputError, match="empty"):
        sqlbox.run_sql(filled, "  ", actor)
    with pytest.raises(QueryRefused, match="does not exist"):
        sqlbox.run_sql(filled, "SELECT * FROM nope", actor)
    with pytest.raises(InputError, match="max-rows"):
        sqlbox.run_sql(filled, "SELECT 1", actor, max_rows=-1)


def test_fresh_machine_creates_the_store_first(store: Store, actor) -> None:
    assert not store.path.exists()
    assert sqlbox.run_sql(store, "SELECT count(*) FROM loaded_files", actor)["rows"] == [[0]]


def test_only_admins_use_the_sql_box(filled: Store) -> None:
    with pytest.raises(PermissionDenied, match="needs the admin role"):
        sqlbox.run_sql(filled, "SELECT 1", Actor("vera", "viewer"))
