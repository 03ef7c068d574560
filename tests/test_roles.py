"""Each role on each action, in the code that acts: allowed roles get through, the others are
refused with PermissionDenied before anything is written."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from analytics import ingest, sqlbox
from analytics.data_commands import init_db
from analytics.errors import InputError, PermissionDenied
from analytics.identity import PERMISSIONS, ROLES, Actor
from analytics.notify import Notifier, NotifySettings
from analytics.settings import ROOT, sample_dir
from analytics.store import Store

HEADER = "event_time,user_id,username,event_type,amount,won,counterparty_id,device_id,cashout_id\n"
LOG = (
    "2024-02-13T21:01:04.792Z START RequestId: r1 Version: $LATEST\n"
    "2024-02-13T21:01:05.050Z 2024-02-13T21:01:05.050Z\tr1\tINFO\tStart syncing the balance {\n"
    "  transaction: {\n    id: 'T{n}',\n    type: 'DEBIT',\n    userId: 'u-roles',\n"
    "    paymentBalance: 5,\n    currency: 'BHD',\n    amount: 1,\n    oldBalance: 6,\n    newBalance: 5\n  }\n}\n"
    "2024-02-13T21:01:05.410Z END RequestId: r1\n"
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    """A store with every sample loaded and the workspaces' first results, on a private config copy."""
    folder = tmp_path_factory.mktemp("roles")
    config = folder / "config"
    shutil.copytree(ROOT / "config", config, ignore=shutil.ignore_patterns("users.yaml"))
    mp = pytest.MonkeyPatch()
    mp.setenv("RISKDESK_CONFIG_DIR", str(config))
    mp.setenv("RISKDESK_DB", str(folder / "r.duckdb"))
    store = Store(folder / "r.duckdb", lock_timeout=30)
    init_db(store, sample_dir(), Actor("setup", "admin"))
    yield store, folder
    mp.undo()


def counter():
    n = [0]

    def next_n() -> int:
        n[0] += 1
        return n[0]
    return next_n


UNIQUE = counter()


def _export(folder: Path) -> Path:
    n = UNIQUE()
    path = folder / f"roles_{n}.csv"
    rows = "".join(f"2023-09-{10 + i:02d}T10:00:00Z,ur{n},roles{n},game_end,0.5,true,,dr{n},\n" for i in range(6))
    path.write_text(HEADER + rows + f"2023-09-20T10:00:00Z,ur{n},roles{n},cashout,3,,,dr{n},cr{n}\n")
    return path


def _any_audit(store: Store) -> str:
    with store.connect() as con:
        return con.execute("SELECT audit_id FROM cashout_audits ORDER BY audited_at LIMIT 1").fetchone()[0]


def act_upload(store: Store, folder: Path, actor: Actor):
    path = folder / f"adhoc_{UNIQUE()}.csv"
    path.write_text("a,b\n1,2\n")
    return ingest.load_files(store, [(path, path.name)], actor)


def act_audit(store: Store, folder: Path, actor: Actor):
    from analytics.cashout import runs

    path = _export(folder)
    return runs.audit_files(store, [(path, path.name)], actor)


def act_decide(store: Store, folder: Path, actor: Actor):
    from analytics.cashout import review

    return review.record_decision(store, _any_audit(store), "escalate", f"roles {UNIQUE()}", actor)


def act_batch(store: Store, folder: Path, actor: Actor):
    from analytics.cashout import batch

    inbox, results = folder / f"inbox{UNIQUE()}", folder / "results"
    inbox.mkdir()
    shutil.copy(_export(folder), inbox / "one.csv")
    return batch.audit_batch(store, inbox, results, "roles", actor, day=dt.date(2026, 11, 23))


def act_logs(store: Store, folder: Path, actor: Actor):
    from analytics.overdraft import importer

    path = folder / f"roles_{UNIQUE()}.log"
    path.write_text(LOG.replace("{n}", str(UNIQUE())))
    return importer.load_logs(store, [(path, path.name)], actor, workers=1)


def act_log_alerts(store: Store, folder: Path, actor: Actor):
    from analytics.overdraft import alerts, settings

    notifier = Notifier(NotifySettings(backend="file", file_path=str(folder / "alerts.jsonl")))
    return alerts.send_alerts(store, settings.load(), actor, notifier=notifier)


def act_fraud_run(store: Store, folder: Path, actor: Actor):
    from analytics.fraud import pipeline

    notifier = Notifier(NotifySettings(backend="file", file_path=str(folder / "alerts.jsonl")))
    return pipeline.run(store, actor, out_dir=folder / f"fraud{UNIQUE()}", notifier=notifier)


