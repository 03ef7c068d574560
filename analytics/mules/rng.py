"""Random streams: one numpy generator per purpose (a drop, the ids, the details), drawn in blocks."""

from __future__ import annotations

import numpy as np

BLOCK = 128

# Stream purposes (the second word of every seed key), so that streams never overlap.
DROP, IDS, LEGIT, DETAILS = 1, 2, 3, 4


def generator(seed: int, purpose: int, index: int = 0) -> np.random.Generator:
    """An independent numpy generator for (seed, purpose, index)."""
    return np.random.default_rng([seed, purpose, index])


class Stream:
    """Uniform numbers from one generator, fetched a block at a time for a fast scalar hot path."""

    __slots__ = ("_buf", "_gen", "_pos")

    def __init__(self, seed: int, purpose: int, index: int = 0) -> None:
        self._gen = generator(seed, purpose, index)
        self._buf: list[float] = []
        self._pos = 0

    def u(self) -> float:
        """A uniform number in [0, 1)."""
        if self._pos >= len(self._buf):
            self._buf = self._gen.random(BLOCK).tolist()
            self._pos = 0
        value = self._buf[self._pos]
        self._pos += 1
        return value

    def uniform(self, lo: float, hi: float) -> float:
        """A uniform number in [lo, hi)."""
        return lo + (hi - lo) * self.u()

    def integer(self, lo: int, hi: int) -> int:
        """A uniform integer in [lo, hi] (both included)."""
        return lo + int(self.u() * (hi - lo + 1))

    def pick(self, cumulative: list[float]) -> int:
        """An index drawn with the given cumulative probabilities (the last is 1)."""
        u = self.u()
        for i, edge in enumerate(cumulative):
            if u < edge:
                return i
        return len(cumulative) - 1
