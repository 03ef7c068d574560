"""Ordinary clients, generated column-wise with numpy: salaries, card payments, bills, transfers.

Each client draws a habit from each range of the `legit` settings (rates, amounts, payday) and
a few traits: freelancers are paid by transfers from several payers, savers move part of each
income out within hours, cash users withdraw part of it within a day, transit clients pass
their income on within days, some buy crypto, some work at night. Spending is scaled so each
client spends `budget_share` of their income over the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from analytics.mules import codes
from analytics.mules.codes import APPROVED, DECLINED, IN, NONE, OUT
from analytics.mules.configuration import LegitSettings
from analytics.mules.rng import LEGIT, generator

DAY, HOUR = 86_400, 3_600
DAY_HOURS = np.array([0, 0, 0, 0, 0, 0, 1, 3, 5, 6, 7, 8, 9, 8, 7, 7, 8, 9, 9, 8, 6, 4, 2, 1], float)
NIGHT_HOURS = np.array([6, 6, 5, 5, 4, 3, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 4, 5, 6], float)
EMPLOYER_COUNT = 300


@dataclass
class Columns:
    """Generated transactions as int64 arrays (same fields as rows.Rows, balance left empty)."""

    ts: np.ndarray
    client: np.ndarray
    cp: np.ndarray
    cents: np.ndarray
    direction: np.ndarray
    txn_type: np.ndarray
    status: np.ndarray
    rule: np.ndarray


class LegitClients:
    """Generates the ordinary clients with indices first_client .. first_client + count - 1."""

    def __init__(
        self, settings: LegitSettings, seed: int, first_client: int, count: int, window: tuple[int, int]
    ) -> None:
        self.s = settings
        self.first, self.count = first_client, count
        self.start, self.end = window
        self.gen = generator(seed, LEGIT)
        self.days = (self.end - self.start) / DAY
        self.months = self.days / 30.4375
        self.parts: list[tuple[np.ndarray, ...]] = []

    # -- helpers -----------------------------------------------------------------------------
    def _per_client(self, lo_hi: tuple[float, float], log: bool = False) -> np.ndarray:
        """One value per client drawn from a range (log-uniform if asked)."""
        lo, hi = lo_hi
        if log and lo > 0:
            return np.exp(self.gen.uniform(np.log(lo), np.log(hi), self.count))
        return self.gen.uniform(lo, hi, self.count)

    def _cents(self, lo_hi: tuple[float, float], n: int) -> np.ndarray:
        """n log-uniform amounts in cents (at least 1 cent)."""
        lo, hi = lo_hi
        return np.maximum(np.round(np.exp(self.gen.uniform(np.log(lo), np.log(hi), n)) * 100), 1).astype(
            np.int64
        )

    def _times(self, who: np.ndarray, night: np.ndarray) -> np.ndarray:
        """Random times in the window at a client's usual hours."""
        n = len(who)
        day0 = self.start - self.start % DAY
        days = self.gen.integers(0, int(np.ceil((self.end - day0) / DAY)), n)
        day_hour = np.searchsorted(np.cumsum(DAY_HOURS) / DAY_HOURS.sum(), self.gen.random(n), side="right")
        night_hour = np.searchsorted(
            np.cumsum(NIGHT_HOURS) / NIGHT_HOURS.sum(), self.gen.random(n), side="right"
        )
        hour = np.where(night[who], night_hour, day_hour)
        return day0 + days * DAY + hour * HOUR + self.gen.integers(0, HOUR, n)

    def _events(self, rate: np.ndarray, periods: float) -> np.ndarray:
        """Client indices (0-based) repeated by a Poisson count of events each."""
        counts = self.gen.poisson(np.maximum(rate, 0) * periods)
        return np.repeat(np.arange(self.count), counts)

    def _add(
        self,
        ts: np.ndarray,
        who: np.ndarray,
        cp: np.ndarray,
        cents: np.ndarray,
        direction: int,
        txn_type: int,
        scalable: bool,
    ) -> None:
        """Keep one batch of generated transactions (scalable: spending scaled to the budget)."""
        n = len(ts)
        self.parts.append(
            (ts, who, cp, cents, np.full(n, direction), np.full(n, txn_type), np.full(n, scalable))
        )

    # -- the clients ---------------------------------------------------------------------------
    def generate(self) -> Columns:
        """Every ordinary client's transactions in the window (unsorted)."""
        s, n = self.s, self.count
        if n == 0:
            empty = np.zeros(0, np.int64)
            return Columns(*(empty,) * 8)
        trait = self.gen.random((6, n))
        freelancer = trait[0] < s.freelancer_share
        transit = (trait[1] < s.transit_share) & ~freelancer
        saver = (trait[2] < s.saver_share) & ~transit
        cash_user = trait[3] < s.cash_user_share
        crypto = trait[4] < s.crypto_client_share
        night = trait[5] < s.night_worker_share
        salary = self._per_client(s.salary_amount, log=True)
        budget = self._per_client(s.budget_share)
        payday = self.gen.integers(0, 28, n)
        employer = self.gen.integers(0, EMPLOYER_COUNT, n)
        everyday = np.where(transit, 0.1, 1.0)

        self._incomes(salary, payday, employer, freelancer, transit, night)
        incomes = list(self.parts)
        self._everyday(everyday, crypto, night)
        self._follow_ups(incomes, saver, cash_user, transit)
        return self._finish(budget)

    def _incomes(
        self,
        salary: np.ndarray,
        payday: np.ndarray,
        employer: np.ndarray,
        freelancer: np.ndarray,
        transit: np.ndarray,
        night: np.ndarray,
    ) -> None:
        """Monthly salaries; freelancers' and transit clients' incomes arrive as transfers."""
        months = _month_starts(self.start, self.end)
        who = np.tile(np.arange(self.count), len(months))
        month = np.repeat(months, self.count)
        ts = month + payday[who] * DAY + 8 * HOUR + self.gen.integers(0, 3 * HOUR, len(who))
        paid = ~freelancer[who] & ~transit[who] & (ts >= self.start) & (ts < self.end)
        who, ts = who[paid], ts[paid]
        self._add(
            ts,
            who,
            codes.EMPLOYERS + employer[who],
            np.round(salary[who] * 100).astype(np.int64),
            IN,
            codes.SALARY,
            False,
        )
        rate = np.where(freelancer, self.gen.uniform(2, 6, self.count), np.where(transit, 2.0, 0.0))
        who = self._events(rate, self.months)
        share = np.where(
            freelancer[who], self.gen.uniform(0.15, 0.5, len(who)), self.gen.uniform(0.3, 1.0, len(who))
        )
        cents = np.maximum(np.round(salary[who] * share * 100), 100).astype(np.int64)
        payer = np.where(
            transit[who],
            codes.SAVINGS + who + self.first,
            codes.EMPLOYERS + self.gen.integers(0, EMPLOYER_COUNT, len(who)),
        )
        self._add(self._times(who, night), who, payer, cents, IN, codes.TRANSFER_IN, False)

    def _everyday(self, everyday: np.ndarray, crypto: np.ndarray, night: np.ndarray) -> None:
        """Card payments, bills, transfers to and from family, cash, online and crypto purchases."""
        s = self.s
        for rate_range, periods, amount, txn_type, direction, only in (
            (s.card_per_day, self.days, s.card_amount, codes.CARD, OUT, None),
            (s.bills_per_month, self.months, s.bill_amount, codes.BILL, OUT, None),
            (s.transfers_out_per_month, self.months, s.transfer_amount, codes.TRANSFER_OUT, OUT, None),
            (s.transfers_in_per_month, self.months, s.transfer_amount, codes.TRANSFER_IN, IN, None),
            (s.atm_per_month, self.months, s.atm_amount, codes.ATM, OUT, None),
            (s.online_per_month, self.months, s.online_amount, codes.ONLINE, OUT, None),
            (s.crypto_per_month, self.months, s.crypto_amount, codes.CRYPTO, OUT, crypto),
        ):
            rate = self._per_client(rate_range) * everyday
            if only is not None:
                rate = np.where(only, rate, 0.0)
            who = self._events(rate, periods)
            cp = np.full(len(who), NONE, np.int64)
            if txn_type in (codes.TRANSFER_OUT, codes.TRANSFER_IN):
                cp = codes.PAYEES + 4 * (who + self.first) + self.gen.integers(0, 4, len(who))
            self._add(
                self._times(who, night),
                who,
                cp,
                self._cents(amount, len(who)),
                direction,
                txn_type,
                direction == OUT,
            )

    def _follow_ups(
        self,
        incomes: list[tuple[np.ndarray, ...]],
        saver: np.ndarray,
        cash_user: np.ndarray,
        transit: np.ndarray,
    ) -> None:
        """What savers, cash users and transit clients do right after an income arrives."""
        ts = np.concatenate([p[0] for p in incomes])
        who = np.concatenate([p[1] for p in incomes])
        cents = np.concatenate([p[3] for p in incomes])
        for mask, delay, share, txn_type in (
            (saver, (0.5, 12), (0.2, 0.6), codes.TRANSFER_OUT),
            (cash_user, (2, 30), (0.2, 0.5), codes.ATM),
            (transit, (2, 72), (0.9, 1.0), codes.TRANSFER_OUT),
        ):
            pick = mask[who]
            w = who[pick]
            t = ts[pick] + np.round(self.gen.uniform(*delay, len(w)) * HOUR).astype(np.int64)
            c = np.maximum(np.round(cents[pick] * self.gen.uniform(*share, len(w))), 1).astype(np.int64)
            if txn_type == codes.ATM:
                cp = np.full(len(w), NONE, np.int64)
            elif mask is saver:  # to the saver's own account elsewhere
                cp = codes.SAVINGS + w + self.first
            else:  # the transit client's other account: their first payee slot
                cp = codes.PAYEES + 4 * (w + self.first)
            keep = t < self.end
            self._add(t[keep], w[keep], cp[keep], c[keep], OUT, txn_type, False)

    def _finish(self, budget: np.ndarray) -> Columns:
        """Scale everyday spending to each client's budget, mark declines, shift to client indices."""
        ts, who, cp, cents, direction, txn_type, scalable = (
            np.concatenate([p[i] for p in self.parts]) for i in range(7)
        )
        inside = (ts >= self.start) & (ts < self.end)
        ts, who, cp, cents, direction, txn_type, scalable = (
            a[inside] for a in (ts, who, cp, cents, direction, txn_type, scalable)
        )
        income = np.bincount(who, weights=np.where(direction == IN, cents, 0), minlength=self.count)
        fixed = np.bincount(
            who, weights=np.where((direction == OUT) & ~scalable, cents, 0), minlength=self.count
        )
        flexible = np.bincount(who, weights=np.where(scalable, cents, 0), minlength=self.count)
        target = np.maximum(budget * income - fixed, 0.05 * flexible)
        factor = np.divide(target, flexible, out=np.ones(self.count), where=flexible > 0)
        cents = np.where(scalable, np.maximum(np.round(cents * factor[who]), 1), cents).astype(np.int64)
        refusable = np.isin(txn_type, (codes.CARD, codes.ONLINE, codes.ATM))
        declined = refusable & (self.gen.random(len(ts)) < self.s.decline_share)
        return Columns(
            ts=ts.astype(np.int64),
            client=who.astype(np.int64) + self.first,
            cp=cp.astype(np.int64),
            cents=cents,
            direction=direction.astype(np.int64),
            txn_type=txn_type.astype(np.int64),
            status=np.where(declined, DECLINED, APPROVED).astype(np.int64),
            rule=np.where(declined, codes.RULE_FUNDS, NONE).astype(np.int64),
        )


def _month_starts(start: int, end: int) -> np.ndarray:
    """Epoch seconds of the first day of every month that overlaps [start, end)."""
    moment = datetime.fromtimestamp(start, UTC).replace(day=1, hour=0, minute=0, second=0)
    out = []
    while int(moment.timestamp()) < end:
        out.append(int(moment.timestamp()))
        moment = moment.replace(year=moment.year + (moment.month == 12), month=moment.month % 12 + 1)
    return np.array(out, dtype=np.int64)