def act_fraud_thresholds(store: Store, folder: Path, actor: Actor):
    from analytics.fraud import thresholds

    cfg, _version = thresholds.current(store, Actor("setup", "admin"))
    return thresholds.save(store, _bump(cfg.thresholds()), actor, "roles test")


def _bump(value):
    """A copy with the first number found (depth first) raised by one."""
    if isinstance(value, dict):
        out, done = {}, False
        for k, v in value.items():
            if not done and (isinstance(v, dict) or (isinstance(v, int | float) and not isinstance(v, bool))):
                bumped = _bump(v)
                done = bumped != v
                v = bumped
            out[k] = v
        return out
    return value + 1


def act_cohort_send(store: Store, folder: Path, actor: Actor):
    from analytics.fraud import send

    return send.send(store, actor)


def act_drops(store: Store, folder: Path, actor: Actor):
    from analytics.mules import configuration, lab

    cfg = configuration.with_overrides(configuration.load_drops(), seed=UNIQUE(), distributors=2,
                                       purchasers=1, legit_clients=5)
    return lab.generate(store, cfg, actor)


def act_rules(store: Store, folder: Path, actor: Actor):
    from analytics.rewards import rule_store

    return rule_store.set_active(store, "WEEKEND_FREE_SPINS", UNIQUE() % 2 == 0, actor)


def act_issue(store: Store, folder: Path, actor: Actor):
    from analytics.rewards import process, rules, settings

    cfg = settings.load_config()
    loaded = rules.load_rules_file(sample_dir() / "players" / "rules.json", cfg.formula)
    return process.run(store, loaded, cfg, actor, issue=True)


def act_wallet(store: Store, folder: Path, actor: Actor):
    from analytics.rewards import wallet

    return wallet.credit(store, "P0001", "LOYALTY_POINTS", 5, actor, key=f"roles-{UNIQUE()}")


def act_players(store: Store, folder: Path, actor: Actor):
    from analytics.rewards import players

    return players.set_active(store, "P0002", UNIQUE() % 2 == 0, actor)


def act_sql(store: Store, folder: Path, actor: Actor):
    return sqlbox.run_sql(store, "SELECT count(*) FROM players", actor)


def act_view_rewards(store: Store, folder: Path, actor: Actor):
    from analytics.rewards import process, rules, settings

    cfg = settings.load_config()
    loaded = rules.load_rules_file(sample_dir() / "players" / "rules.json", cfg.formula)
    return process.evaluate(store, loaded, cfg, actor)


ACTIONS: dict[str, tuple[str, Callable]] = {
    "load a file": ("data.upload", act_upload),
    "audit exports": ("audit.run", act_audit),
    "record a cashout decision": ("audit.decide", act_decide),
    "run a batch audit": ("audit.batch", act_batch),
    "import logs": ("logs.import", act_logs),
    "send overdraft alerts": ("logs.import", act_log_alerts),
    "run the fraud pipeline": ("fraud.run", act_fraud_run),
    "change fraud thresholds": ("fraud.thresholds", act_fraud_thresholds),
    "send the cohort": ("cohort.send", act_cohort_send),
    "simulate drops": ("drops.simulate", act_drops),
    "switch a reward rule": ("rules.edit", act_rules),
    "issue rewards": ("rewards.issue", act_issue),
    "credit a wallet": ("wallet.credit", act_wallet),
    "deactivate a player": ("players.edit", act_players),
    "use the SQL box": ("sql", act_sql),
    "evaluate reward rules": ("view", act_view_rewards),
}


def test_every_permission_is_exercised() -> None:
    used = {perm for perm, _ in ACTIONS.values()}
    assert used >= set(PERMISSIONS) - {"users.manage"}  # users are managed on the command line


def snapshot(store: Store) -> dict[str, int]:
    with store.connect() as con:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema='main' "
            "AND table_type='BASE TABLE'").fetchall()]
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(ACTIONS))
def test_role_on_action(world, name: str, role: str) -> None:
    store, folder = world
    permission, act = ACTIONS[name]
    actor = Actor(f"{role}-user", role)
    allowed = ROLES.index(role) >= ROLES.index(PERMISSIONS[permission])
    if allowed:
        try:
            act(store, folder, actor)
        except PermissionDenied as exc:  # pragma: no cover - the failure message says it all
            pytest.fail(f"{role} was refused {name}: {exc}")
        except InputError as exc:
            # allowed past the role check; only configuration is missing (e.g. no cohort endpoint)
            assert permission == "cohort.send", f"{name} as {role}: {exc}"
    else:
        before = snapshot(store)
        with pytest.raises(PermissionDenied, match=f"needs the {PERMISSIONS[permission]} role"):
            act(store, folder, actor)
        assert snapshot(store) == before, f"{name} wrote something for a refused {role}"
