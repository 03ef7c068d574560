"""A drop's time: operations gap_minutes apart inside an activity period, pauses between periods.

A new period starts at the current period's first operation + pause_hours + jitter_minutes,
and never before the period's last operation: if that sum falls at or before it, the new
period starts one ordinary gap after the last operation.
"""

from __future__ import annotations

from analytics.mules.configuration import KindSettings
from analytics.mules.rng import Stream

MINUTE, HOUR = 60, 3600


class Clock:
    """The current time (epoch seconds), the current period and when it started."""

    __slots__ = (
        "first",
        "gap_lo",
        "gap_span",
        "jit_hi",
        "jit_lo",
        "now",
        "pause_hi",
        "pause_lo",
        "period",
        "stream",
        "u",
    )

    def __init__(self, settings: KindSettings, stream: Stream) -> None:
        self.stream = stream
        self.u = stream.u
        self.gap_lo, gap_hi = (round(m * MINUTE) for m in settings.gap_minutes)
        self.gap_span = gap_hi - self.gap_lo + 1
        self.pause_lo, self.pause_hi = (round(h * HOUR) for h in settings.pause_hours)
        self.jit_lo, self.jit_hi = (round(m * MINUTE) for m in settings.jitter_minutes)
        self.now = self.first = 0
        self.period = 1

    def start(self, when: int) -> None:
        """The life's first operation opens period 1."""
        self.now = self.first = when
        self.period = 1

    def gap(self) -> int:
        """One gap between operations, in seconds (uniform in the range, both ends included)."""
        return self.gap_lo + int(self.u() * self.gap_span)

    def step(self) -> int:
        """The next operation inside the current period."""
        self.now += self.gap_lo + int(self.u() * self.gap_span)  # gap(), inlined: the hottest call
        return self.now

    def new_period(self) -> int:
        """The first operation of the next period."""
        when = (
            self.first
            + self.stream.integer(self.pause_lo, self.pause_hi)
            + self.stream.integer(self.jit_lo, self.jit_hi)
        )
        if when <= self.now:
            when = self.now + self.gap()
        self.now = self.first = when
        self.period += 1
        return when
