"""Process settings read from environment variables, with the embedded defaults."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "data" / "riskdesk.duckdb"


def db_path() -> Path:
    """The DuckDB file: RISKDESK_DB, else data/riskdesk.duckdb under the project."""
    return Path(os.environ.get("RISKDESK_DB") or DEFAULT_DB).expanduser().resolve()


def lock_timeout() -> float:
    """Seconds a process waits for the store before failing busy (RISKDESK_LOCK_TIMEOUT, 30)."""
    raw = os.environ.get("RISKDESK_LOCK_TIMEOUT", "30")
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value <= 0:
        from analytics.errors import ConfigError

        raise ConfigError(f"RISKDESK_LOCK_TIMEOUT must be a positive number of seconds, got {raw!r}")
    return value


def config_dir() -> Path:
    """Folder of the YAML settings: RISKDESK_CONFIG_DIR, else config/ under the project."""
    return Path(os.environ.get("RISKDESK_CONFIG_DIR") or ROOT / "config").expanduser().resolve()


def queries_dir() -> Path:
    """Folder of the SQL files."""
    return ROOT / "queries"


def sample_dir() -> Path:
    """Folder of the committed sample inputs."""
    return ROOT / "sample_data"


def max_upload_bytes() -> int:
    """Largest upload accepted (RISKDESK_MAX_UPLOAD_MB, default 200 MB)."""
    raw = os.environ.get("RISKDESK_MAX_UPLOAD_MB", "200")
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value <= 0:
        from analytics.errors import ConfigError

        raise ConfigError(f"RISKDESK_MAX_UPLOAD_MB must be a positive number, got {raw!r}")
    return int(value * 1024 * 1024)
