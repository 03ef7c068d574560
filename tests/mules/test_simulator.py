"""One drop's life with fixed ranges, timed and counted by hand; drops starting other drops."""

from __future__ import annotations

import pandas as pd

from tests.mules.helpers import check_invariants, simulate, small_config

HOUR = pd.Timedelta(hours=1)
ONLY = {"split_transfers": 0.0, "single_transfer": 0.0, "full_withdrawal": 0.0, "partial_withdrawal": 0.0}


def fixed(**changes):
    """One distributor, nobody else; every range fixed so the life can be worked out by hand."""
    base = {
        "legit_clients": 0, "purchaser.count": 0, "distributor.count": 1,
        "distributor.gap_minutes": [60, 60], "distributor.pause_hours": [24, 24],
        "distributor.jitter_minutes": [0, 0], "distributor.attempts": [2, 2],
        "distributor.inbound_amount": [1000, 1000], "distributor.parts": [2, 2],
        "distributor.crypto_share": 0.0, "distributor.in_bank_share": 0.0,
        "end": "2025-03-01T00:00:00Z",
    }
    base.update(changes)
    return small_config(**base)


def life(cfg) -> pd.DataFrame:
    _, df, accounts = simulate(cfg)
    check_invariants(cfg, df, accounts)
    rows = df[df["is_fraud"] == 1].reset_index(drop=True)
    rows["at"] = (rows["timestamp"] - rows["timestamp"].iloc[0]) / HOUR  # hours since the first inbound
    rows["blocked_at"] = accounts.loc[accounts["is_drop"] == 1, "blocked_at"].iloc[0]
    return rows


def test_total_in_ends_the_life_after_the_last_batch_is_spent() -> None:
    cfg = fixed(**{"distributor.scenarios": {**ONLY, "full_withdrawal": 1.0},
                   "distributor.limits": {"period_in": 1, "period_out": 2, "total_in": 2, "total_out": 3}})
    rows = life(cfg)
    # t0 in 1000; +1 h ATM 1000; the next inbound waits for period 2 (period_in 1): t0 + 24 h;
    # +1 h ATM; the third inbound waits for period 3 (t0 + 48 h) and is past total_in 2: declined.
    assert rows["at"].tolist() == [0, 1, 24, 25, 48]
    assert rows["txn_type"].tolist() == ["transfer_in", "atm_withdrawal", "transfer_in", "atm_withdrawal",
                                         "transfer_in"]
    assert rows["status"].tolist() == ["approved"] * 4 + ["declined"]
    assert rows["rule"].fillna("").tolist() == ["", "", "", "", "total_in"]
    assert rows["period"].tolist() == [1, 1, 2, 2, 3]
    assert rows["amount"].astype(float).tolist()[:4] == [1000.0] * 4
    assert rows["balance"].tolist() == [100_000, 0, 100_000, 0, 0]
    assert rows["blocked_at"].iloc[0] == rows["timestamp"].iloc[-1]


def test_total_out_declines_retries_then_the_blocked_inbound() -> None:
    cfg = fixed(**{"distributor.scenarios": {**ONLY, "split_transfers": 1.0},
                   "distributor.limits": {"period_in": 1, "period_out": 2, "total_in": 5, "total_out": 3}})
    rows = life(cfg)
    # t0 in; +1 h, +2 h the two parts; period 2 at t0 + 24 h: in, +1 h third part (total_out 3 reached);
    # +2 h the fourth part is declined, two retries at +3 h and +4 h; then the last inbound waits for
    # period 3 (t0 + 24 h + 24 h = 48 h) and is declined as blocked.
    assert rows["at"].tolist() == [0, 1, 2, 24, 25, 26, 27, 28, 48]
    assert rows["status"].tolist() == ["approved"] * 5 + ["declined"] * 4
    assert rows["rule"].fillna("").tolist() == [""] * 5 + ["total_out"] * 3 + ["blocked"]
    assert rows["txn_type"].tolist() == (["transfer_in"] + ["transfer_out"] * 2 + ["transfer_in"]
                                         + ["transfer_out"] * 4 + ["transfer_in"])
    parts = rows["cents"].tolist()
    assert parts[1] + parts[2] == 100_000 and parts[4] + parts[5] == 100_000
    assert parts[5] == parts[6] == parts[7], "retries repeat the declined part"
    # the balance keeps the undelivered part: declines never change it
    assert rows["balance"].tolist()[4:] == [100_000 - parts[4]] * 5
    assert rows["period"].tolist() == [1, 1, 1, 2, 2, 2, 2, 2, 3]


def test_a_new_period_never_starts_before_the_last_operation() -> None:
    cfg = fixed(**{"distributor.scenarios": {**ONLY, "full_withdrawal": 1.0}, "distributor.pause_hours": [1, 1],
                   "distributor.limits": {"period_in": 1, "period_out": 1, "total_in": 2, "total_out": 9}})
    rows = life(cfg)
    # period 2 would start at t0 + 1 h pause, the time of period 1's ATM withdrawal: it starts one gap
    # (1 h) after it instead; likewise period 3.
    assert rows["at"].tolist() == [0, 1, 2, 3, 4]
    assert rows["period"].tolist() == [1, 1, 2, 2, 3]


def test_jitter_moves_the_next_period() -> None:
    cfg = fixed(**{"distributor.scenarios": {**ONLY, "full_withdrawal": 1.0},
                   "distributor.jitter_minutes": [-30, -30],
                   "distributor.limits": {"period_in": 1, "period_out": 1, "total_in": 2, "total_out": 9}})
    assert life(cfg)["at"].tolist() == [0, 1, 23.5, 24.5, 47]


def test_a_drop_starts_another_drops_life_and_pays_ordinary_clients() -> None:
    cfg = fixed(**{"distributor.count": 2, "legit_clients": 1, "legit.receiver_share": 1.0,
                   "distributor.scenarios": {**ONLY, "single_transfer": 1.0},
                   "distributor.in_bank_share": 1.0, "distributor.in_bank_drop_share": 1.0,
                   "distributor.limits": {"period_in": 2, "period_out": 8, "total_in": 3, "total_out": 9}})
    _, df, accounts = simulate(cfg)
    seen = check_invariants(cfg, df, accounts)
    # each drop receives 3 batches (total_in 3) and sends each on in one in-bank transfer. The first
    # drop's first transfer starts the second drop's life; with no drop left to start, its other two
    # and the second drop's three go to the one ordinary client: 2 + 3 = 5 transfers received.
    assert seen["drop_to_drop"] == 1 and seen["drop_to_client"] == 5
    first_sender = df[(df["txn_type"] == "transfer_out") & (df["is_fraud"] == 1)].iloc[0]
    started = df[df["account_id"] == first_sender["counterparty"]].iloc[0]
    assert (started["timestamp"], started["counterparty"], started["txn_type"]) == (
        first_sender["timestamp"], first_sender["account_id"], "transfer_in")
    client = accounts.loc[accounts["is_drop"] == 0, "account_id"].iloc[0]
    received = df[(df["account_id"] == client) & df["counterparty"].str.startswith("A", na=False)]
    assert len(received) == 5 and (received["is_fraud"] == 0).all()


def test_account_ids_do_not_reveal_labels() -> None:
    cfg = small_config(**{"distributor.count": 30, "purchaser.count": 30, "legit_clients": 60})
    accounts = simulate(cfg)[2]
    assert accounts["account_id"].tolist() == [f"A{i:07d}" for i in range(1, 121)]
    drops_first_half = accounts["is_drop"].iloc[:60].sum()
    assert 10 < drops_first_half < 50  # shuffled: the drops are not the first 60 ids
