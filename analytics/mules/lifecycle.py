"""The bank's limits on one drop: approved transactions per activity period and over its life."""

from __future__ import annotations

from analytics.mules.codes import IN
from analytics.mules.configuration import Limits


class LifeCycle:
    """Counters of approved transactions and the balance (cents); declines change neither."""

    __slots__ = (
        "balance",
        "in_life",
        "in_period",
        "out_life",
        "out_period",
        "period_in",
        "period_out",
        "total_in",
        "total_out",
    )

    def __init__(self, limits: Limits) -> None:
        self.period_in, self.period_out = limits.period_in, limits.period_out
        self.total_in, self.total_out = limits.total_in, limits.total_out
        self.in_period = self.out_period = self.in_life = self.out_life = 0
        self.balance = 0

    def period_full(self, direction: int) -> bool:
        """The period's limit for this direction is reached: the drop pauses."""
        if direction == IN:
            return self.in_period >= self.period_in
        return self.out_period >= self.period_out

    def life_full(self, direction: int) -> bool:
        """The lifetime limit for this direction is reached: the transaction is declined."""
        if direction == IN:
            return self.in_life >= self.total_in
        return self.out_life >= self.total_out

    def new_period(self) -> None:
        """A new activity period starts with fresh period counters."""
        self.in_period = self.out_period = 0

    def approve_in(self, cents: int) -> None:
        """An approved inbound transfer."""
        self.in_period += 1
        self.in_life += 1
        self.balance += cents

    def approve_out(self, cents: int) -> None:
        """An approved outbound transaction (never more than the balance)."""
        if cents > self.balance:
            raise RuntimeError(f"outbound {cents} exceeds the balance {self.balance}")
        self.out_period += 1
        self.out_life += 1
        self.balance -= cents
