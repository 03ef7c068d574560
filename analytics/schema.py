"""The store's tables: queries/schema/*.sql applied in name order, each recorded once.

Schema files are idempotent (CREATE ... IF NOT EXISTS, ALTER ... IF NOT EXISTS), so a file
whose content changed is simply applied again; a new table or column goes in a new file.
"""

from __future__ import annotations

import hashlib

import duckdb

from analytics import settings


def schema_files() -> list[tuple[str, str]]:
    """(name, SQL text) of every schema file, in the order they are applied."""
    folder = settings.queries_dir() / "schema"
    return [(p.name, p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.sql"))]


def migrate(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply the schema files not yet applied with their current content; return their names."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " name VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    done = set(conn.execute("SELECT name, sha256 FROM schema_migrations").fetchall())
    applied = []
    for name, text in schema_files():
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if (name, digest) in done:
            continue
        conn.execute(text)
        conn.execute(
            "INSERT INTO schema_migrations VALUES (?, ?, now()::TIMESTAMP)", [name, digest]
        )
        applied.append(name)
    return applied


def data_tables(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """Names of the user-facing tables in the main schema (bookkeeping tables excluded)."""
    rows = conn.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY table_name"
    ).fetchall()
    return [r[0] for r in rows if r[0] != "schema_migrations"]
