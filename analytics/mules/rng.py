"""Random streams, one per purpose (the drops, the ids, the ordinary clients, the details), keyed by the seed.

Column-wise draws use numpy generators. The per-drop hot path draws scalars from one stream
whose uniform draw is a bound C method (Python's Mersenne Twister, seeded from numpy's
SeedSequence of (seed, purpose)), so a draw costs no Python frame.
"""

from __future__ import annotations

import random

import numpy as np

# Stream purposes (the second word of every seed key), so that streams never overlap.
DROP, IDS, LEGIT, DETAILS = 1, 2, 3, 4


def generator(seed: int, purpose: int, index: int = 0) -> np.random.Generator:
    """An independent numpy generator for (seed, purpose, index)."""
    return np.random.default_rng([seed, purpose, index])


class Stream:
    """Scalar draws for the hot path: `u()` is a uniform number in [0, 1)."""

    __slots__ = ("u",)

    def __init__(self, seed: int, purpose: int, index: int = 0) -> None:
        state = np.random.SeedSequence([seed, purpose, index]).generate_state(4, dtype=np.uint64)
        self.u = random.Random(int.from_bytes(state.tobytes(), "little")).random

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
