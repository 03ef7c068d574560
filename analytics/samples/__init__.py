"""Deterministic sample inputs for every contract, written to sample_data/ and committed.

Each generator module has `generate(out_dir: Path) -> list[Path]` writing its own subfolder.
`write_all` generates into a scratch folder first and then swaps each subfolder in, so a
failed run leaves the previous samples intact.
"""

from __future__ import annotations

import importlib
import shutil
import tempfile
from pathlib import Path

GENERATORS = ("cashout", "lambda_logs", "game_events", "players", "mules")

# What `init-db` loads from sample_data/: (glob under the folder, contract or None to detect).
SAMPLE_LOADS = (
    ("cashout/*.csv", None),
    ("cashout/raw/*.csv", None),
    ("lambda_logs/*", None),
    ("game_events/events.csv", "game_events"),
    ("players/players.csv", "players"),
    ("players/transactions.csv", "player_transactions"),
)


def write_all(out_dir: Path, only: tuple[str, ...] = GENERATORS) -> list[Path]:
    """Generate every sample subfolder into `out_dir`; return the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".gen-") as scratch:
        staged = Path(scratch)
        for name in only:
            module = importlib.import_module(f"analytics.samples.{name}")
            files = module.generate(staged)
            written += [out_dir / f.relative_to(staged) for f in files]
        for sub in sorted(p for p in staged.iterdir() if p.is_dir()):
            target = out_dir / sub.name
            old = out_dir / f".old-{sub.name}"
            if target.exists():
                target.rename(old)
            sub.rename(target)
            shutil.rmtree(old, ignore_errors=True)
    return sorted(written)


def sample_files(sample_dir: Path) -> list[tuple[Path, str | None]]:
    """The sample files init-db loads, with the contract each is loaded as (None: detect)."""
    out = []
    for pattern, contract in SAMPLE_LOADS:
        out += [(p, contract) for p in sorted(sample_dir.glob(pattern)) if p.is_file()]
    return out
