"""audit-batch: results before archive, one batch per inbox, files parsed in parallel, never twice."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from pathlib import Path

import pytest

from analytics import ingest
from analytics.cashout import batch, runs
from analytics.errors import PermissionDenied, RiskdeskError
from analytics.identity import Actor
from tests.cashout.helpers import at, ev, export, games

DAY = dt.date(2023, 10, 2)


def one_cashout(folder: Path, name: str, user: str) -> Path:
    return export(folder, name, [*games(1, 5, 0.2, "true", user=user),
                                 ev(at(2), "cashout", 1, cashout_id=f"c-{user}", user=user)])


def test_nothing_is_archived_when_the_results_cannot_be_written(store, actor, tmp_path, monkeypatch) -> None:
    inbox, results = tmp_path / "inbox", tmp_path / "results"
    one_cashout(inbox, "a.csv", "u1")
    real = batch.atomic_write

    def broken(path: Path, data: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(batch, "atomic_write", broken)
    with pytest.raises(OSError, match="disk full"):
        batch.audit_batch(store, inbox, results, "jdoe", actor, DAY)
    assert (inbox / "a.csv").exists() and not (inbox / "10-02-2023").exists()
    monkeypatch.setattr(batch, "atomic_write", real)
    summary = batch.audit_batch(store, inbox, results, "jdoe", actor, DAY)   # the audit was stored: same id
    day = json.loads((results / "audit_jdoe_10-02-2023.json").read_text())
    assert [a["cashout_id"] for a in day["audits"]] == ["c-u1"] and summary["audited"] == ["a.csv"]
    assert (inbox / "10-02-2023" / "a.csv").exists() and not (inbox / "a.csv").exists()


def test_one_batch_at_a_time_per_inbox(store, actor, tmp_path, monkeypatch) -> None:
    inbox = tmp_path / "inbox"
    one_cashout(inbox, "a.csv", "u1")
    monkeypatch.setenv("RISKDESK_LOCK_TIMEOUT", "0.3")
    with batch.exclusive([inbox]), pytest.raises(RiskdeskError, match="another audit-batch is working on"):
        batch.audit_batch(store, inbox, tmp_path / "results", "jdoe", actor, DAY)
    assert (inbox / "a.csv").exists()
    assert not [p for p in inbox.iterdir() if p.name.startswith(".")]   # no lock file left behind


def test_files_are_parsed_two_at_a_time(store, actor, tmp_path, monkeypatch) -> None:
    files = [one_cashout(tmp_path, f"f{i}.csv", f"u{i}") for i in range(4)]
    running, most = 0, 0
    guard = threading.Lock()
    real = ingest.parse_any

    def slow_parse(*args, **kwargs):
        nonlocal running, most
        with guard:
            running += 1
            most = max(most, running)
        time.sleep(0.3)
        try:
            return real(*args, **kwargs)
        finally:
            with guard:
                running -= 1

    monkeypatch.setattr(ingest, "parse_any", slow_parse)
    run = runs.audit_files(store, [(f, f.name) for f in files], actor)
    assert most == 2   # the machine's two cores: two files parsed at once
    assert [len(f.audits) for f in run.files] == [1, 1, 1, 1]


def test_same_content_twice_in_one_run_is_audited_once(store, actor, tmp_path) -> None:
    first = one_cashout(tmp_path, "a.csv", "u1")
    copy = tmp_path / "copy_of_a.csv"
    copy.write_bytes(first.read_bytes())
    run = runs.audit_files(store, [(first, first.name), (copy, copy.name)], actor)
    assert len(run.audits) == 1 and [f.audits == run.audits for f in run.files] == [True, True]
    assert "same content as a.csv in this run; audited once" in run.files[1].warnings[0]


def test_archive_keeps_different_files_and_drops_exact_copies(tmp_path) -> None:
    folder = tmp_path / "10-02-2023"
    folder.mkdir()
    (folder / "a.csv").write_text("old")
    (tmp_path / "a.csv").write_text("new")
    assert batch.archive(tmp_path / "a.csv", folder).name == "a (2).csv"
    (tmp_path / "a.csv").write_text("old")
    assert batch.archive(tmp_path / "a.csv", folder).name == "a.csv"
    assert not (tmp_path / "a.csv").exists() and sorted(p.name for p in folder.iterdir()) == ["a (2).csv", "a.csv"]


def test_a_viewer_may_not_run_a_batch(store, tmp_path) -> None:
    (tmp_path / "inbox").mkdir()
    with pytest.raises(PermissionDenied):
        batch.audit_batch(store, tmp_path / "inbox", tmp_path / "r", "jdoe", Actor("v", "viewer"), DAY)


def test_a_damaged_results_file_is_never_overwritten(store, actor, tmp_path) -> None:
    inbox, results = tmp_path / "inbox", tmp_path / "results"
    one_cashout(inbox, "a.csv", "u1")
    results.mkdir()
    (results / "audit_jdoe_10-02-2023.json").write_text("{not json")
    with pytest.raises(RiskdeskError, match="the day's results cannot be read"):
        batch.audit_batch(store, inbox, results, "jdoe", actor, DAY)
    assert (results / "audit_jdoe_10-02-2023.json").read_text() == "{not json"
    assert (inbox / "a.csv").exists()
