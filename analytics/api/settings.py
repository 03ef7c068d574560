"""config/api.yaml: where the API listens and the limits it keeps."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from analytics import config
from analytics.store import MAX_LINGER


class ApiSettings(BaseModel):
    """The API's settings (defaults when the file is absent)."""

    model_config = ConfigDict(extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    store_linger_seconds: float = Field(default=0.25, ge=0, le=MAX_LINGER)
    read_cache_seconds: float = Field(default=300, ge=0, le=3600)
    drops_max_clients: int = Field(default=20_000, ge=1)
    drops_max_window_days: float = Field(default=366, gt=0)


def load() -> ApiSettings:
    """config/api.yaml as validated settings (errors name the key)."""
    path = config.config_path("api")
    return config.load("api", ApiSettings) if path.exists() else ApiSettings()
