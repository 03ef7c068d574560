"""Daily job fixtures: a copy of the sample store with its own settings, a moto Athena server on
127.0.0.1 (query results queued through moto's /moto-api/static/athena/query-results) and a signed
admin endpoint."""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from analytics import store as store_module
from analytics.store import Store
from tests.api.conftest import copy_db, sample_db, write_config  # noqa: F401 - sample_db is a fixture here too
from tests.api.receiver import Receiver

SECRET = "daily-secret"
ACCOUNT, REGION = "123456789012", "us-east-1"


def daily_yaml(config: Path, **changes: object) -> None:
    """Write the test's daily.yaml (deep-merged over the project's)."""
    data = yaml.safe_load((config / "daily.yaml").read_text())
    for key, value in changes.items():
        data[key] = {**data[key], **value} if isinstance(value, dict) else value
    (config / "daily.yaml").write_text(yaml.safe_dump(data))


@pytest.fixture
def daily_env(sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict]:  # noqa: F811
    """A private copy of the sample store and of config/, set in the environment for this test."""
    db = copy_db(sample_db, tmp_path / "db")
    cfg = write_config(tmp_path)
    monkeypatch.setenv("RISKDESK_DB", str(db))
    monkeypatch.setenv("RISKDESK_CONFIG_DIR", str(cfg))
    monkeypatch.setenv("RISKDESK_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("RISKDESK_USERS_FILE", str(tmp_path / "no-users.yaml"))
    for name in ("RISKDESK_ATHENA_S3_STAGING_DIR", "RISKDESK_ATHENA_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    store_module.set_linger(0.25)  # as `daily` runs (config/daily.yaml store_linger_seconds)
    try:
        yield {"db": db, "config": cfg, "folder": tmp_path, "store": Store(db, lock_timeout=30),
               "alerts": tmp_path / "alerts.jsonl"}
    finally:
        store_module.set_linger(0)
        store_module.close_idle()


@pytest.fixture
def admin() -> Iterator[Receiver]:
    """The admin tool's notes endpoint: checks every signature, answers 200."""
    r = Receiver(secret=SECRET)
    yield r
    r.close()


class Athena:
    """A moto server standing in for Athena: queue results, read back the queries that reached it."""

    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer

        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.server.start()
        host, port = self.server.get_host_and_port()
        self.url = f"http://{host}:{port}"
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10):  # moto keeps state per process: start clean
            pass

    def queue(self, columns: list[tuple[str, str]], rows: list[list[str | None]]) -> None:
        """The next query's result: a header row and the rows (None: a NULL), as Athena answers."""
        def datum(value: str | None) -> dict:
            return {} if value is None else {"VarCharValue": value}

        result = {"column_info": [{"Name": n, "Label": n, "Type": t, "Nullable": "UNKNOWN", "CaseSensitive": False,
                                   "Precision": 0, "Scale": 0,
                                   "CatalogName": "hive", "SchemaName": "", "TableName": ""} for n, t in columns],
                  "rows": [{"Data": [datum(n) for n, _t in columns]}] + [{"Data": [datum(v) for v in r]} for r in rows]}
        body = json.dumps({"account_id": ACCOUNT, "region": REGION, "results": [result]}).encode()
        request = urllib.request.Request(f"{self.url}/moto-api/static/athena/query-results", data=body,
                                         method="POST", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as resp:
            assert resp.status == 201

    def executions(self) -> list[dict]:
        """Every query that reached the server, in order: its text and execution parameters."""
        import boto3

        client = boto3.client("athena", region_name=REGION, endpoint_url=self.url)
        ids = client.list_query_executions()["QueryExecutionIds"]
        out = [client.get_query_execution(QueryExecutionId=i)["QueryExecution"] for i in ids]
        return sorted(out, key=lambda e: e["Status"]["SubmissionDateTime"])

    def stop(self) -> None:
        self.server.stop()


@pytest.fixture
def athena(monkeypatch: pytest.MonkeyPatch) -> Iterator[Athena]:
    """A fresh moto Athena on 127.0.0.1, set as the daily job's Athena."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    server = Athena()
    monkeypatch.setenv("RISKDESK_ATHENA_ENDPOINT_URL", server.url)
    monkeypatch.setenv("RISKDESK_ATHENA_S3_STAGING_DIR", "s3://riskdesk-athena/results/")
    monkeypatch.setenv("RISKDESK_ATHENA_REGION", REGION)
    yield server
    server.stop()


def cli_env() -> dict[str, str]:
    """This test's environment for a `python -m analytics` child."""
    from tests.conftest import ROOT

    return {**os.environ, "PYTHONPATH": str(ROOT)}
