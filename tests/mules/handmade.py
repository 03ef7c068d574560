"""A tiny run written by hand: four accounts whose features and flags are worked out in the tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import numpy as np
import pyarrow as pa

from analytics.mules.codes import ACCOUNT_COLUMNS, TRANSACTION_COLUMNS
from analytics.mules.runner import SimulationResult
from tests.mules.helpers import small_config

T0 = datetime(2025, 1, 1, 2, 0, 0)  # 02:00 UTC: night
A, B, C, D = "A0000001", "A0000002", "A0000003", "A0000004"  # A, D drops; B, C ordinary clients


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


# (hours after T0, account, counterparty, amount, direction, txn_type, status, rule)
ROWS = [
    (0, A, "X0000001", "1000.00", "in", "transfer_in", "approved", None),
    (1, A, B, "600.00", "out", "transfer_out", "approved", None),
    (1, B, A, "600.00", "in", "transfer_in", "approved", None),
    (2, A, None, "400.00", "out", "atm_withdrawal", "approved", None),  # A drained after 2 h
    (3, B, "X0000009", "600.00", "out", "transfer_out", "approved", None),  # B drained after 2 h
    (7, C, "X0000100", "3000.00", "in", "salary_in", "approved", None),  # 09:00
    (8, C, None, "100.00", "out", "card_payment", "approved", None),
    (10, A, "X0000003", "500.00", "in", "transfer_in", "approved", None),
    (11, A, None, "500.00", "out", "crypto_purchase", "approved", None),  # drained after 1 h: A flagged
    (12, A, "X0000004", "100.00", "out", "transfer_out", "declined", "total_out"),
    (13, A, "X0000005", "700.00", "in", "transfer_in", "declined", "blocked"),
    (20, B, None, "10.00", "out", "card_payment", "approved", None),  # B's first row after A's flag
    (30, D, "X0000006", "500.00", "in", "transfer_in", "approved", None),
    (31, D, None, "500.00", "out", "online_purchase", "approved", None),
]
# the drops' batches: A's first is withdrawn in part and sent on, its second bought as crypto; D buys once
SCENARIOS = {0: "partial_withdrawal", 1: "partial_withdrawal", 3: "partial_withdrawal", 7: "single_transfer",
             8: "single_transfer", 9: "single_transfer", 12: "single_purchase", 13: "single_purchase"}
LABELS = {A: ("distributor", h(13)), B: (None, None), C: (None, None), D: ("purchaser", None)}


def handmade_run() -> SimulationResult:
    cols: dict[str, list] = {c: [] for c in TRANSACTION_COLUMNS}
    for i, (hours, account, cp, amount, direction, txn_type, status, rule) in enumerate(ROWS, start=1):
        kind = LABELS[account][0]
        values = {"txn_id": f"T{i:09d}", "timestamp": h(hours), "account_id": account, "counterparty": cp,
                  "amount": Decimal(amount), "direction": direction, "txn_type": txn_type, "status": status,
                  "is_fraud": int(kind is not None), "fraud_type": f"drop_{kind}" if kind else None,
                  "period": 1 if kind else None, "rule": rule, "scenario": SCENARIOS.get(i - 1)}
        for c in TRANSACTION_COLUMNS:
            cols[c].append(values.get(c))
    types = {"timestamp": pa.timestamp("s"), "amount": pa.decimal128(18, 2), "is_fraud": pa.int8(),
             "lat": pa.float64(), "lon": pa.float64(), "period": pa.int32()}
    table = pa.table({c: pa.array(cols[c], type=types.get(c, pa.string())) for c in TRANSACTION_COLUMNS})
    accounts = pa.table({
        "account_id": list(LABELS), "client_id": [a.replace("A", "C") for a in LABELS],
        "is_drop": pa.array([int(k is not None) for k, _ in LABELS.values()], pa.int8()),
        "drop_type": pa.array([k for k, _ in LABELS.values()], pa.string()),
        "blocked_at": pa.array([b for _, b in LABELS.values()], pa.timestamp("s")),
    })
    assert accounts.column_names == list(ACCOUNT_COLUMNS)
    return SimulationResult("handmade", small_config(), table, accounts, np.zeros(len(ROWS), np.int64), 2, 2)
