"""Property tests: over many seeds and settings, every drop's life keeps the contract's invariants."""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.mules.configuration import DropsConfig, from_mapping
from tests.mules.helpers import check_invariants, default_mapping, simulate, small_config

TOTALS: Counter = Counter()


def _range(lo: int, hi: int):
    return st.tuples(st.integers(lo, hi), st.integers(lo, hi)).map(sorted)


def _probabilities(names: tuple[str, ...]):
    def build(weights: list[int]) -> dict[str, float]:
        total = sum(weights)
        probs = [w / total for w in weights]
        probs[-1] = 1 - sum(probs[:-1])
        return dict(zip(names, probs, strict=True))

    return st.lists(st.integers(0, 5), min_size=len(names), max_size=len(names)).filter(any).map(build)


@st.composite
def configs(draw) -> DropsConfig:
    data = default_mapping()
    data["seed"] = draw(st.integers(0, 2**32 - 1))
    data["end"] = f"2025-01-{draw(st.integers(2, 28)):02d}T00:00:00Z"
    data["legit_clients"] = draw(st.integers(0, 6))
    for kind, names in (("distributor", ("split_transfers", "single_transfer", "full_withdrawal",
                                         "partial_withdrawal")),
                        ("purchaser", ("single_purchase", "split_purchases"))):
        k = data[kind]
        k["count"] = draw(st.integers(0, 6))
        k["limits"] = {"period_in": draw(st.integers(1, 3)), "period_out": draw(st.integers(1, 6)),
                       "total_in": draw(st.integers(1, 6)), "total_out": draw(st.integers(1, 12))}
        k["gap_minutes"] = draw(_range(1, 240))
        k["pause_hours"] = draw(_range(0, 60))
        k["jitter_minutes"] = draw(_range(-120, 120))
        k["attempts"] = draw(_range(0, 4))
        k["inbound_amount"] = draw(_range(10, 5000))
        k["parts"] = draw(_range(2, 6))
        k["scenarios"] = draw(_probabilities(names))
    data["distributor"]["crypto_share"] = draw(st.sampled_from([0.0, 0.15, 0.5, 1.0]))
    data["distributor"]["in_bank_share"] = draw(st.sampled_from([0.0, 0.3, 0.8, 1.0]))
    data["distributor"]["in_bank_drop_share"] = draw(st.sampled_from([0.0, 0.1, 0.5, 1.0]))
    data["legit"]["receiver_share"] = draw(st.sampled_from([0.0, 0.5, 1.0]))
    return from_mapping(data)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs())
def test_every_drop_keeps_the_invariants(cfg: DropsConfig) -> None:
    _, df, accounts = simulate(cfg)
    TOTALS.update(check_invariants(cfg, df, accounts))


def test_the_property_run_reached_every_branch() -> None:
    """The random settings above exercised every kind of life (runs after the property test)."""
    if not TOTALS:  # this test was run alone
        test_every_drop_keeps_the_invariants()
    for key in ("drops", "blocked", "total_in", "active_at_end", "retries", "periods", "gaps",
                "drop_to_drop", "drop_to_client", "scenario:split_transfers", "scenario:single_transfer",
                "scenario:full_withdrawal", "scenario:partial_withdrawal", "scenario:single_purchase",
                "scenario:split_purchases"):
        assert TOTALS[key] > 0, key


def test_default_settings_keep_the_invariants() -> None:
    cfg = small_config(**{"end": "2025-02-01T00:00:00Z", "distributor.count": 60, "purchaser.count": 30,
                          "distributor.limits": {"period_in": 2, "period_out": 8, "total_in": 10, "total_out": 20},
                          "legit_clients": 100})
    seen = check_invariants(cfg, *simulate(cfg)[1:])
    assert seen["drops"] == 90 and seen["blocked"] > 0 and seen["total_in"] > 0
