"""Columns that the simulator appends to: typed arrays of int64, handed to numpy without a copy.

Only what cannot be derived is appended: a row's direction follows from its type and its
status from its rule (a declined transaction always names the rule that declined it).
"""

from __future__ import annotations

from array import array

import numpy as np

from analytics.mules.codes import APPROVED, DECLINED, IN, INBOUND_TYPES, NONE, OUT

FIELDS = ("ts", "client", "cp", "cents", "txn_type", "scenario", "period", "rule", "balance")


class Rows:
    """Transactions as parallel int64 arrays (codes, cents, epoch seconds)."""

    __slots__ = FIELDS

    def __init__(self) -> None:
        for name in FIELDS:
            setattr(self, name, array("q"))

    def add(
        self,
        ts: int,
        client: int,
        cp: int,
        cents: int,
        txn_type: int,
        scenario: int = NONE,
        period: int = NONE,
        rule: int = NONE,
        balance: int = NONE,
    ) -> None:
        """Append one transaction (its direction follows from its type, its status from its rule)."""
        for name, value in zip(
            FIELDS, (ts, client, cp, cents, txn_type, scenario, period, rule, balance), strict=True
        ):
            getattr(self, name).append(value)

    def __len__(self) -> int:
        return len(self.ts)

    def arrays(self) -> dict[str, np.ndarray]:
        """Every column as an int64 array, with direction and status."""
        out = {name: np.frombuffer(getattr(self, name), dtype=np.int64) for name in FIELDS}
        inbound = np.isin(out["txn_type"], INBOUND_TYPES)
        out["direction"] = np.where(inbound, IN, OUT).astype(np.int64)
        out["status"] = np.where(out["rule"] == NONE, APPROVED, DECLINED).astype(np.int64)
        return out
