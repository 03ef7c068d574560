"""The committed sample data: reproducible byte for byte, and what init-db loads from it."""

from __future__ import annotations

import hashlib
from pathlib import Path

from analytics import samples
from analytics.settings import sample_dir


def digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_two_runs_write_identical_files(tmp_path: Path) -> None:
    first = samples.write_all(tmp_path / "a")
    samples.write_all(tmp_path / "b")
    assert first, "the generators wrote nothing"
    a, b = digests(tmp_path / "a"), digests(tmp_path / "b")
    assert a == b
    subfolders = {name.split("/")[0] for name in a}
    assert subfolders == set(samples.GENERATORS)


def test_committed_samples_match_the_generators(tmp_path: Path) -> None:
    samples.write_all(tmp_path / "fresh")
    committed = {k: v for k, v in digests(sample_dir()).items() if k.split("/")[0] in samples.GENERATORS}
    assert committed == digests(tmp_path / "fresh"), "run `python -m analytics sample-data` and commit"


def test_samples_stay_small() -> None:
    total = sum(p.stat().st_size for p in sample_dir().rglob("*") if p.is_file())
    assert total < 8 * 1024 * 1024, f"sample_data/ holds {total} bytes"


def test_rewriting_keeps_other_folders_and_replaces_stale_files(tmp_path: Path) -> None:
    out = tmp_path / "s"
    (out / "cashout").mkdir(parents=True)
    (out / "cashout" / "stale.csv").write_text("old")
    (out / "mules").mkdir()
    (out / "mules" / "keep.csv").write_text("other workspace")
    samples.write_all(out, only=("cashout",))
    assert not (out / "cashout" / "stale.csv").exists()
    assert (out / "mules" / "keep.csv").read_text() == "other workspace"
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
