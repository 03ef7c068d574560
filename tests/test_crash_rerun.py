"""Crashes: a batch audit or a log import killed (SIGKILL) at a random point, then run again.

Each case runs the real CLI in a subprocess, kills it after a random delay (seeded: the seed is
printed and `CRASH_SEED=n` replays it), runs it again (killing it again sometimes), and finally
lets it finish. Afterwards nothing is lost (every inbox file archived, every result present,
every earlier decision kept) and nothing is duplicated (one audit per cashout, one batch record
and one load per file, the same rows as one clean run).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analytics.cashout import review, runs
from analytics.cashout.batch import archive_target
from analytics.identity import Actor
from analytics.loaders import file_sha256
from analytics.store import Store
from tests.conftest import ROOT, write

pytestmark = pytest.mark.slow

SEED = int(os.environ.get("CRASH_SEED", random.SystemRandom().randrange(10**6)))
HEADER = "event_time,user_id,username,event_type,amount,won,counterparty_id,device_id,cashout_id\n"
DAY = "2023-10-02"
ARCHIVE = "10-02-2023"
LOG_SAMPLES = ROOT / "sample_data" / "lambda_logs"


def _env(db: Path) -> dict[str, str]:
    return dict(os.environ, RISKDESK_DB=str(db), PYTHONPATH=str(ROOT), RISKDESK_LOCK_TIMEOUT="60")


def _start(db: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "analytics", *args], cwd=ROOT, env=_env(db),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _kill_or_finish(db: Path, args: list[str], delay: float | None) -> str:
    """Run the command; SIGKILL it after `delay` seconds (None: let it end). What happened."""
    proc = _start(db, *args)
    try:
        proc.wait(timeout=delay if delay is not None else 300)
        err = proc.stderr.read() if proc.stderr else ""
        assert proc.returncode == 0, f"exit {proc.returncode}: {err}"
        return "finished"
    except subprocess.TimeoutExpired:
        if delay is None:
            proc.kill()
            raise
        os.killpg(proc.pid, signal.SIGKILL)  # the command and its worker processes, like a crash
        proc.wait(timeout=30)
        return f"killed after {delay:.2f} s"
    finally:
        if proc.stderr:
            proc.stderr.close()


def _timed(db: Path, args: list[str]) -> float:
    began = time.monotonic()
    assert _kill_or_finish(db, args, None) == "finished"
    return time.monotonic() - began


# -- batch audits --------------------------------------------------------------------------------
def _export(folder: Path, i: int) -> Path:
    """Player i: eight games (+1.00 x5, -0.50 x3 = 3.50 of value), then a 3.50 cashout."""
    user = f"u{i:03d}"
    rows = [f"2023-09-2{k % 8}T1{k}:00:00Z,{user},name{i:03d},game_end,"
            f"{'1.00,true' if k < 5 else '-0.50,false'},,d{i:03d},\n" for k in range(8)]
    rows.append(f"2023-09-29T09:00:00Z,{user},name{i:03d},cashout,3.50,,,d{i:03d},c{i:03d}\n")
    return write(folder / f"player{i:03d}_9292023.csv", HEADER + "".join(rows))


def test_a_killed_batch_audit_run_again_loses_nothing_and_duplicates_nothing(tmp_path: Path) -> None:
    print(f"CRASH_SEED={SEED}")
    rng = random.Random(SEED)
    files = 16
    clean_db = tmp_path / "clean" / "riskdesk.duckdb"
    clean_inbox, clean_results = tmp_path / "clean" / "inbox", tmp_path / "clean" / "results"
    for i in range(files):
        _export(clean_inbox, i)
    args = ["audit-batch", "--auditor", "jdoe", "--date", DAY]
    full = _timed(clean_db, [*args, "--inbox", str(clean_inbox), "--results", str(clean_results)])
    clean = json.loads((clean_results / f"audit_jdoe_{ARCHIVE}.json").read_text())

    for round_ in range(2):
        base = tmp_path / f"round{round_}"
        db, inbox, results = base / "riskdesk.duckdb", base / "inbox", base / "results"
        originals = {file_sha256(_export(inbox, i)): f"player{i:03d}_9292023.csv" for i in range(files)}
        # a decision recorded before the batch, on an audit of the first player's export
        store, actor = Store(db, lock_timeout=60), Actor("lead", "auditor")
        first = runs.audit_files(store, [(inbox / originals[next(iter(originals))], "early.csv")], actor)
        decided = review.record_decision(store, first.audits[0]["audit_id"], "approve", "paid early", actor)

        history = []
        for _ in range(rng.randint(1, 3)):
            history.append(_kill_or_finish(db, [*args, "--inbox", str(inbox), "--results", str(results)],
                                           rng.uniform(0.2, 1.0) * full))
            history[-1] += f" ({len(list(inbox.glob('*/*.csv')))} archived)"

        history.append(_kill_or_finish(db, [*args, "--inbox", str(inbox), "--results", str(results)], None))
        where = f"seed {SEED}, round {round_}: {history}"
        print(where)

        # no file lost: every original content is archived exactly once, the inbox holds no CSV
        archived = sorted((inbox / ARCHIVE).iterdir())
        assert sorted(file_sha256(p) for p in archived) == sorted(originals), where
        assert [p.name for p in inbox.iterdir() if p.is_file()] == [], where
        assert [p.name for p in (*inbox.rglob(".*"), *results.rglob(".*"))] == [], where  # no temp files
        # every result there once, the same audits as a clean run
        day = json.loads((results / f"audit_jdoe_{ARCHIVE}.json").read_text())
        assert sorted(a["cashout_id"] for a in day["audits"]) == [f"c{i:03d}" for i in range(files)], where
        assert [(a["cashout_id"], a["verdict"], a["amount"], a["reasons"]) for a in day["audits"]] == [
            (a["cashout_id"], a["verdict"], a["amount"], a["reasons"]) for a in clean["audits"]], where
        assert day["failed"] == [], where
        with store.connect() as con:
            audits = con.execute("SELECT count(*), count(DISTINCT cashout_id) FROM cashout_audits").fetchone()
            batch_rows = con.execute("SELECT count(*), count(DISTINCT file_id) FROM cashout_batch_files"
                                     ).fetchone()
            loads = con.execute("SELECT count(*), count(DISTINCT file_id) FROM loaded_files").fetchone()
            decisions = con.execute("SELECT audit_id, decision, comment FROM cashout_decisions").fetchall()
        assert audits == (files, files), where
        assert batch_rows == (files, files), where
        assert loads == (files, files), where  # 'early.csv' is the first export's content: loaded once
        assert decisions == [(decided["audit_id"], "approve", "paid early")], where
        # a last run finds nothing to do and audits nothing again
        again = subprocess.run([sys.executable, "-m", "analytics", *args, "--inbox", str(inbox),
                                "--results", str(results), "--format", "json"], cwd=ROOT, env=_env(db),
                               capture_output=True, text=True, timeout=120)
        assert again.returncode == 0 and json.loads(again.stdout)["audited"] == [], where


def test_a_crash_while_archiving_leaves_files_the_next_run_archives_without_auditing(
        store, actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from analytics.cashout import batch

    inbox, results = tmp_path / "inbox", tmp_path / "results"
    for i in range(3):
        _export(inbox, i)
    real, moves = batch.archive, []

    def dies_on_the_second(path: Path, folder: Path) -> Path:
        moves.append(path.name)
        if len(moves) == 2:
            raise KeyboardInterrupt("killed")
        return real(path, folder)

    monkeypatch.setattr(batch, "archive", dies_on_the_second)
    with pytest.raises(KeyboardInterrupt):
        batch.audit_batch(store, inbox, results, "jdoe", actor, dt.date(2023, 10, 2))
    monkeypatch.setattr(batch, "archive", real)
    # one file moved, two still in the inbox, all three already recorded as audited by the batch
    assert sorted(p.name for p in inbox.glob("*.csv")) == ["player001_9292023.csv", "player002_9292023.csv"]
    summary = batch.audit_batch(store, inbox, results, "jdoe", actor, dt.date(2023, 10, 2))
    assert summary["audited"] == [] and len(summary["skipped"]) == 2
    assert sorted(p.name for p in (inbox / ARCHIVE).iterdir()) == [f"player00{i}_9292023.csv" for i in range(3)]
    with store.connect() as con:
        assert con.execute("SELECT count(*) FROM cashout_audits").fetchone()[0] == 3
        assert con.execute("SELECT count(*) FROM cashout_batch_files").fetchone()[0] == 3


def test_archive_target_names_the_file_archive_will_write(tmp_path: Path) -> None:
    folder = tmp_path / "done"
    write(folder / "a.csv", "other")
    write(tmp_path / "a.csv", "mine")
    assert archive_target(tmp_path / "a.csv", folder).name == "a (2).csv"   # a different a.csv is there
    write(folder / "a (2).csv", "mine")
    assert archive_target(tmp_path / "a.csv", folder).name == "a (2).csv"   # the same content is there


# -- log imports ---------------------------------------------------------------------------------
UUID_HEAD = re.compile(r"\b[0-9a-f]{8}-(?=[0-9a-f]{4}-)")


def _log_files(folder: Path, copies: int) -> list[Path]:
    """The sample logs, `copies` times over with new subscribers and requests in each copy."""
    texts = []
    for path in sorted(LOG_SAMPLES.iterdir()):
        data = path.read_bytes()
        texts.append((path.name.removesuffix(".gz"), gzip.decompress(data) if path.suffix == ".gz" else data))
    out = []
    for n in range(copies):
        for name, data in texts:
            text = UUID_HEAD.sub(f"{n:08x}-", data.decode("utf-8"))
            out.append(write(folder / f"copy{n:02d}_{name}", text))
    return out


def _log_state(db: Path) -> dict:
    with Store(db, lock_timeout=60).connect() as con:
        return {
            "loaded": con.execute("SELECT count(*), count(DISTINCT file_id) FROM loaded_files").fetchone(),
            "transactions": con.execute("SELECT count(*), count(DISTINCT (id, source_file)) "
                                        "FROM lambda_transactions").fetchone(),
            "errors": con.execute("SELECT count(*) FROM lambda_errors").fetchone()[0],
        }


def test_a_killed_log_import_run_again_loses_nothing_and_duplicates_nothing(tmp_path: Path) -> None:
    print(f"CRASH_SEED={SEED}")
    rng = random.Random(SEED + 1)
    logs = tmp_path / "logs"
    files = _log_files(logs, copies=2)
    clean_db, clean_out = tmp_path / "clean" / "riskdesk.duckdb", tmp_path / "clean" / "out"
    full = _timed(clean_db, ["logs", str(logs), "--out", str(clean_out)])
    clean = _log_state(clean_db)
    assert clean["loaded"] == (len(files), len(files)) and clean["transactions"][0] > 0

    for round_ in range(2):
        db, out = tmp_path / f"round{round_}" / "riskdesk.duckdb", tmp_path / f"round{round_}" / "out"
        history = []
        for _ in range(rng.randint(1, 3)):
            history.append(_kill_or_finish(db, ["logs", str(logs), "--out", str(out)],
                                           rng.uniform(0.2, 1.0) * full))
            history[-1] += f" ({_log_state(db)['loaded'][0] if db.exists() else 0} files loaded)"

        history.append(_kill_or_finish(db, ["logs", str(logs), "--out", str(out)], None))
        where = f"seed {SEED}, round {round_}: {history}"
        print(where)
        assert _log_state(db) == clean, where  # every file once, the same rows as one clean run
        assert all(p.exists() for p in files), where  # the inputs are never touched
        for name in ("transactions.csv", "errors.csv", "at_risk.csv"):
            assert (out / name).read_bytes() == (clean_out / name).read_bytes(), (name, where)
        assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [], where
