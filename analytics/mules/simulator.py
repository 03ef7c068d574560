"""One drop's life (contracts/drops.md): batches spent by scenario under the bank's limits.

The first transaction is an approved inbound transfer; each batch is spent leg by leg; a new
batch arrives when the balance is spent. A period limit makes the drop pause until its next
period; a lifetime limit declines the transaction. After the first declined outbound the drop
retries `attempts` times (each declined), then one more inbound is declined (`blocked`). An
inbound past `total_in` is declined (`total_in`) and ends the life too. Nothing happens at or
after the window's end: a drop still active then is simply not blocked.
"""

from __future__ import annotations

from analytics.mules import codes
from analytics.mules.accounts import Accounts
from analytics.mules.amounts import Amounts
from analytics.mules.batch import BANK_CLIENT, DROP, OUTSIDE, Leg
from analytics.mules.behaviour import Behaviour
from analytics.mules.codes import IN, NONE, OUT, TRANSFER_IN, VICTIMS
from analytics.mules.configuration import KindSettings
from analytics.mules.lifecycle import LifeCycle
from analytics.mules.rng import Stream
from analytics.mules.rows import FIELDS, Rows
from analytics.mules.timeline import Clock

VICTIM_ACCOUNTS = 90_000_000


class DropSimulator:
    """Simulates one drop into `rows`; `run()` returns when it was blocked (None: not in the window)."""

    def __init__(
        self,
        client: int,
        settings: KindSettings,
        behaviour: Behaviour,
        accounts: Accounts,
        rows: Rows,
        stream: Stream,
        window: tuple[int, int],
    ) -> None:
        self.client = client
        self.behaviour = behaviour
        self.accounts = accounts
        self.rows = rows
        self.stream = stream
        # the hot path appends straight to the column lists
        self._columns = tuple(getattr(rows, name).append for name in FIELDS)
        self.amounts = Amounts(settings, self.stream)
        self.clock = Clock(settings, self.stream)
        self.life = LifeCycle(settings.limits)
        self.attempts = settings.attempts
        self.start, self.end = window

    def run(self) -> int | None:
        """Live until blocked or until the window ends."""
        stream, life = self.stream, self.life
        when = stream.integer(self.start, self.end - 1)
        claim = self.accounts.claims.get(self.client)
        if claim is not None:
            when, cents, source = claim
        else:
            cents, source = self.amounts.inbound(), self._victim()
        self.clock.start(when)
        while True:
            batch = self.behaviour.plan(cents, self.amounts, stream)
            life.approve_in(cents)
            self._emit(when, source, cents, TRANSFER_IN, batch.scenario)
            for leg in batch.legs:
                when = self._when(OUT)
                if when is None:
                    return None
                if life.life_full(OUT):
                    return self._give_up(when, leg, batch.scenario)
                life.approve_out(leg.cents)
                self._emit(when, self._resolve(leg, when), leg.cents, leg.txn_type, batch.scenario)
            when = self._when(IN)
            if when is None:
                return None
            cents, source = self.amounts.inbound(), self._victim()
            if life.life_full(IN):
                self._emit(when, source, cents, TRANSFER_IN, rule=codes.RULE_TOTAL_IN)
                return when

    def _when(self, direction: int) -> int | None:
        """The time of the next operation (after a pause if the period's limit is reached)."""
        life = self.life
        if life.period_full(direction):
            life.new_period()
            when = self.clock.new_period()
        else:
            when = self.clock.step()
        return when if when < self.end else None

    def _give_up(self, when: int, leg: Leg, scenario: int) -> int | None:
        """Declined outbound, its retries, then the declined inbound that blocks the drop."""
        target = self._declined_target(leg)
        self._emit(when, target, leg.cents, leg.txn_type, scenario, codes.RULE_TOTAL_OUT)
        for _ in range(self.stream.integer(*self.attempts)):
            retry = self._when(OUT)
            if retry is None:
                return None
            self._emit(retry, target, leg.cents, leg.txn_type, scenario, codes.RULE_TOTAL_OUT)
        when = self._when(IN)
        if when is None:
            return None
        self._emit(when, self._victim(), self.amounts.inbound(), TRANSFER_IN, rule=codes.RULE_BLOCKED)
        return when

    def _emit(
        self, when: int, cp: int, cents: int, txn_type: int, scenario: int = NONE, rule: int = NONE
    ) -> None:
        """Record one transaction of this drop (declined when `rule` names the limit that declined it)."""
        ts, client, cp_, cents_, txn_type_, scenario_, period, rule_, balance = self._columns
        ts(when)
        client(self.client)
        cp_(cp)
        cents_(cents)
        txn_type_(txn_type)
        scenario_(scenario)
        period(self.clock.period)
        rule_(rule)
        balance(self.life.balance)

    def _victim(self) -> int:
        """The outside account stolen money comes from."""
        return VICTIMS + self.stream.integer(0, VICTIM_ACCOUNTS - 1)

    def _resolve(self, leg: Leg, when: int) -> int:
        """The counterparty of an approved leg; money to an ordinary client shows on their account."""
        if leg.destination == OUTSIDE:
            return self.accounts.cashout(self.stream)
        if leg.destination == DROP:
            target = self.accounts.claim_after(self.client, self.stream, when, leg.cents)
            if target is not None:
                return target
        if leg.destination in (DROP, BANK_CLIENT):
            target = self.accounts.receiver(self.stream)
            if target is not None:
                self.rows.add(when, target, self.client, leg.cents, TRANSFER_IN)
                return target
            return self.accounts.cashout(self.stream)
        return NONE

    def _declined_target(self, leg: Leg) -> int:
        """The counterparty of a declined leg: the money reaches nobody, so nothing is claimed."""
        if leg.destination == DROP:
            target = self.accounts.drop_after(self.client, self.stream)
            if target is not None:
                return target
        if leg.destination in (DROP, BANK_CLIENT):
            target = self.accounts.receiver(self.stream)
            return target if target is not None else self.accounts.cashout(self.stream)
        return self.accounts.cashout(self.stream) if leg.destination == OUTSIDE else NONE
