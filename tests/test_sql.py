"""The query library: files loaded by name, parameters bound, every file valid for Athena too."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlglot

from analytics import sql
from analytics.errors import ConfigError, InputError
from analytics.store import Store


def test_every_query_parses_as_duckdb_and_transpiles_to_athena() -> None:
    queries = sql.all_queries()
    assert len(queries) >= 3
    for query in queries:
        assert query.doc, f"{query.name}: a comment on top must say what it returns"
        sqlglot.parse_one(query.text, read="duckdb")
        athena_sql, order = query.to_athena()
        assert sorted(set(order)) == sorted(query.params)
        assert "$" not in athena_sql, query.name
        sqlglot.parse_one(athena_sql, read="athena")  # the transpiled text parses as Athena SQL


def test_schema_files_parse_as_duckdb() -> None:
    from analytics.schema import schema_files

    for name, text in schema_files():
        assert sqlglot.parse(text, read="duckdb"), name


def test_values_are_bound_never_formatted(store: Store, actor) -> None:
    with store.connect() as con:
        con.execute("INSERT INTO loaded_files VALUES ('f1', 'a.csv', 'adhoc', 't', 1, 0, '[]', now()::TIMESTAMP, 'x')")
    hostile = "f1' OR '1'='1"
    frame = sql.DuckDBRunner(store).run("home/load_rejects", {"file_id": hostile, "limit": 10})
    assert frame.empty  # the quote is data: no row has that id
    frame = sql.DuckDBRunner(store).run("home/loaded_files", {"limit": 5})
    assert frame["file_name"].tolist() == ["a.csv"]


def test_missing_and_unknown_parameters_are_named() -> None:
    query = sql.load("home/load_rejects")
    assert query.params == {"file_id", "limit"}
    with pytest.raises(InputError, match=r"missing parameter \$limit"):
        query.check_params({"file_id": "x"})
    with pytest.raises(InputError, match=r"unknown parameter \$player"):
        query.check_params({"file_id": "x", "limit": 1, "player": "u1"})


@pytest.mark.parametrize("name", ["../schema/001_core", "home/../../etc/passwd", "Home/Tables", "x;y"])
def test_query_names_cannot_leave_the_folder(name: str) -> None:
    with pytest.raises(InputError, match="is not a query name"):
        sql.load(name)


def test_unknown_query() -> None:
    with pytest.raises(InputError, match="no query named 'home/nope'"):
        sql.load("home/nope")


def test_athena_gets_question_marks_and_literal_values() -> None:
    text, values = sql.AthenaRunner.prepare("home/load_rejects", {"file_id": "it's", "limit": 5})
    assert "?" in text and "$" not in text
    assert values == ["'it''s'", "5"]
    assert sql.athena_literal(dt.datetime(2023, 9, 19, 14, 2, 11)) == "TIMESTAMP '2023-09-19 14:02:11.000'"
    assert sql.athena_literal(None) == "NULL"
    assert sql.athena_literal(True) == "true"
    assert sql.athena_literal(1.5) == "1.5"


def test_runner_is_chosen_by_configuration(monkeypatch: pytest.MonkeyPatch, store: Store) -> None:
    monkeypatch.delenv("RISKDESK_QUERY_ENGINE", raising=False)
    assert isinstance(sql.runner(store), sql.DuckDBRunner)
    monkeypatch.setenv("RISKDESK_QUERY_ENGINE", "athena")
    monkeypatch.delenv("RISKDESK_ATHENA_S3_STAGING_DIR", raising=False)
    with pytest.raises(ConfigError, match="RISKDESK_ATHENA_S3_STAGING_DIR"):
        sql.runner(store)
    monkeypatch.setenv("RISKDESK_ATHENA_S3_STAGING_DIR", "s3://bucket/results/")
    monkeypatch.setenv("RISKDESK_ATHENA_REGION", "eu-west-1")
    monkeypatch.setenv("RISKDESK_ATHENA_WORK_GROUP", "liveops")
    runner = sql.runner(store)
    assert isinstance(runner, sql.AthenaRunner)
    assert runner.config.work_group == "liveops" and runner.config.schema_name == "default"
    monkeypatch.setenv("RISKDESK_QUERY_ENGINE", "oracle")
    with pytest.raises(ConfigError, match="duckdb or athena"):
        sql.runner(store)
