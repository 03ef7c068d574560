"""Atomic writes: readers see the old file or the whole new one; a failed write leaves no trace."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from analytics.fileio import atomic_open, atomic_path, atomic_write


def test_atomic_path_lets_duckdb_copy_replace_a_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "out" / "numbers.csv"
    atomic_write(target, "old\n")
    with atomic_path(target) as tmp:
        assert target.read_text() == "old\n"   # until the block ends the old file stays
        con = duckdb.connect()   # in memory: a scratch engine writing the file, as the exports do
        con.execute("COPY (SELECT range AS n FROM range(3)) TO $path (HEADER, FORMAT csv)", {"path": str(tmp)})
        con.close()
    assert target.read_text().splitlines() == ["n", "0", "1", "2"]
    assert sorted(p.name for p in target.parent.iterdir()) == ["numbers.csv"]   # no temporary left
    assert target.stat().st_mode & 0o777 == 0o644


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "results.json"
    atomic_write(target, "{}")
    with pytest.raises(RuntimeError), atomic_open(target) as fh:
        fh.write('{"half": ')
        raise RuntimeError("disk full")
    assert target.read_text() == "{}"
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]
