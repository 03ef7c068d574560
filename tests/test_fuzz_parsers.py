"""Hostile input for every other reader: Lambda logs, raw cashout exports, reward rules, the
manual fraudster list and every YAML setting fail only with the project's own clear error."""

from __future__ import annotations

import gzip
import json
import random
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.errors import RiskdeskError
from analytics.settings import ROOT, sample_dir
from tests.test_fuzz_loaders import mutate

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def clear_or_ok(call) -> object:
    """Run `call`: it works, or fails with a RiskdeskError whose message is one non-empty line."""
    try:
        return call()
    except RiskdeskError as exc:
        text = str(exc).strip()
        assert text and "\n" not in text, repr(text)
        return None


# -- Lambda logs -------------------------------------------------------------------------------
def parse_log(path: Path, workdir: Path):
    from analytics.overdraft import ingest

    return ingest.parse(path, workdir, path.name)


LOGS = sorted((sample_dir() / "lambda_logs").glob("*.log"))


@pytest.mark.parametrize("sample", LOGS[:2], ids=lambda p: p.name)
def test_mutated_lambda_logs(tmp_path: Path, sample: Path) -> None:
    rng = random.Random(sample.name)
    original = sample.read_bytes()[:40_000]
    for i in range(6):
        data = original
        for _ in range(rng.randrange(1, 5)):
            data = mutate(data, rng)
        path = tmp_path / f"m{i}.log"
        path.write_bytes(data)
        work = tmp_path / f"w{i}"
        work.mkdir()
        parsed = clear_or_ok(lambda path=path, work=work: parse_log(path, work))
        if parsed is not None:
            assert parsed.rows >= 0 and all(r.reason for r in parsed.rejects)


def test_damaged_gzip_log(tmp_path: Path) -> None:
    data = gzip.compress((LOGS[0].read_bytes())[:20_000], mtime=0)
    path = tmp_path / "cut.log.gz"
    path.write_bytes(data[: len(data) // 2])
    clear_or_ok(lambda: parse_log(path, tmp_path))


@SETTINGS
@given(text=st.text(alphabet=st.sampled_from(list("{}[]'\"`:,+\n\\ abcT0123456789.-")), max_size=400))
def test_random_inspect_text_after_a_sync_line(tmp_path_factory, text: str) -> None:
    folder = tmp_path_factory.mktemp("log")
    path = folder / "fuzz.log"
    path.write_text("2024-02-13T21:01:05.050Z 2024-02-13T21:01:05.050Z\tr1\tINFO\tStart syncing the balance "
                    + text + "\n2024-02-13T21:01:05.410Z END RequestId: r1\n")
    clear_or_ok(lambda: parse_log(path, folder))


# -- raw cashout exports -----------------------------------------------------------------------
def test_mutated_raw_cashout_exports(tmp_path: Path) -> None:
    from analytics.cashout import ingest

    raw = next((sample_dir() / "cashout" / "raw").glob("*.csv"))
    rng = random.Random(11)
    original = raw.read_bytes()
    for i in range(10):
        data = original
        for _ in range(rng.randrange(1, 4)):
            data = mutate(data, rng)
        path = tmp_path / f"raw{i}.csv"
        path.write_bytes(data)
        work = tmp_path / f"w{i}"
        work.mkdir()
        if ingest.matches(path):
            clear_or_ok(lambda path=path, work=work: ingest.parse(path, work, path.name))


# -- reward rules ------------------------------------------------------------------------------
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=20,
)


@SETTINGS
@given(value=json_values)
def test_random_rule_files(value) -> None:
    from analytics.rewards import rules
    from analytics.rewards import settings as rsettings

    limits = rsettings.load_config().formula
    clear_or_ok(lambda: rules.parse_rules_text(json.dumps(value), limits))


def test_mutated_sample_rules(tmp_path: Path) -> None:
    from analytics.rewards import rules
    from analytics.rewards import settings as rsettings

    limits = rsettings.load_config().formula
    original = (sample_dir() / "players" / "rules.json").read_bytes()
    rng = random.Random(5)
    for i in range(20):
        path = tmp_path / f"rules{i}.json"
        path.write_bytes(mutate(original, rng))
        clear_or_ok(lambda path=path: rules.load_rules_file(path, limits))


# -- manual fraudster list ---------------------------------------------------------------------
def test_mutated_manual_lists(tmp_path: Path) -> None:
    from analytics.fraud import manual

    original = (sample_dir() / "game_events" / "manual_fraudsters.csv").read_bytes()
    rng = random.Random(3)
    for i in range(15):
        path = tmp_path / f"manual{i}.csv"
        path.write_bytes(mutate(mutate(original, rng), rng))
        clear_or_ok(lambda path=path: manual.read(path))


# -- YAML settings -----------------------------------------------------------------------------
def loaders_by_file():
    from analytics.cashout import thresholds as cashout_thresholds
    from analytics.fraud import settings as fraud_settings
    from analytics.mules import configuration
    from analytics.notify import load_settings
    from analytics.overdraft import settings as overdraft_settings
    from analytics.rewards import settings as rewards_settings

    return {
        "cashout.yaml": lambda: cashout_thresholds.load(),
        "fraud.yaml": lambda: fraud_settings.check(fraud_settings.load()),
        "overdraft.yaml": lambda: overdraft_settings.load(),
        "rewards.yaml": lambda: rewards_settings.load_config(),
        "drops.yaml": lambda: configuration.load_drops(),
        "notify.yaml": lambda: load_settings(),
    }


@pytest.mark.parametrize("name", ["cashout.yaml", "fraud.yaml", "overdraft.yaml", "rewards.yaml",
                                  "drops.yaml", "notify.yaml"])
def test_mutated_settings_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    folder = tmp_path / "config"
    shutil.copytree(ROOT / "config", folder, ignore=shutil.ignore_patterns("users.yaml"))
    monkeypatch.setenv("RISKDESK_CONFIG_DIR", str(folder))
    load = loaders_by_file()[name]
    original = (ROOT / "config" / name).read_bytes()
    load()  # the shipped file is valid
    rng = random.Random(name)
    for _ in range(15):
        (folder / name).write_bytes(mutate(mutate(original, rng), rng))
        clear_or_ok(load)


@pytest.mark.parametrize("name", ["cashout.yaml", "fraud.yaml", "overdraft.yaml", "rewards.yaml",
                                  "drops.yaml"])
def test_settings_with_wrong_types_name_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    folder = tmp_path / "config"
    shutil.copytree(ROOT / "config", folder, ignore=shutil.ignore_patterns("users.yaml"))
    monkeypatch.setenv("RISKDESK_CONFIG_DIR", str(folder))
    data = yaml.safe_load((ROOT / "config" / name).read_text())
    key = next(k for k, v in data.items() if isinstance(v, int | float | dict) and not isinstance(v, bool))
    data[key] = "not a valid value"
    (folder / name).write_text(yaml.safe_dump(data))
    with pytest.raises(RiskdeskError) as info:
        loaders_by_file()[name]()
    assert key in str(info.value)
