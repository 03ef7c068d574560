"""Amounts in integer cents: inbound batches, splits into parts, the ATM part of a withdrawal."""

from __future__ import annotations

from analytics.mules.configuration import DistributorSettings, KindSettings
from analytics.mules.rng import Stream


class Amounts:
    """Draws one kind's amounts from a drop's stream."""

    __slots__ = ("hi", "lo", "parts_hi", "parts_lo", "share_hi", "share_lo", "stream")

    def __init__(self, settings: KindSettings, stream: Stream) -> None:
        self.stream = stream
        self.lo = round(settings.inbound_amount[0] * 100)
        self.hi = round(settings.inbound_amount[1] * 100)
        self.parts_lo, self.parts_hi = settings.parts
        share = settings.withdrawal_share if isinstance(settings, DistributorSettings) else (0.5, 0.5)
        self.share_lo, self.share_hi = share

    def inbound(self) -> int:
        """One inbound batch."""
        return self.stream.integer(self.lo, self.hi)

    def parts(self) -> int:
        """How many parts a split has."""
        return self.stream.integer(self.parts_lo, self.parts_hi)

    def split(self, total: int, k: int) -> list[int]:
        """`total` in k positive parts of similar size that sum to it exactly."""
        k = max(1, min(k, total))
        if k == 1:
            return [total]
        weights = [0.5 + self.stream.u() for _ in range(k)]
        scale = (total - k) / sum(weights)
        parts = [1 + int(w * scale) for w in weights[:-1]]
        parts.append(total - sum(parts))
        return parts

    def withdrawal(self, total: int) -> int:
        """The ATM part of a partial withdrawal (at least 1 cent, leaving at least 2 to send on)."""
        part = int(total * self.stream.uniform(self.share_lo, self.share_hi))
        return min(max(part, 1), max(total - 2, 1))
