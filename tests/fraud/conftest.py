"""Fraud tests: settings in a temporary folder (alerts to a file there), hand-made events."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analytics.contracts import GAME_EVENTS
from analytics.fraud import detect, settings
from analytics.fraud.settings import FraudSettings
from analytics.store import Store

INSTALL = "2025-06-01T00:00:00"


@pytest.fixture(autouse=True)
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_path: Path) -> Path:
    """A config folder and a database of the test's own: default fraud.yaml, alerts to a file there."""
    folder = tmp_path / "config"
    folder.mkdir()
    (folder / "notify.yaml").write_text(f"backend: file\nfile_path: {folder / 'alerts.jsonl'}\n")
    monkeypatch.setenv("RISKDESK_CONFIG_DIR", str(folder))
    settings.save(FraudSettings())
    return folder


def ev(
    pid: str,
    time: str,
    name: str = "session_start",
    platform: str = "web",
    install: str = INSTALL,
    **cols: object,
) -> dict:
    """One event row (contract columns; unspecified optional columns blank)."""
    row = {c: None for c in GAME_EVENTS.names}
    row.update(distinct_id=pid, event_time=time, event_name=name, platform=platform, install_time=install)
    pay = {"ios": "apple", "android": "googleplay", "web": "stash"}[platform]
    if name.startswith("purchase_") and "payment_platform" not in cols:
        row["payment_platform"] = pay
    row.update(cols)
    return row


def late_android_penny(pid: str = "c") -> dict:
    """An android player installed after 2025-04-17 with one 0.01 purchase: flag 3 only, which the
    rules keep out of the fraudsters table."""
    return ev(
        pid,
        "2025-06-05T10:00:00",
        "purchase_success",
        "android",
        install="2025-05-01T00:00:00",
        price_usd=0.01,
        google_order_number="G1",
    )


def insert_events(store: Store, rows: list[dict]) -> None:
    """Put rows straight into game_events (the loaders have their own tests)."""
    frame = pd.DataFrame(rows, columns=GAME_EVENTS.names)
    for col in ("event_time", "install_time"):
        frame[col] = pd.to_datetime(frame[col])
    frame["source_file"] = "test"
    with store.connect() as con:
        con.register("rows_frame", frame)
        con.execute("INSERT INTO game_events BY NAME SELECT * FROM rows_frame")
        con.unregister("rows_frame")


def flagged(store: Store, cfg: FraudSettings | None = None, until=detect.FAR_FUTURE) -> dict[int, set[str]]:
    """Pattern number -> players flagged, by the SQL files."""
    cfg = cfg or FraudSettings()
    with store.connect() as con:
        detect.detect(con, cfg, until)
        rows = con.execute(f"SELECT DISTINCT pattern, distinct_id FROM {detect.HITS}").fetchall()
        detect.drop(con)
    out: dict[int, set[str]] = {n: set() for n in range(1, 16)}
    for pattern, pid in rows:
        out[pattern].add(pid)
    return out


def evidence(store: Store, pattern: int, cfg: FraudSettings | None = None) -> pd.DataFrame:
    """The evidence rows one pattern returns."""
    cfg = cfg or FraudSettings()
    with store.connect() as con:
        detect.detect(con, cfg, detect.FAR_FUTURE)
        frame = con.execute(
            f"SELECT * FROM {detect.HITS} WHERE pattern = ? ORDER BY distinct_id, event_time", [pattern]
        ).df()
        detect.drop(con)
    return frame
