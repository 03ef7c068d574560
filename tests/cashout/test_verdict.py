"""Verdict rules: one test per reason code, both sides of each threshold (contract defaults)."""

from __future__ import annotations

import dataclasses

import pytest

from analytics.cashout.thresholds import Thresholds
from analytics.cashout.verdict import REASON_CODES, Figures, History, decide
from analytics.errors import ConfigError

T = Thresholds()
# A clean cashout: 40 games, winrate 0.55, nothing shared, value matches the amount.
CLEAN = Figures(games=40, winrate=0.55, take_per_game=0.1, invited_share=0.0, admin_share=0.0,
                discrepancy_share=0.0, amount=20.0, audited_value=20.0)


def verdict_of(**changes) -> tuple[str, list[str], list[dict]]:
    verdict, reasons = decide(dataclasses.replace(CLEAN, **changes), T)
    return verdict, [r["code"] for r in reasons], reasons


def test_clean_cashout_is_approved() -> None:
    assert decide(CLEAN, T) == ("approved", [])


@pytest.mark.parametrize(("accounts", "expected"), [((), []), (("u9",), ["device_sharing"]),
                                                    (("u8", "u9"), ["device_sharing"])])
def test_device_sharing(accounts: tuple, expected: list) -> None:
    verdict, codes, reasons = verdict_of(other_accounts=accounts, shared_devices=("d-7",) if accounts else ())
    assert codes == expected
    assert verdict == ("flagged" if expected else "approved")
    if accounts:  # value = number of other accounts, threshold = at least 1
        assert (reasons[0]["value"], reasons[0]["threshold"]) == (len(accounts), 1)
        assert reasons[0]["message"] == f"device d-7 is shared with {len(accounts)} other account" + (
            "s" if len(accounts) > 1 else "")


@pytest.mark.parametrize(("share", "verdict", "codes"), [
    (0.199, "approved", []), (0.20, "flagged", ["collusion"]), (0.499, "flagged", ["collusion"]),
    (0.50, "rejected", ["collusion"]), (0.9, "rejected", ["collusion"]),
])
def test_collusion_flags_at_020_and_rejects_at_050(share: float, verdict: str, codes: list) -> None:
    got, got_codes, reasons = verdict_of(invited_share=share)
    assert (got, got_codes) == (verdict, codes)
    if codes:
        assert reasons[0]["value"] == share and reasons[0]["threshold"] == 0.20


def test_rejected_audit_lists_every_flag_reason_that_holds() -> None:
    verdict, codes, _ = verdict_of(invited_share=0.8, games=3, other_accounts=("u2",), shared_devices=("d",))
    assert verdict == "rejected"
    assert codes == ["collusion", "device_sharing", "fast_cashout"]  # contract order


@pytest.mark.parametrize(("winrate", "games", "flagged"), [
    (0.75, 20, True), (0.749, 20, False), (0.75, 19, False), (0.9, 100, True), (None, 40, False),
])
def test_high_winrate_needs_075_over_20_games(winrate, games: int, flagged: bool) -> None:
    _, codes, reasons = verdict_of(winrate=winrate, games=games)
    assert ("high_winrate" in codes) is flagged
    if flagged:
        assert reasons[0]["value"] == winrate and reasons[0]["threshold"] == 0.75


@pytest.mark.parametrize(("share", "flagged"), [(0.499, False), (0.50, True), (0.74, True)])
def test_admin_balance_from_050(share: float, flagged: bool) -> None:
    _, codes, _ = verdict_of(admin_share=share)
    assert codes == (["admin_balance"] if flagged else [])


@pytest.mark.parametrize(("games", "flagged"), [(4, True), (5, False), (0, True)])
def test_fast_cashout_below_5_games(games: int, flagged: bool) -> None:
    _, codes, reasons = verdict_of(games=games, winrate=None if games == 0 else 0.5)
    assert codes == (["fast_cashout"] if flagged else [])
    if flagged:
        assert (reasons[0]["value"], reasons[0]["threshold"]) == (games, 5)


@pytest.mark.parametrize(("share", "flagged"), [(0.10, False), (0.1001, True), (0.49, True), (None, True)])
def test_value_mismatch_above_010(share, flagged: bool) -> None:
    _, codes, reasons = verdict_of(discrepancy_share=share, audited_value=12.2, amount=24.0)
    assert codes == (["value_mismatch"] if flagged else [])
    if share == 0.49:
        assert reasons[0]["message"] == "cashout of 24.00 but the window shows 12.20 (49.0% apart)"


@pytest.mark.parametrize(("take", "history", "flagged"), [
    (0.80, History(30, 0.79), True),    # above the 99th percentile of 30 earlier audits
    (0.79, History(30, 0.79), False),   # equal is not above
    (0.80, History(29, 0.79), False),   # fewer than 30 earlier audits: no outlier rule yet
    (None, History(30, 0.79), False),   # no games: no take per game
    (0.80, None, False),
])
def test_take_per_game_outlier(take, history, flagged: bool) -> None:
    verdict, reasons = decide(dataclasses.replace(CLEAN, take_per_game=take), T, history)
    assert [r["code"] for r in reasons] == (["take_per_game_outlier"] if flagged else [])
    assert verdict == ("flagged" if flagged else "approved")
    if flagged:
        assert (reasons[0]["value"], reasons[0]["threshold"]) == (0.80, 0.79)


def test_every_reason_code_is_reachable_and_named_exactly() -> None:
    everything = Figures(games=30, winrate=0.9, take_per_game=5.0, invited_share=0.3, admin_share=0.6,
                         discrepancy_share=0.5, amount=10, audited_value=5, other_accounts=("u2",),
                         shared_devices=("d",))
    _, reasons = decide(everything, T, History(40, 1.0))
    codes = [r["code"] for r in reasons]
    assert codes == [c for c in REASON_CODES if c != "fast_cashout"]
    _, reasons = decide(dataclasses.replace(everything, games=2), T, History(40, 1.0))
    assert "fast_cashout" in [r["code"] for r in reasons]


def test_thresholds_are_configurable() -> None:
    strict = Thresholds(fast_cashout_min_games=50, value_mismatch_share=0.0)
    verdict, reasons = decide(dataclasses.replace(CLEAN, discrepancy_share=0.01), strict)
    assert verdict == "flagged" and [r["code"] for r in reasons] == ["fast_cashout", "value_mismatch"]


def test_config_file_is_read_and_bad_keys_are_named(tmp_path, monkeypatch) -> None:
    from analytics.cashout import thresholds

    monkeypatch.setenv("RISKDESK_CONFIG_DIR", str(tmp_path))
    assert thresholds.load() == Thresholds()  # no file: the contract's defaults
    (tmp_path / "cashout.yaml").write_text("high_winrate: 0.6\nfast_cashout_min_games: 3\n")
    loaded = thresholds.load()
    assert (loaded.high_winrate, loaded.fast_cashout_min_games, loaded.admin_balance_share) == (0.6, 3, 0.5)
    (tmp_path / "cashout.yaml").write_text("high_winrate: 1.5\n")
    with pytest.raises(ConfigError, match="high_winrate"):
        thresholds.load()
    (tmp_path / "cashout.yaml").write_text("reject_invited_share: 0.1\n")
    with pytest.raises(ConfigError, match="reject_invited_share must be at least collusion_invited_share"):
        thresholds.load()
    (tmp_path / "cashout.yaml").write_text("typo_key: 1\n")
    with pytest.raises(ConfigError, match="typo_key"):
        thresholds.load()


def test_committed_config_holds_the_contract_defaults() -> None:
    from analytics import config

    assert config.load("cashout", Thresholds) == Thresholds()
