"""The query library: SQL files under queries/ loaded by name, run with bound parameters.

A query file is DuckDB SQL with named parameters (`$player`). The DuckDB runner binds them
through DuckDB; the Athena runner transpiles the file with sqlglot and sends the values as
Athena execution parameters (`?`), so no value is ever formatted into the SQL text.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import pandas as pd
import sqlglot
from sqlglot import exp

from analytics import settings
from analytics.errors import ConfigError, InputError
from analytics.store import Store

_NAME = re.compile(r"^[a-z0-9_]+(/[a-z0-9_]+)*$")
_MARKER = re.compile(r":rdparam(\d+)x")


@dataclass(frozen=True)
class Query:
    """One SQL file: its name (path under queries/ without .sql), text and parameter names."""

    name: str
    text: str

    @property
    def params(self) -> set[str]:
        """Names of the `$name` parameters the query uses."""
        return set(_placeholders(self.text))

    @property
    def doc(self) -> str:
        """The comment lines on top of the file."""
        lines = []
        for line in self.text.splitlines():
            if not line.startswith("--"):
                break
            lines.append(line[2:].strip())
        return " ".join(lines)

    def check_params(self, params: dict[str, Any]) -> None:
        """InputError when a parameter is missing or unknown."""
        missing = sorted(self.params - set(params))
        extra = sorted(set(params) - self.params)
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"missing parameter {', '.join('$' + m for m in missing)}")
            if extra:
                parts.append(f"unknown parameter {', '.join('$' + e for e in extra)}")
            raise InputError(f"query {self.name}: {'; '.join(parts)}")

    def to_athena(self) -> tuple[str, list[str]]:
        """Athena (Trino) SQL with `?` placeholders and the parameter names in text order."""
        tree = sqlglot.parse_one(self.text, read="duckdb")
        names: list[str] = []
        for node in list(tree.find_all(exp.Placeholder)):
            if node.name:
                node.replace(exp.Placeholder(this=f"rdparam{len(names)}x"))
                names.append(node.name)
        text = tree.sql(dialect="athena")
        order = [names[int(m)] for m in _MARKER.findall(text)]
        return _MARKER.sub("?", text), order


@cache
def _placeholders(text: str) -> frozenset[str]:
    """The `$name` parameters of a query text, parsed once per text (a parse costs milliseconds)."""
    tree = sqlglot.parse_one(text, read="duckdb")
    return frozenset(p.name for p in tree.find_all(exp.Placeholder) if p.name)


def query_path(name: str) -> Path:
    """The file of query `name`, refusing names that could leave the queries folder."""
    if not _NAME.match(name):
        raise InputError(f"{name!r} is not a query name (lower-case words separated by /)")
    return settings.queries_dir() / f"{name}.sql"


@cache
def _read(path: Path, mtime: float) -> str:
    return path.read_text(encoding="utf-8")


def load(name: str) -> Query:
    """The query stored in queries/<name>.sql."""
    path = query_path(name)
    if not path.is_file():
        raise InputError(f"no query named {name!r} (expected {path})")
    return Query(name, _read(path, path.stat().st_mtime))


def all_queries() -> list[Query]:
    """Every query file except the schema files, sorted by name."""
    root = settings.queries_dir()
    out = []
    for path in sorted(root.rglob("*.sql")):
        rel = path.relative_to(root).with_suffix("").as_posix()
        if not rel.startswith("schema/"):
            out.append(Query(rel, path.read_text(encoding="utf-8")))
    return out


class Runner(Protocol):
    """Something that runs a named query with parameters and returns a DataFrame."""

    def run(self, name: str, params: dict[str, Any] | None = None) -> pd.DataFrame: ...


class DuckDBRunner:
    """Runs queries on the store, binding `$name` parameters through DuckDB."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def run(self, name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        """The result of query `name` as a DataFrame."""
        query = load(name)
        params = params or {}
        query.check_params(params)
        with self.store.connect() as con:
            return con.execute(query.text, params).df()


def athena_literal(value: Any) -> str:
    """An execution-parameter value as Athena reads it (a SQL literal in a string)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, dt.datetime):
        return f"TIMESTAMP '{value.strftime('%Y-%m-%d %H:%M:%S.%f')[:-3]}'"
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    return "'" + str(value).replace("'", "''") + "'"


@dataclass(frozen=True)
class AthenaSettings:
    """Where Athena runs, from environment variables."""

    s3_staging_dir: str
    region_name: str
    work_group: str | None
    schema_name: str
    endpoint_url: str | None = None

    @classmethod
    def from_env(cls) -> AthenaSettings:
        """Read RISKDESK_ATHENA_* (staging dir and region required)."""
        env = os.environ
        staging = env.get("RISKDESK_ATHENA_S3_STAGING_DIR")
        region = env.get("RISKDESK_ATHENA_REGION") or env.get("AWS_DEFAULT_REGION")
        if not staging or not region:
            raise ConfigError(
                "Athena needs RISKDESK_ATHENA_S3_STAGING_DIR and RISKDESK_ATHENA_REGION "
                "(or AWS_DEFAULT_REGION)"
            )
        return cls(
            s3_staging_dir=staging,
            region_name=region,
            work_group=env.get("RISKDESK_ATHENA_WORK_GROUP") or None,
            schema_name=env.get("RISKDESK_ATHENA_SCHEMA", "default"),
            endpoint_url=env.get("RISKDESK_ATHENA_ENDPOINT_URL") or None,
        )


class AthenaRunner:
    """Runs the same query files on Amazon Athena through pyathena."""

    def __init__(self, config: AthenaSettings | None = None) -> None:
        self.config = config or AthenaSettings.from_env()

    def connect(self) -> Any:
        """A pyathena connection for these settings."""
        from pyathena import connect

        kwargs: dict[str, Any] = {
            "s3_staging_dir": self.config.s3_staging_dir,
            "region_name": self.config.region_name,
            "schema_name": self.config.schema_name,
        }
        if self.config.work_group:
            kwargs["work_group"] = self.config.work_group
        if self.config.endpoint_url:
            kwargs["endpoint_url"] = self.config.endpoint_url
        return connect(**kwargs)

    @staticmethod
    def prepare(name: str, params: dict[str, Any] | None = None) -> tuple[str, list[str]]:
        """The Athena SQL of query `name` and its execution parameters, in order."""
        query = load(name)
        params = params or {}
        query.check_params(params)
        sql, order = query.to_athena()
        return sql, [athena_literal(params[p]) for p in order]

    def run(self, name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        """The result of query `name` on Athena as a DataFrame."""
        sql, values = self.prepare(name, params)
        conn = self.connect()
        try:
            cursor = conn.cursor()
            if values:
                cursor.execute(sql, values, paramstyle="qmark")
            else:
                cursor.execute(sql)
            columns = [d[0] for d in cursor.description or []]
            return pd.DataFrame(cursor.fetchall(), columns=columns)
        finally:
            conn.close()


def runner(store: Store | None = None) -> Runner:
    """The runner configuration asks for: RISKDESK_QUERY_ENGINE=athena, else DuckDB."""
    engine = os.environ.get("RISKDESK_QUERY_ENGINE", "duckdb").strip().lower()
    if engine == "athena":
        return AthenaRunner()
    if engine != "duckdb":
        raise ConfigError(f"RISKDESK_QUERY_ENGINE must be duckdb or athena, got {engine!r}")
    return DuckDBRunner(store or Store())
