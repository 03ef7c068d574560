"""Kill a batch audit or a log import at a random point, run it again: nothing lost, nothing twice.

Each iteration starts from fresh copies of the inputs and a fresh store, starts the command, kills
its whole process group with SIGKILL after a random delay, checks what the kill left (no input
file gone, no decision changed, results files whole), runs the command again to the end and
compares everything with a reference run that was never killed. The delays are stratified over
the reference run's length, so the kills land early, midway and late. They come from a seeded
RNG whose seed is printed: RISKDESK_CRASH_SEED=<seed> replays a failure.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import itertools
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from analytics.cashout import review, runs
from analytics.identity import Actor
from analytics.samples import cashout as cashout_samples
from analytics.settings import sample_dir
from analytics.store import Store
from tests.conftest import ROOT

pytestmark = pytest.mark.slow

SEED = int(os.environ.get("RISKDESK_CRASH_SEED") or random.SystemRandom().randrange(2**32))
ITERATIONS = 4
DAY = dt.date(2023, 10, 2)
STAMP = "10-02-2023"
LIVEOPS = Actor("liveops-lead", "auditor")
AUDITED_AT = re.compile(r"at \d{4}-\d\d-\d\d \d\d:\d\d UTC")   # when an audit was made differs from run to run


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Outcome:
    killed: bool
    seconds: float
    returncode: int | None
    appeared: float | None = None   # when the watched output appeared (s after the start)


@dataclass
class Kill:
    """SIGKILL `delay` seconds after the start, or after the watched output appeared (`late`)."""

    delay: float
    late: bool

    def __str__(self) -> str:
        return f"{self.delay:.2f} s after {'its output appeared' if self.late else 'the start'}"


def run_cli(args: list[str], env: dict[str, str], logs: Path, watch: Path, kill: Kill | None = None
            ) -> Outcome:
    """`python -m analytics ARGS` in its own process group, noting when `watch` appears (the run's
    last phase: results written, exports); SIGKILL of the whole group as `kill` says."""
    logs.mkdir(parents=True, exist_ok=True)
    with open(logs / "stdout", "ab") as out, open(logs / "stderr", "ab") as err:
        start = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "analytics", *args], cwd=ROOT, env=env,
                                stdout=out, stderr=err, start_new_session=True)
        appeared = deadline = None
        if kill is not None and not kill.late:
            deadline = start + kill.delay
        while proc.poll() is None:
            now = time.monotonic()
            if appeared is None and watch.exists():
                appeared = now - start
                if kill is not None and kill.late:
                    deadline = now + kill.delay
            if deadline is not None and now >= deadline:
                os.killpg(proc.pid, signal.SIGKILL)   # the command and its parser processes at once
                proc.wait()
                return Outcome(True, now - start, None, appeared)
            assert now - start < 120, f"{args[0]} still running after 120 s"
            time.sleep(0.005)
    return Outcome(False, time.monotonic() - start, proc.returncode, appeared)


def kill_points(rng: random.Random, reference: Outcome, n: int) -> list[Kill]:
    """n kills, alternately during the work (from a quarter of the time the reference run took to
    write its output, before which Python is still importing, to that time) and during the last
    phase (from the output's appearance to the end of the run); each phase's kills drawn one per
    equal band of it."""
    assert reference.appeared is not None, "the reference run wrote no output"
    phases = [(0.25 * reference.appeared, reference.appeared), (0.0, reference.seconds - reference.appeared)]
    kills = []
    for i in range(n):
        lo, hi = phases[i % 2]
        bands = (n - i % 2 + 1) // 2
        kills.append(Kill(lo + (hi - lo) / bands * (i // 2 + rng.random()), late=i % 2 == 1))
    return kills


def env_for(folder: Path, config: Path | None = None) -> dict[str, str]:
    env = dict(os.environ, RISKDESK_DB=str(folder / "riskdesk.duckdb"), PYTHONPATH=str(ROOT),
               RISKDESK_LOCK_TIMEOUT="60")
    if config is not None:
        env["RISKDESK_CONFIG_DIR"] = str(config)
    return env


def differences(got: dict, want: dict) -> dict:
    """What differs between two states, item by item (lists: what is extra and what is missing)."""
    out = {}
    for key in want:
        a, b = got.get(key), want[key]
        if a == b:
            continue
        if isinstance(a, list) and isinstance(b, list):
            extra = [x for x in a if x not in b] or (Counter(map(repr, a)) - Counter(map(repr, b)))
            missing = [x for x in b if x not in a] or (Counter(map(repr, b)) - Counter(map(repr, a)))
            out[key] = {"extra": extra, "missing": missing}
        else:
            out[key] = {"got": a, "want": b}
    return out


def test_kill_points_are_stratified_and_reproducible() -> None:
    # a reference run of 8 s whose output appeared at 6 s: the work phase is 0.25 * 6 = 1.5 s to 6 s
    # after the start (two bands of 2.25 s), the last phase 0 s to 8 - 6 = 2 s after the output
    # appeared (two bands of 1 s)
    reference = Outcome(False, 8.0, 0, appeared=6.0)
    kills = kill_points(random.Random(7), reference, 4)
    assert kills == kill_points(random.Random(7), reference, 4)
    assert [k.late for k in kills] == [False, True, False, True]
    bands = [(1.5, 3.75), (0, 1), (3.75, 6), (1, 2)]
    assert all(lo <= k.delay < hi for k, (lo, hi) in zip(kills, bands, strict=True))


# -- audit-batch ------------------------------------------------------------------------------
def cashout_inputs(folder: Path) -> list[Path]:
    """Forty exports (the sample generator with four seeds: liveops CSVs and raw exports)."""
    folder.mkdir(parents=True)
    paths = []
    for seed in range(4):
        for name, text in cashout_samples.build(random.Random(1000 + seed)).items():
            paths.append(folder / f"s{seed}_{Path(name).name}")
            paths[-1].write_text(text, encoding="utf-8")
    return sorted(paths)


def decide_before(store: Store, export: Path) -> list[tuple]:
    """Audit one export the way the page does and record decisions on its cashouts (before any batch)."""
    run = runs.audit_files(store, [(export, export.name)], LIVEOPS)
    for audit, choice in zip(run.audits, ("approve", "escalate", "reject"), strict=False):
        review.record_decision(store, audit["audit_id"], choice, f"{choice} before the batch", LIVEOPS)
    return decisions(store)


def decisions(store: Store) -> list[tuple]:
    with store.connect() as con:
        return con.execute("SELECT decision_id, audit_id, cashout_id, decision, comment, decided_by, "
                           "decided_at FROM cashout_decisions ORDER BY decision_id").fetchall()


def archived(inbox: Path) -> list[tuple[str, str]]:
    folder = inbox / STAMP
    return sorted((p.name, sha(p)) for p in folder.iterdir()) if folder.is_dir() else []


def batch_state(work: Path) -> dict:
    """Everything a batch produced: archive, inbox, results files and the stored rows."""
    inbox, results = work / "inbox", work / "results"
    day = json.loads((results / f"audit_crash_{STAMP}.json").read_text(encoding="utf-8"))
    with Store(work / "riskdesk.duckdb").connect() as con:
        audits = con.execute("SELECT cashout_id, source_file, count(*) FROM cashout_audits "
                             "GROUP BY ALL ORDER BY ALL").fetchall()
        loaded = con.execute("SELECT file_id, count(*) FROM loaded_files GROUP BY ALL ORDER BY ALL").fetchall()
        events = con.execute("SELECT source_file, count(*) FROM cashout_events GROUP BY ALL ORDER BY ALL"
                             ).fetchall()
        batched = con.execute("SELECT file_name, archived_to, count(*) OVER (PARTITION BY file_id) "
                              "FROM cashout_batch_files ORDER BY ALL").fetchall()
    return {
        "archive": archived(inbox),
        "left in the inbox": sorted(p.name for p in inbox.iterdir() if p.is_file()),
        "results audits": [(a["audit_id"], a["cashout_id"], a["verdict"], [r["code"] for r in a["reasons"]])
                           for a in day["audits"]],
        "results failed": day["failed"], "results skipped": day["skipped"],
        "results text": AUDITED_AT.sub("at <audit time>", (results / f"audit_crash_{STAMP}.txt").read_text()),
        "results folder": sorted(p.name for p in results.iterdir()),
        "audits": audits, "loaded files": loaded, "events per file": events,
        "batch files": [(name, Path(to).relative_to(work).as_posix(), n) for name, to, n in batched],
    }


def after_batch_kill(work: Path, originals: dict[str, str], before: list[tuple]) -> str:
    """What a killed batch must never leave: a file gone or doubled, a changed decision, a torn result."""
    inbox = work / "inbox"
    where = Counter(sha(p) for p in inbox.iterdir() if p.is_file())
    where.update(s for _, s in archived(inbox))
    assert where == Counter(originals.values()), "an input file was lost or doubled"
    assert decisions(Store(work / "riskdesk.duckdb")) == before, "a decision changed"
    day = work / "results" / f"audit_crash_{STAMP}.json"
    if day.exists():   # written atomically: whole or absent
        ids = [a["audit_id"] for a in json.loads(day.read_text(encoding="utf-8"))["audits"]]
        assert len(ids) == len(set(ids))
    with Store(work / "riskdesk.duckdb").connect() as con:
        stored = con.execute("SELECT count(*) FROM cashout_audits").fetchone()[0]
    return (f"{stored} audits stored, results {'written' if day.exists() else 'not written'}, "
            f"{len(archived(inbox))}/{len(originals)} archived")


def test_killed_batch_audit_runs_again_without_loss_or_duplicates(tmp_path: Path) -> None:
    print(f"\ncrash test seed {SEED} (RISKDESK_CRASH_SEED={SEED} replays it)")
    rng = random.Random(SEED)
    inputs = cashout_inputs(tmp_path / "inputs")
    originals = {p.name: sha(p) for p in inputs}
    args = ["audit-batch", "--inbox", "{w}/inbox", "--results", "{w}/results", "--auditor", "crash",
            "--date", DAY.isoformat(), "--format", "json"]

    def prepare(work: Path) -> list[tuple]:
        shutil.copytree(tmp_path / "inputs", work / "inbox")
        return decide_before(Store(work / "riskdesk.duckdb"), work / "inbox" / "s0_marlowe_9302023.csv")

    ref = tmp_path / "reference"
    prepare(ref)
    done = run_cli([a.format(w=ref) for a in args], env_for(ref), ref / "logs",
                   ref / "results" / f"audit_crash_{STAMP}.json")
    assert done.returncode == 0, (ref / "logs" / "stderr").read_text()
    expected = batch_state(ref)
    assert expected["left in the inbox"] == [] and len(expected["archive"]) == len(inputs)

    for i, kill in enumerate(kill_points(rng, done, ITERATIONS)):
        work = tmp_path / f"run{i}"
        before = prepare(work)
        assert len(before) == 2   # marlowe's export holds two cashouts: approve and escalate
        results = work / "results" / f"audit_crash_{STAMP}.json"
        killed = run_cli([a.format(w=work) for a in args], env_for(work), work / "logs", results, kill)
        left = after_batch_kill(work, originals, before) if killed.killed else "finished before the kill"
        print(f"batch {i}: killed {kill} (reference run {done.seconds:.2f} s, results at "
              f"{done.appeared:.2f} s): {left}")
        again = run_cli([a.format(w=work) for a in args], env_for(work), work / "logs", results)
        assert again.returncode == 0, (work / "logs" / "stderr").read_text()
        state = batch_state(work)
        assert decisions(Store(work / "riskdesk.duckdb")) == before
        assert state == expected, differences(state, expected)


def test_a_batch_killed_between_its_record_and_its_moves_finishes_them_quietly(
        store, actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The narrowest window, made to happen: contents recorded as batch-audited, files not moved."""
    from analytics.cashout import batch

    inbox, results = tmp_path / "inbox", tmp_path / "results"
    inputs = cashout_inputs(inbox)[:3]
    for extra in set(inbox.iterdir()) - set(inputs):
        extra.unlink()

    def killed(*args, **kwargs):
        raise SystemExit(-9)   # stands for the kill: nothing after this point runs

    monkeypatch.setattr(batch, "archive", killed)
    with pytest.raises(SystemExit):
        batch.audit_batch(store, inbox, results, "crash", actor, DAY)
    monkeypatch.undo()
    first = json.loads((results / f"audit_crash_{STAMP}.json").read_text())
    assert sorted(p.name for p in inbox.iterdir() if p.is_file()) == [p.name for p in inputs]

    summary = batch.audit_batch(store, inbox, results, "crash", actor, DAY)
    day = json.loads((results / f"audit_crash_{STAMP}.json").read_text())
    assert summary["audited"] == [] and summary["skipped"] == []   # nothing audited again, nothing "skipped"
    assert day == first   # the results the killed run wrote are the day's results
    assert sorted(Path(p).name for p in summary["archived"]) == [p.name for p in inputs]
    assert [p.name for p in inbox.iterdir() if p.is_file()] == []
    with store.connect() as con:
        assert con.execute("SELECT count(*), count(DISTINCT file_id) FROM cashout_batch_files").fetchone() == (3, 3)


# -- logs ------------------------------------------------------------------------------------
def log_inputs(folder: Path, parts: int = 6) -> list[Path]:
    """The sample Lambda logs split at request starts into `parts` files each (the .gz stays gzip)."""
    folder.mkdir(parents=True)
    out = []
    for source in sorted((sample_dir() / "lambda_logs").iterdir()):
        zipped = source.name.endswith(".gz")
        lines = (gzip.decompress(source.read_bytes()) if zipped else source.read_bytes()).splitlines(True)
        starts = [i for i, line in enumerate(lines) if b" START RequestId: " in line]
        cuts = [0, *(starts[len(starts) * k // parts] for k in range(1, parts)), len(lines)]
        stem = source.name.removesuffix(".gz").removesuffix(".log")
        for k, (a, b) in enumerate(itertools.pairwise(cuts)):
            data = b"".join(lines[a:b])
            path = folder / f"{stem}.part{k}.log{'.gz' if zipped else ''}"
            path.write_bytes(gzip.compress(data, mtime=0) if zipped else data)
            out.append(path)
    return out


def log_config(folder: Path, alerts: Path) -> Path:
    """The project's settings, with alerts going to a file of this run."""
    config = folder / "config"
    shutil.copytree(ROOT / "config", config)
    (config / "notify.yaml").write_text(f"backend: file\nfile_path: {alerts}\n", encoding="utf-8")
    return config


def logs_state(work: Path, report: dict) -> dict:
    with Store(work / "riskdesk.duckdb").connect() as con:
        loaded = con.execute("SELECT file_name, count(*) FROM loaded_files GROUP BY ALL ORDER BY ALL").fetchall()
        tx = con.execute("SELECT source_file, count(*), count(DISTINCT (request_id, message_id, id, date_time)) "
                         "FROM lambda_transactions GROUP BY ALL ORDER BY ALL").fetchall()
        errors = con.execute("SELECT count(*) FROM lambda_errors").fetchone()[0]
        sent = con.execute("SELECT alert_key, count(*) FROM alerts_sent GROUP BY ALL ORDER BY ALL").fetchall()
    lines = (work / "alerts.jsonl").read_text(encoding="utf-8").splitlines()
    return {
        "loaded files": loaded, "transactions per file": tx, "errors": errors, "alerts recorded": sent,
        "alerts delivered": sorted(Counter(json.loads(line)["key"] for line in lines).items()),
        "csvs": {p.name: p.read_text(encoding="utf-8") for p in sorted((work / "out").iterdir())
                 if not p.name.startswith(".")},
        "report": {k: v for k, v in report.items() if k != "alerts"},
    }


def after_logs_kill(work: Path, originals: dict[str, str]) -> str:
    """A killed import never touches its inputs and never half-loads a file or doubles an alert."""
    assert {p.name: sha(p) for p in (work / "logs_in").iterdir()} == originals
    with Store(work / "riskdesk.duckdb").connect() as con:
        files = con.execute("SELECT count(*), count(DISTINCT file_id) FROM loaded_files").fetchone()
        partial = con.execute(
            "SELECT count(*) FROM lambda_log_files f WHERE f.transactions <> (SELECT count(*) "
            "FROM lambda_transactions t WHERE t.source_file = f.source_file)").fetchone()[0]
    assert files[0] == files[1] and partial == 0   # each file loaded whole, once
    alerts = work / "alerts.jsonl"
    keys = [json.loads(line)["key"] for line in alerts.read_text().splitlines()] if alerts.exists() else []
    assert len(keys) == len(set(keys))
    return f"{files[0]}/{len(originals)} files loaded, {len(keys)} alerts delivered"


def test_killed_log_import_runs_again_without_loss_or_duplicates(tmp_path: Path) -> None:
    print(f"\ncrash test seed {SEED} (RISKDESK_CRASH_SEED={SEED} replays it)")
    rng = random.Random(SEED + 1)
    inputs = log_inputs(tmp_path / "inputs")
    originals = {p.name: sha(p) for p in inputs}

    def start(work: Path, kill: Kill | None = None) -> Outcome:
        if not (work / "logs_in").exists():
            shutil.copytree(tmp_path / "inputs", work / "logs_in")
        config = work / "config" if (work / "config").exists() else log_config(work, work / "alerts.jsonl")
        args = ["logs", str(work / "logs_in"), "--out", str(work / "out"), "--alert", "--format", "json"]
        return run_cli(args, env_for(work, config), work / "logs", work / "out", kill)

    ref = tmp_path / "reference"
    done = start(ref)
    assert done.returncode == 0, (ref / "logs" / "stderr").read_text()
    expected = logs_state(ref, json.loads((ref / "logs" / "stdout").read_text()))
    assert len(expected["loaded files"]) == len(inputs) and expected["alerts delivered"]

    for i, kill in enumerate(kill_points(rng, done, ITERATIONS)):
        work = tmp_path / f"run{i}"
        killed = start(work, kill)
        left = after_logs_kill(work, originals) if killed.killed else "finished before the kill"
        print(f"logs {i}: killed {kill} (reference run {done.seconds:.2f} s, exports from "
              f"{done.appeared:.2f} s): {left}")
        (work / "logs" / "stdout").unlink(missing_ok=True)
        again = start(work)
        assert again.returncode == 0, (work / "logs" / "stderr").read_text()
        state = logs_state(work, json.loads((work / "logs" / "stdout").read_text()))
        assert state == expected, differences(state, expected)
