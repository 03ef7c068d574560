"""drops.yaml: the shipped settings load; every missing key, bad range and bad share is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics.config import read_yaml, validate
from analytics.errors import ConfigError
from analytics.mules.configuration import (
    DropsConfig,
    LegitSettings,
    from_mapping,
    load_drops,
    with_overrides,
)
from analytics.mules.features import DetectorSettings
from tests.conftest import ROOT
from tests.mules.helpers import DEFAULT_YAML, default_mapping, write_yaml

KIND_KEYS = ("count", "limits", "gap_minutes", "pause_hours", "jitter_minutes", "attempts", "inbound_amount",
             "parts", "scenarios")
LIMIT_KEYS = ("period_in", "period_out", "total_in", "total_out")
CONTRACT_KEYS = (
    ["seed", "start", "end", "legit_clients", "distributor", "purchaser"]
    + [f"{kind}.{key}" for kind in ("distributor", "purchaser") for key in KIND_KEYS]
    + ["distributor.crypto_share", "distributor.in_bank_share"]
    + [f"{kind}.limits.{key}" for kind in ("distributor", "purchaser") for key in LIMIT_KEYS]
)
RANGE_KEYS = [f"{kind}.{key}" for kind in ("distributor", "purchaser")
              for key in ("gap_minutes", "pause_hours", "jitter_minutes", "attempts", "inbound_amount", "parts")]
RANGE_KEYS += ["distributor.withdrawal_share"] + [
    f"legit.{name}" for name, field in LegitSettings.model_fields.items() if "tuple" in str(field.annotation)]


def _set(data: dict, dotted: str, value) -> dict:
    *path, last = dotted.split(".")
    for part in path:
        data = data.setdefault(part, {})
    data[last] = value
    return data


def _get(data: dict, dotted: str):
    for part in dotted.split("."):
        data = data[part]
    return data


def _refused(data: dict) -> str:
    with pytest.raises(ConfigError) as err:
        from_mapping(data, "drops.yaml")
    return str(err.value)


def test_the_shipped_file_holds_the_contract_example() -> None:
    cfg = load_drops(DEFAULT_YAML)
    assert (cfg.seed, cfg.start, cfg.end, cfg.legit_clients) == (42, "2025-01-01T00:00:00Z", "2025-04-01T00:00:00Z",
                                                                 2000)
    assert cfg.distributor.limits.model_dump() == {"period_in": 2, "period_out": 8, "total_in": 10, "total_out": 40}
    assert cfg.purchaser.limits.model_dump() == {"period_in": 2, "period_out": 6, "total_in": 8, "total_out": 30}
    assert cfg.distributor.scenarios == {"split_transfers": 0.4, "single_transfer": 0.2, "full_withdrawal": 0.2,
                                         "partial_withdrawal": 0.2}
    assert (cfg.distributor.crypto_share, cfg.distributor.in_bank_share) == (0.15, 0.3)
    assert cfg.start_ts == 1735689600 and cfg.end_ts - cfg.start_ts == 90 * 86400  # Jan + Feb + Mar 2025


def test_the_contract_example_alone_is_enough_and_gets_the_documented_defaults() -> None:
    data = default_mapping()
    data.pop("legit")
    data["distributor"].pop("in_bank_drop_share")
    data["distributor"].pop("withdrawal_share")
    cfg = from_mapping(data)
    shipped = load_drops(DEFAULT_YAML)
    assert cfg.legit == shipped.legit  # the shipped file spells out the defaults, no drift
    assert cfg.distributor.in_bank_drop_share == shipped.distributor.in_bank_drop_share
    assert cfg.distributor.withdrawal_share == shipped.distributor.withdrawal_share


@pytest.mark.parametrize("key", CONTRACT_KEYS)
def test_a_missing_key_is_named(key: str) -> None:
    data = default_mapping()
    *path, last = key.split(".")
    parent = _get(data, ".".join(path)) if path else data
    parent.pop(last)
    message = _refused(data)
    assert f"drops.yaml: {key}: Field required" in message


@pytest.mark.parametrize("key", RANGE_KEYS)
def test_a_range_with_min_above_max_is_named(key: str) -> None:
    data = default_mapping()
    lo, hi = _get(data, key)
    _set(data, key, [hi, lo])
    message = _refused(data)
    assert f"{key}: Value error, bad range: min {hi:g} is greater than max {lo:g}" in message


@pytest.mark.parametrize("kind", ["distributor", "purchaser"])
def test_probabilities_that_do_not_sum_to_one_are_named(kind: str) -> None:
    data = default_mapping()
    first = next(iter(data[kind]["scenarios"]))
    data[kind]["scenarios"][first] += 0.1  # 0.4 + 0.1 + 0.2 + 0.2 + 0.2 = 1.1; 0.5 + 0.1 + 0.5 = 1.1
    assert f"{kind}.scenarios: Value error, probabilities sum to 1.1, not 1" in _refused(data)


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("distributor.scenarios", {"split_transfers": 0.5, "single_transfer": 0.5},
     "distributor.scenarios: Value error, missing scenario full_withdrawal, partial_withdrawal"),
    ("purchaser.scenarios", {"single_purchase": 0.5, "split_purchases": 0.25, "bulk": 0.25},
     "purchaser.scenarios: Value error, unknown scenario bulk"),
    ("purchaser.scenarios", {"single_purchase": 1.5, "split_purchases": -0.5},
     "purchaser.scenarios: Value error, single_purchase: a probability lies in [0, 1], got 1.5"),
    ("distributor.crypto_share", 1.2, "distributor.crypto_share: Input should be less than or equal to 1"),
    ("distributor.in_bank_share", -0.1, "distributor.in_bank_share: Input should be greater than or equal to 0"),
    ("distributor.in_bank_drop_share", 2, "distributor.in_bank_drop_share: Input should be less than or equal"),
    ("legit.saver_share", 3, "legit.saver_share: Input should be less than or equal to 1"),
    ("distributor.count", -1, "distributor.count: Input should be greater than or equal to 0"),
    ("legit_clients", "many", "legit_clients: Input should be a valid integer"),
    ("purchaser.limits.total_in", 0, "purchaser.limits.total_in: Input should be greater than or equal to 1"),
    ("distributor.gap_minutes", [0, 10], "distributor.gap_minutes: Value error, bad range: min 0 must be greater"),
    ("purchaser.attempts", [-1, 2], "purchaser.attempts: Value error, bad range: min -1 must not be negative"),
    ("distributor.parts", [1, 3], "distributor.parts: Value error, bad range: min 1 must be at least 2"),
    ("distributor.pause_hours", [20], "distributor.pause_hours: Value error, a range is written [min, max], got [20]"),
    ("start", "yesterday", "start: Value error, 'yesterday' is not an ISO 8601 timestamp"),
    ("end", "2024-12-01T00:00:00Z", "end (2024-12-01T00:00:00Z) must be after start (2025-01-01T00:00:00Z)"),
    ("distributor.pause_hour", [1, 2], "distributor.pause_hour: Extra inputs are not permitted"),
])
def test_other_bad_values_are_named(key: str, value, expected: str) -> None:
    data = default_mapping()
    _set(data, key, value)
    assert expected in _refused(data)


def test_a_bad_file_names_the_file_and_the_key(tmp_path: Path) -> None:
    data = default_mapping()
    data["purchaser"]["gap_minutes"] = [120, 20]
    path = write_yaml(tmp_path / "drops.yaml", data)
    with pytest.raises(ConfigError, match=rf"{tmp_path / 'drops.yaml'}: purchaser.gap_minutes: .*min 120 is greater"):
        load_drops(path)


def test_overrides_replace_counts_and_seed_and_are_checked() -> None:
    cfg = with_overrides(load_drops(DEFAULT_YAML), seed=7, distributors=3, purchasers=0, legit_clients=5)
    assert (cfg.seed, cfg.distributor.count, cfg.purchaser.count, cfg.legit_clients) == (7, 3, 0, 5)
    assert isinstance(cfg, DropsConfig)
    with pytest.raises(ConfigError, match="--distributors: Input should be greater than or equal to 0"):
        with_overrides(cfg, distributors=-2)


DETECTOR_KEYS = (["night_hours", "drain_cap_hours", "rules", "unsupervised"]
                 + [f"rules.{k}" for k in ("drain_hours", "min_fast_drains", "min_pass_through",
                                           "max_everyday_share", "min_counterparties", "linked_fast_drains")]
                 + [f"unsupervised.{k}" for k in ("n_estimators", "contamination", "random_state",
                                                  "min_operations")])


@pytest.mark.parametrize("key", DETECTOR_KEYS)
def test_a_missing_detector_setting_is_named(key: str) -> None:
    data = read_yaml(ROOT / "config" / "mule_detectors.yaml")
    *path, last = key.split(".")
    (_get(data, ".".join(path)) if path else data).pop(last)
    with pytest.raises(ConfigError, match=rf"mule_detectors.yaml: {key}: Field required"):
        validate(DetectorSettings, data, "mule_detectors.yaml")


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("night_hours", [6, 2], "night_hours: Value error, bad range: min 6 is greater than max 2"),
    ("night_hours", [0, 30], "night_hours: Value error, hours lie in [0, 24], got 30"),
    ("rules.max_everyday_share", 1.5, "rules.max_everyday_share: Input should be less than or equal to 1"),
    ("unsupervised.contamination", 0.7, "unsupervised.contamination: Input should be less than 0.5"),
])
def test_bad_detector_settings_are_named(key: str, value, expected: str) -> None:
    data = read_yaml(ROOT / "config" / "mule_detectors.yaml")
    _set(data, key, value)
    with pytest.raises(ConfigError) as err:
        validate(DetectorSettings, data, "mule_detectors.yaml")
    assert expected in str(err.value)
