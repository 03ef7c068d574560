"""What each kind of drop does with a batch: the scenario (drawn per batch) and its legs."""

from __future__ import annotations

from itertools import accumulate

from analytics.mules import codes
from analytics.mules.amounts import Amounts
from analytics.mules.batch import BANK_CLIENT, DROP, NOWHERE, OUTSIDE, Batch, Leg
from analytics.mules.configuration import (
    DISTRIBUTOR_SCENARIOS,
    PURCHASER_SCENARIOS,
    DistributorSettings,
    KindSettings,
)
from analytics.mules.rng import Stream


class Behaviour:
    """Plans batches for one kind of drop; shared by every drop of that kind (holds no state)."""

    def __init__(self, kind: str, settings: KindSettings) -> None:
        self.kind = kind
        names = DISTRIBUTOR_SCENARIOS if kind == "distributor" else PURCHASER_SCENARIOS
        self.scenario_codes = [codes.SCENARIOS.index(n) for n in names]
        self.cumulative = list(accumulate(settings.probabilities(names)))
        self.cumulative[-1] = 1.0
        if isinstance(settings, DistributorSettings):
            self.crypto, self.in_bank, self.to_drop = (
                settings.crypto_share,
                settings.in_bank_share,
                settings.in_bank_drop_share,
            )
        else:
            self.crypto = self.in_bank = self.to_drop = 0.0

    def plan(self, cents: int, amounts: Amounts, stream: Stream) -> Batch:
        """A batch of `cents`: its scenario and the legs that spend it all."""
        scenario = self.scenario_codes[stream.pick(self.cumulative)]
        if scenario == codes.SINGLE_PURCHASE:
            legs = [Leg(codes.ONLINE, cents)]
        elif scenario == codes.SPLIT_PURCHASES:
            legs = [Leg(codes.ONLINE, c) for c in amounts.split(cents, amounts.parts())]
        elif scenario == codes.FULL_WITHDRAWAL:
            legs = [Leg(codes.ATM, cents)]
        elif scenario == codes.SINGLE_TRANSFER:
            legs = [self._send(cents, stream)]
        elif scenario == codes.SPLIT_TRANSFERS:
            legs = [self._send(c, stream) for c in amounts.split(cents, amounts.parts())]
        else:  # partial_withdrawal: part in cash, the rest sent on in parts
            cash = amounts.withdrawal(cents)
            legs = [Leg(codes.ATM, cash)]
            legs += [self._send(c, stream) for c in amounts.split(cents - cash, amounts.parts())]
        return Batch(cents, scenario, legs)

    def _send(self, cents: int, stream: Stream) -> Leg:
        """A transfer onwards (inside the bank or out), or a crypto purchase."""
        if stream.u() < self.crypto:
            return Leg(codes.CRYPTO, cents, NOWHERE)
        if stream.u() < self.in_bank:
            return Leg(codes.TRANSFER_OUT, cents, DROP if stream.u() < self.to_drop else BANK_CLIENT)
        return Leg(codes.TRANSFER_OUT, cents, OUTSIDE)
