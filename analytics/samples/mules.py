"""Sample data for the mule lab (contract: drops.md): a small run of the default settings.

`generate(out_dir)` writes `out_dir/mules/`: the settings used (drops.yaml: the contract's
example with fewer clients over one month), and the run's transactions.csv and accounts.csv,
byte-identical on every run. `init-db` stores this run (analytics/mules/samples_hook.py).
"""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from analytics.mules import output
from analytics.mules.configuration import DropsConfig, from_mapping
from analytics.mules.runner import Runner

FOLDER = "mules"
# The contract's example settings (contracts/drops.md), as in config/drops.yaml.
CONTRACT_EXAMPLE = {
    "seed": 42,
    "start": "2025-01-01T00:00:00Z",
    "end": "2025-04-01T00:00:00Z",
    "legit_clients": 2000,
    "distributor": {
        "count": 150,
        "limits": {"period_in": 2, "period_out": 8, "total_in": 10, "total_out": 40},
        "gap_minutes": [30, 180],
        "pause_hours": [20, 48],
        "jitter_minutes": [-60, 60],
        "attempts": [0, 3],
        "inbound_amount": [500, 5000],
        "parts": [2, 5],
        "scenarios": {
            "split_transfers": 0.4,
            "single_transfer": 0.2,
            "full_withdrawal": 0.2,
            "partial_withdrawal": 0.2,
        },
        "crypto_share": 0.15,
        "in_bank_share": 0.3,
    },
    "purchaser": {
        "count": 80,
        "limits": {"period_in": 2, "period_out": 6, "total_in": 8, "total_out": 30},
        "gap_minutes": [20, 120],
        "pause_hours": [20, 48],
        "jitter_minutes": [-60, 60],
        "attempts": [0, 2],
        "inbound_amount": [300, 3000],
        "parts": [2, 4],
        "scenarios": {"single_purchase": 0.5, "split_purchases": 0.5},
    },
}
SAMPLE_CHANGES = {"end": "2025-02-01T00:00:00Z", "legit_clients": 60, "distributors": 12, "purchasers": 6}


def sample_mapping() -> dict:
    """The sample's settings: the contract's example with fewer clients over January 2025."""
    data = copy.deepcopy(CONTRACT_EXAMPLE)
    data["end"] = SAMPLE_CHANGES["end"]
    data["legit_clients"] = SAMPLE_CHANGES["legit_clients"]
    data["distributor"]["count"] = SAMPLE_CHANGES["distributors"]
    data["purchaser"]["count"] = SAMPLE_CHANGES["purchasers"]
    return data


def sample_config() -> DropsConfig:
    """The sample's settings, validated."""
    return from_mapping(sample_mapping(), "mule lab sample settings")


def generate(out_dir: Path) -> list[Path]:
    """Write the mule lab's sample files under out_dir/mules; return their paths sorted."""
    folder = Path(out_dir) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    result = Runner(sample_config()).run()
    header = b"# The settings of the mule lab's sample run (python -m analytics sample-data writes it).\n"
    files = {
        "drops.yaml": header + yaml.safe_dump(sample_mapping(), sort_keys=False).encode(),
        **output.run_files(result, parquet=False),
    }
    for name, data in files.items():  # write_all stages the folder and swaps it in whole
        (folder / name).write_bytes(data)
    return sorted(folder / name for name in files)
