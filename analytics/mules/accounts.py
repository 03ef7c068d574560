"""The bank's clients: drops first (distributors, then purchasers), then ordinary clients.

Client indices are internal; account numbers are a seeded permutation so an account id says
nothing about its label. Drops may start another drop's life with an in-bank transfer: a drop
whose life has not started yet is "unclaimed" and may be claimed once.
"""

from __future__ import annotations

import bisect

import numpy as np

from analytics.mules.codes import CASHOUT
from analytics.mules.rng import IDS, Stream, generator


class Accounts:
    """Who is who: kinds, account numbers, in-bank recipients, drops started by other drops."""

    def __init__(
        self, seed: int, distributors: int, purchasers: int, legit: int, receiver_share: float
    ) -> None:
        self.distributors = distributors
        self.drops = distributors + purchasers
        self.total = self.drops + legit
        gen = generator(seed, IDS)
        self.numbers = gen.permutation(self.total).astype(np.int64) + 1
        picked = np.flatnonzero(gen.random(legit) < receiver_share) + self.drops
        self.receivers: list[int] = picked.tolist()
        self.unclaimed: list[int] = list(range(self.drops))
        self.claims: dict[int, tuple[int, int, int]] = {}  # drop -> (time, cents, sender)
        self.cashout_pool = max(2 * distributors, 20)

    def kind(self, client: int) -> str | None:
        """distributor, purchaser, or None for an ordinary client."""
        if client < self.distributors:
            return "distributor"
        return "purchaser" if client < self.drops else None

    def claim_after(self, client: int, stream: Stream, when: int, cents: int) -> int | None:
        """Start the life of a not yet started later drop with this transfer; None if none is left."""
        pos = bisect.bisect_right(self.unclaimed, client)
        left = len(self.unclaimed) - pos
        if left <= 0:
            return None
        target = self.unclaimed.pop(pos + stream.integer(0, left - 1))
        self.claims[target] = (when, cents, client)
        return target

    def drop_after(self, client: int, stream: Stream) -> int | None:
        """A later, not yet started drop (a declined transfer reaches nobody, so nothing is claimed)."""
        pos = bisect.bisect_right(self.unclaimed, client)
        left = len(self.unclaimed) - pos
        return None if left <= 0 else self.unclaimed[pos + stream.integer(0, left - 1)]

    def receiver(self, stream: Stream) -> int | None:
        """An ordinary client who receives transfers from drops, or None when there is none."""
        if not self.receivers:
            return None
        return self.receivers[stream.integer(0, len(self.receivers) - 1)]

    def cashout(self, stream: Stream) -> int:
        """An outside account from the shared pool the drops send money to."""
        return CASHOUT + stream.integer(0, self.cashout_pool - 1)
