"""Column lists that the simulator appends to: plain Python lists, turned into arrays once."""

from __future__ import annotations

import numpy as np

from analytics.mules.codes import NONE

FIELDS = (
    "ts",
    "client",
    "cp",
    "cents",
    "direction",
    "txn_type",
    "status",
    "scenario",
    "period",
    "rule",
    "balance",
)


class Rows:
    """Transactions as parallel lists of integers (codes, cents, epoch seconds)."""

    __slots__ = FIELDS

    def __init__(self) -> None:
        for name in FIELDS:
            setattr(self, name, [])

    def add(
        self,
        ts: int,
        client: int,
        cp: int,
        cents: int,
        direction: int,
        txn_type: int,
        status: int,
        scenario: int = NONE,
        period: int = NONE,
        rule: int = NONE,
        balance: int = NONE,
    ) -> None:
        """Append one transaction."""
        self.ts.append(ts)
        self.client.append(client)
        self.cp.append(cp)
        self.cents.append(cents)
        self.direction.append(direction)
        self.txn_type.append(txn_type)
        self.status.append(status)
        self.scenario.append(scenario)
        self.period.append(period)
        self.rule.append(rule)
        self.balance.append(balance)

    def __len__(self) -> int:
        return len(self.ts)

    def arrays(self) -> dict[str, np.ndarray]:
        """Every column as an int64 array."""
        return {name: np.asarray(getattr(self, name), dtype=np.int64) for name in FIELDS}
