"""Child process of the SQL box: opens the store read-only and locked down, runs one query.

Reads {"path", "sql", "max_rows"} as JSON on stdin and prints one JSON answer on stdout.
"""

from __future__ import annotations

import json
import sys

import duckdb

from analytics.jsonutil import jsonable

LOCKED_DOWN = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "allow_unsigned_extensions": False,
    "memory_limit": "2GB",
    "lock_configuration": True,  # last: nothing after it can change the settings
}


def run(path: str, sql: str, max_rows: int) -> dict:
    """Execute `sql` on a locked-down read-only open of `path`."""
    con = duckdb.connect(path, read_only=True, config=LOCKED_DOWN)
    try:
        cur = con.execute(sql)
        description = cur.description or []
        rows = cur.fetchmany(max_rows + 1) if description else []
    finally:
        con.close()
    truncated = len(rows) > max_rows
    rows = rows[:max_rows]
    return {
        "ok": True,
        "columns": [{"name": d[0], "type": str(d[1])} for d in description],
        "rows": [[jsonable(v) for v in row] for row in rows],
        "row_count": len(rows),
        "truncated": truncated,
    }


def main() -> None:
    """Read the request, answer on stdout."""
    request = json.loads(sys.stdin.read())
    try:
        answer = run(request["path"], request["sql"], int(request["max_rows"]))
    except duckdb.Error as exc:
        text = str(exc).strip().splitlines()
        answer = {"ok": False, "error": text[0] if text else type(exc).__name__}
    sys.stdout.write(json.dumps(answer))


if __name__ == "__main__":
    main()
