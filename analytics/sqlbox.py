"""The read-only SQL box: one reading statement, in a locked-down child process, with limits.

The statement is parsed by DuckDB itself and refused unless it is a single SELECT-like
statement; it then runs in a short-lived child process that opens the store read-only with
external access disabled and configuration locked, so the database enforces what the parser
allowed. The child is killed at the time limit; the store is free again at once.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

import duckdb

from analytics.errors import InputError, QueryRefused, QueryTimeout
from analytics.identity import Actor, require
from analytics.store import Store

DEFAULT_MAX_ROWS = 10_000
DEFAULT_TIMEOUT = 10.0
EXAMPLE_QUERY = "SELECT * FROM loaded_files ORDER BY loaded_at DESC"
_ALLOWED = {"SELECT", "EXPLAIN"}
_EXPLAIN = re.compile(r"^\s*explain(\s+analyze)?\s+", re.IGNORECASE)


def check_statement(sql: str) -> str:
    """The statement's type when the SQL box may run it; QueryRefused (or InputError) otherwise."""
    con = duckdb.connect()
    try:
        try:
            statements = con.extract_statements(sql)
        except duckdb.Error as exc:
            raise InputError(f"SQL does not parse: {_first_line(exc)}") from None
        if not statements:
            raise InputError("the query is empty")
        if len(statements) > 1:
            raise QueryRefused(f"one statement per query, got {len(statements)}")
        kind = statements[0].type.name
        if kind not in _ALLOWED:
            raise QueryRefused(f"{kind} statements are refused: the SQL box only reads")
        if kind == "EXPLAIN":
            inner = _EXPLAIN.sub("", statements[0].query, count=1)
            inner_kind = con.extract_statements(inner)[0].type.name
            if inner_kind != "SELECT":
                raise QueryRefused(f"EXPLAIN of {inner_kind} is refused: the SQL box only reads")
        return kind
    finally:
        con.close()


def run_sql(
    store: Store, sql: str, actor: Actor, max_rows: int = DEFAULT_MAX_ROWS,
    timeout: float = DEFAULT_TIMEOUT,
) -> dict:
    """Run one reading statement; the contract's JSON (columns, rows, row_count, truncated, elapsed_s)."""
    require(actor, "sql")
    if max_rows < 0:
        raise InputError("--max-rows must be 0 or more")
    if timeout <= 0:
        raise InputError("--timeout must be more than 0 seconds")
    check_statement(sql)
    store.ensure_created()
    started = time.monotonic()
    request = json.dumps({"path": str(store.path), "sql": sql, "max_rows": max_rows})
    with store.exclusive_file():
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "analytics.sqlbox_worker"],
                input=request, capture_output=True, text=True, timeout=timeout, check=False,
                env={**os.environ, "TZ": "UTC"},
            )
        except subprocess.TimeoutExpired:
            raise QueryTimeout(f"query stopped after {timeout:g} s (the time limit)") from None
    try:
        answer = json.loads(proc.stdout)
    except json.JSONDecodeError:
        detail = (proc.stderr or "").strip().splitlines()[-1:] or ["no output"]
        raise InputError(f"query failed: {detail[0]}") from None
    if not answer.get("ok"):
        raise QueryRefused(answer.get("error", "query failed"))
    answer.pop("ok")
    answer["elapsed_s"] = round(time.monotonic() - started, 3)
    return answer


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
