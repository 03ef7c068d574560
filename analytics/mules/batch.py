"""One received batch: its amount, its scenario and the outbound legs that spend it."""

from __future__ import annotations

from dataclasses import dataclass

# Where an outbound leg goes (resolved to an account when the leg is carried out).
NOWHERE, OUTSIDE, BANK_CLIENT, DROP = range(4)


@dataclass(slots=True)
class Leg:
    """One planned outbound transaction."""

    txn_type: int
    cents: int
    destination: int = NOWHERE


@dataclass(slots=True)
class Batch:
    """A batch and its plan; the legs' amounts sum to the batch's amount."""

    cents: int
    scenario: int
    legs: list[Leg]
