"""Deterministic sample CloudWatch exports of the balance-sync Lambda.

`generate` writes five log files in the format of contracts/lambda_logs.md: ~300
subscribers from 2024-03-01 to 2024-05-15 UTC, a weekly rhythm with the Eid al-Fitr 2024
order spike, SQS batches, JSON structured-logging lines, one CRLF file, one gzip file,
one file of an older runtime (long strings split with `+`), non-sync errors, and one
truncated (malformed) block. Some subscribers drift out of sync and, days later, into
overdraft; a few are out of sync at the end of the logs (the at-risk list).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import math
import random
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path

from analytics.fileio import atomic_write

SEED = 20240410
FIRST_DAY = date(2024, 3, 1)
LAST_DAY = date(2024, 5, 15)
EID_AL_FITR = date(2024, 4, 10)
RAMADAN = (date(2024, 3, 11), date(2024, 4, 9))
N_USERS = 300
SECOND = 1000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR
BATCH_WINDOW = 45 * SECOND
BREAK_LENGTH = 80  # util.inspect's breakLength
SPLIT_CHUNK = 48  # width of the pieces of a long string in the older runtime's output
REGION = "me-south-1"
SYNC_MESSAGE = "Subscription balance and payment balance are not in sync"
SYNC_MESSAGE_VARIANT = "Subscription balance is Out Of Sync with the payment balance"
PUBLISHED = "SubscriptionBalanceUpdated event published"
START_SYNC = "Start syncing the balance"

WEEKDAY_DEMAND = (1.0, 1.0, 1.05, 1.3, 0.55, 0.75, 1.1)  # Mon..Sun; GCC weekend Fri-Sat
EID_DEMAND = {-3: 1.6, -2: 2.2, -1: 2.8, 0: 3.0, 1: 2.6, 2: 2.0, 3: 1.5}  # days from Eid
WAVES = ((8 * 60, 0.55), (14 * 60 + 20, 0.45))  # lunch, dinner dispatch (UTC minutes)
RAMADAN_WAVES = ((13 * 60 + 30, 0.7), (20 * 60 + 15, 0.3))  # before iftar, suhoor

DRIFT_OVERDRAFT_STARTS = (
    date(2024, 3, 6), date(2024, 3, 10), date(2024, 3, 14), date(2024, 3, 19),
    date(2024, 3, 23), date(2024, 3, 27), date(2024, 4, 1), date(2024, 4, 5),
    date(2024, 4, 9), date(2024, 4, 14), date(2024, 4, 18), date(2024, 4, 22),
    date(2024, 4, 26), date(2024, 4, 30),
)
LEAD_DAYS = (3, 6, 1, 8, 4, 9, 2, 5, 7, 3, 6, 2, 9, 4)  # debits from drift to overdraft
DRIFT_RECOVERED_STARTS = (date(2024, 3, 15), date(2024, 4, 2), date(2024, 4, 17), date(2024, 4, 29))
AT_RISK_STARTS = (date(2024, 5, 9), date(2024, 5, 11), date(2024, 5, 12), date(2024, 5, 13))
OVERDRAFT_NO_SYNC_STARTS = (date(2024, 3, 18), date(2024, 4, 8))

NOTES = (
    "Gate code 4411\nCall on arrival",
    "اترك الطلب عند الباب",
    'Ring twice, "Villa 12"',
    "Customer's building, 3rd floor",
)
PLANS = ("Chef's Choice", "Lean", "Family Box")
REFUND_REASONS = (
    "Late delivery",
    "Customer's meal arrived cold",
    'Driver marked "delivered" but customer\'s door cam shows nobody',
    "Customer's note: \"use `side` door\"",
)
CONDITIONAL_STACK = (
    "    at throwDefaultError (/var/runtime/node_modules/@aws-sdk/node_modules/"
    "@smithy/smithy-client/dist-cjs/index.js:838:20)",
    "    at /var/runtime/node_modules/@aws-sdk/node_modules/@smithy/smithy-client/"
    "dist-cjs/index.js:847:5",
    "    at de_CommandError (/var/runtime/node_modules/@aws-sdk/client-dynamodb/"
    "dist-cjs/index.js:2176:14)",
    "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
)
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
IDENTIFIER = re.compile(r"\A[A-Za-z_][A-Za-z_0-9]*\Z")
CHAR_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b", "\f": "\\f",
                "\v": "\\x0B", "\\": "\\\\"}


class _Undefined:
    """JavaScript's undefined: util.inspect prints it, JSON.stringify drops the key."""


UNDEFINED = _Undefined()
MISSING = object()  # a key left out of the logged object


@dataclass(frozen=True)
class Currency:
    """Pricing of one currency: minor-unit decimals, VAT rate, weight, meal prices."""

    decimals: int
    vat_rate: float
    weight: int
    price_range: tuple[int, int]
    price_step: int


CURRENCIES = {
    "SAR": Currency(2, 0.15, 34, (3500, 7500), 50),
    "AED": Currency(2, 0.05, 30, (3500, 7000), 50),
    "KWD": Currency(3, 0.0, 12, (2500, 6000), 250),
    "BHD": Currency(3, 0.10, 12, (2500, 6000), 250),
    "QAR": Currency(2, 0.0, 12, (3500, 7000), 50),
}


@dataclass
class User:
    """One subscriber: id, currency, meal price (minor units), daily order rate."""

    id: str
    currency: str
    price: int
    rate: float
    renewal_day: int | None
    archetype: str = "regular"


@dataclass
class Txn:
    """One balance update as the Lambda logs it; amounts in minor units."""

    at: int
    id: str
    user: User
    type: str
    source: str
    action: str
    amount: int
    old: int
    new: int
    payment: int
    update_payment: bool
    metadata: str
    reason: str | None = None
    vat: object = 0
    currency: object = None
    direct: bool = False
    conditional_error: bool = False
    sync_message: str = SYNC_MESSAGE

    @property
    def in_sync(self) -> bool:
        """Whether subscription and payment balance agree after the update."""
        return self.new == self.payment


@dataclass
class Message:
    """One SQS message (or direct invocation); kind is txn, timeout or skip."""

    at: int
    id: str
    kind: str = "txn"
    txn: Txn | None = None
    user_id: str | None = None

    @property
    def solo(self) -> bool:
        """Whether the message runs in a request of its own."""
        return self.kind == "timeout" or (self.txn is not None and self.txn.direct)


@dataclass(frozen=True)
class FileStyle:
    """How one exported file looks."""

    name: str
    first: date
    last: date
    runtime: str
    split_strings: bool = False
    json_share: float = 0.0
    json_days: tuple[date, date] | None = None
    crlf: bool = False
    gzip: bool = False
    malformed_after: date | None = None


FILES = (
    FileStyle("balance-sync_2024-03-01_2024-03-20.log", date(2024, 3, 1), date(2024, 3, 20),
              "nodejs:16.v27", split_strings=True),
    FileStyle("balance-sync_2024-03-21_2024-04-05.log", date(2024, 3, 21), date(2024, 4, 5),
              "nodejs:20.v19", json_share=1.0, json_days=(date(2024, 3, 28), date(2024, 3, 31))),
    FileStyle("balance-sync_2024-04-06_2024-04-20.log", date(2024, 4, 6), date(2024, 4, 20),
              "nodejs:20.v19", crlf=True),
    FileStyle("balance-sync_2024-04-21_2024-05-05.log.gz", date(2024, 4, 21), date(2024, 5, 5),
              "nodejs:20.v19", gzip=True),
    FileStyle("balance-sync_2024-05-06_2024-05-15.log", date(2024, 5, 6), date(2024, 5, 15),
              "nodejs:20.v19", json_share=0.12, malformed_after=date(2024, 5, 8)),
)


# --- small helpers -----------------------------------------------------------------------

def _day_start(day: date) -> int:
    """Milliseconds since the epoch at 00:00 UTC of day."""
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) * SECOND


def _ts(ms: int) -> str:
    """ISO timestamp with milliseconds, as CloudWatch prints it."""
    moment = datetime.fromtimestamp(ms // SECOND, tz=UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{ms % SECOND:03d}Z"


def _uuid(rng: random.Random) -> str:
    """A version-4 UUID drawn from rng."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _ulid(rng: random.Random, at: int) -> str:
    """A ULID: 48-bit millisecond time then 80 random bits, Crockford base32."""
    value = (at << 80) | rng.getrandbits(80)
    return "".join(CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(26)))


def _poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw by Knuth's method (lam is small here)."""
    limit, count, product = pow(2.718281828459045, -lam), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _money(units: int, currency: str) -> int | float:
    """Minor units as the number Node prints (8, 16.4, -1.8)."""
    scale = 10 ** CURRENCIES[currency].decimals
    return units // scale if units % scale == 0 else units / scale


def _js_number(value: float) -> str:
    """A number in Node's shortest form."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value)


def _demand(day: date) -> float:
    """Order demand factor of a day: weekly rhythm times the Eid al-Fitr spike."""
    return WEEKDAY_DEMAND[day.weekday()] * EID_DEMAND.get((day - EID_AL_FITR).days, 1.0)


def _in_ramadan(day: date) -> bool:
    """Whether day falls in Ramadan 2024 (GCC)."""
    return RAMADAN[0] <= day <= RAMADAN[1]


# --- util.inspect ------------------------------------------------------------------------

def _js_string(text: str) -> str:
    """Quote text as util.inspect does: ', else " or ` when the text holds a '."""
    quote = "'"
    if "'" in text:
        if '"' not in text:
            quote = '"'
        elif "`" not in text and "${" not in text:
            quote = "`"
    return quote + "".join(_js_char(ch, quote) for ch in text) + quote


def _js_char(ch: str, quote: str) -> str:
    """One character of a quoted string, escaped when needed."""
    if ch == quote:
        return "\\" + ch
    if ch in CHAR_ESCAPES:
        return CHAR_ESCAPES[ch]
    if ch < " " or ch == "\x7f":
        return f"\\x{ord(ch):02X}"
    return ch


def _inspect_string(text: str, indent: int, split: bool) -> str:
    """A string literal; older runtimes split a long one as 'abc' + newline 'def'."""
    if not split or len(text) <= 16 or indent + len(text) <= BREAK_LENGTH - 4:
        return _js_string(text)
    pieces = [text[i:i + SPLIT_CHUNK] for i in range(0, len(text), SPLIT_CHUNK)]
    return f" +\n{' ' * (indent + 2)}".join(_js_string(piece) for piece in pieces)


def _inspect(value: object, indent: int = 0, split: bool = False) -> str:
    """Node's util.inspect output of value (objects, strings, numbers, literals)."""
    if isinstance(value, dict):
        return _inspect_object(value, indent, split)
    if isinstance(value, str):
        return _inspect_string(value, indent, split)
    if value is None:
        return "null"
    if value is UNDEFINED:
        return "undefined"
    if isinstance(value, bool):
        return "true" if value else "false"
    return _js_number(value)  # type: ignore[arg-type]


def _inspect_object(obj: dict, indent: int, split: bool) -> str:
    """An object on one line when it fits in breakLength, else one entry a line."""
    if not obj:
        return "{}"
    entries = [f"{_js_key(key)}: {_inspect(val, indent + 2, split)}" for key, val in obj.items()]
    width = 2 * len(entries) + indent + 11 + sum(len(entry) for entry in entries)
    if width <= BREAK_LENGTH and not any("\n" in entry for entry in entries):
        return "{ " + ", ".join(entries) + " }"
    pad = "\n" + " " * indent
    return "{" + pad + "  " + ("," + pad + "  ").join(entries) + pad + "}"


def _js_key(key: str) -> str:
    """An object key, quoted only when it is not an identifier."""
    return key if IDENTIFIER.match(key) else _js_string(key)


# --- subscribers ---------------------------------------------------------------------------

def _make_users(rng: random.Random) -> list[User]:
    """300 subscribers; some of them get an archetype (drift, overdraft, at risk)."""
    codes = list(CURRENCIES)
    weights = [CURRENCIES[code].weight for code in codes]
    users = []
    for _ in range(N_USERS):
        code = rng.choices(codes, weights)[0]
        low, high = CURRENCIES[code].price_range
        price = rng.randrange(low, high + 1, CURRENCIES[code].price_step)
        renewal = rng.randint(1, 28) if rng.random() < 0.25 else None
        rate = 0.1 + 0.1 * rng.random() if renewal else 0.015 + 0.035 * rng.random()
        users.append(User(_uuid(rng), code, price, rate, renewal))
    archetypes = (["drift_overdraft"] * len(DRIFT_OVERDRAFT_STARTS)
                  + ["drift_recovered"] * len(DRIFT_RECOVERED_STARTS)
                  + ["at_risk"] * len(AT_RISK_STARTS)
                  + ["overdraft_no_sync"] * len(OVERDRAFT_NO_SYNC_STARTS))
    for index, archetype in zip(rng.sample(range(N_USERS), len(archetypes)), archetypes,
                                strict=True):
        users[index].archetype = archetype
        users[index].rate = 0.3 + 0.1 * rng.random()
        users[index].renewal_day = None
    return users


def _delivery_metadata(rng: random.Random, user: User) -> tuple[str, str]:
    """Metadata JSON of a delivery deduction, and its delivery id."""
    delivery = _uuid(rng)
    meta = {"walletId": f"wallet#{user.id}", "deliveryId": delivery, "walletSk": delivery}
    if rng.random() < 0.08:
        meta["note"] = rng.choice(NOTES)
    return json.dumps(meta, ensure_ascii=False, separators=(",", ":")), delivery


def _order_metadata(rng: random.Random, user: User, at: int) -> str:
    """Metadata JSON of an order deduction."""
    order = f"ORD-{_ts(at)[2:10].replace('-', '')}-{rng.randint(100000, 999999)}"
    meta = {"walletId": f"wallet#{user.id}", "orderId": order, "items": rng.randint(1, 4),
            "walletSk": f"order#{order}"}
    return json.dumps(meta, separators=(",", ":"))


def _plan_meals(user: User) -> int:
    """Meals in a subscriber's monthly plan: a multiple of 5 covering the usual orders."""
    return 5 * max(1, round(user.rate * 30 / 5))


def _credit_metadata(rng: random.Random, user: User, source: str, ref: str = "") -> str:
    """Metadata JSON of a top-up, renewal, refund or correction."""
    meta: dict[str, object] = {"walletId": f"wallet#{user.id}"}
    if source == "TOP_UP":
        meta |= {"paymentId": f"chg_{rng.getrandbits(96):024x}",
                 "provider": rng.choice(("tap", "checkout", "apple_pay"))}
    elif source == "SUBSCRIPTION_RENEWAL":
        plan = f"{rng.choice(PLANS)} — {_plan_meals(user)} meals"
        meta |= {"subscriptionId": f"sub_{rng.getrandbits(64):016x}", "plan": plan}
    elif source == "REFUND":
        meta |= {"deliveryId": ref, "walletSk": ref}
    else:
        meta |= {"ticket": f"OPS-{rng.randint(1000, 9999)}"}
    return json.dumps(meta, ensure_ascii=False, separators=(",", ":"))


# --- balance simulation --------------------------------------------------------------------

@dataclass
class _Sim:
    """One subscriber's wallet over time: subscription and payment balance."""

    rng: random.Random
    user: User
    balance: int
    payment: int
    last: int
    txns: list[Txn] = field(default_factory=list)
    pending: list[tuple[int, str, int, str]] = field(default_factory=list)

    def post(self, at: int, kind: tuple[str, str, str], amount: int, metadata: str,
             payment: int | None = None, update_payment: bool = True) -> Txn:
        """Apply one credit or debit and record it (time strictly after the last one)."""
        at = max(at, self.last + SECOND)
        sign = -1 if kind[0] == "DEBIT" else 1
        old, self.balance = self.balance, self.balance + sign * amount
        if payment is not None:
            self.payment = payment
        elif update_payment:
            self.payment += sign * amount
        txn = Txn(at, _ulid(self.rng, at), self.user, *kind, amount, old, self.balance,
                  self.payment, update_payment, metadata, currency=self.user.currency)
        self.last = at
        self.txns.append(txn)
        return txn

    def debit(self, at: int, amount: int, payment: int | None = None) -> Txn:
        """A delivery (mostly) or order deduction."""
        if self.rng.random() < 0.75:
            metadata, _ = _delivery_metadata(self.rng, self.user)
            kind = ("DEBIT", "MANUAL_DEDUCTION", "DELIVERY_DEDUCTION")
        else:
            metadata = _order_metadata(self.rng, self.user, at)
            kind = ("DEBIT", "ORDER_SERVICE", "ORDER_DEDUCTION")
        txn = self.post(at, kind, amount, metadata, payment)
        rate = CURRENCIES[self.user.currency].vat_rate
        txn.vat = round(amount * rate / (1 + rate))
        return txn

    def top_up(self, at: int, meals: int | None = None, extra: int = 0) -> Txn:
        """The subscriber tops the wallet up."""
        meals = meals or self.rng.choice((10, 15, 20, 30))
        meta = _credit_metadata(self.rng, self.user, "TOP_UP")
        return self.post(at, ("CREDIT", "TOP_UP", "WALLET_TOP_UP"), meals * self.user.price + extra,
                         meta)

    def renew(self, at: int) -> Txn:
        """The monthly plan renewal credits the plan's meals."""
        meta = _credit_metadata(self.rng, self.user, "SUBSCRIPTION_RENEWAL")
        return self.post(at, ("CREDIT", "SUBSCRIPTION_RENEWAL", "PLAN_RENEWAL"),
                         _plan_meals(self.user) * self.user.price, meta)

    def refund(self, at: int, amount: int, delivery: str) -> Txn:
        """A refund of a delivery; its vat is sometimes left undefined."""
        meta = _credit_metadata(self.rng, self.user, "REFUND", delivery)
        txn = self.post(at, ("CREDIT", "REFUND", "DELIVERY_REFUND"), amount, meta)
        txn.reason = self.rng.choice(REFUND_REASONS)
        txn.vat = UNDEFINED if self.rng.random() < 0.3 else 0
        return txn

    def correct(self, at: int) -> Txn:
        """Ops align the subscription balance with the payment balance (a direct call)."""
        meta = _credit_metadata(self.rng, self.user, "BALANCE_RECONCILIATION")
        txn = self.post(at, ("DEBIT", "BALANCE_RECONCILIATION", "BALANCE_CORRECTION"),
                        self.balance - self.payment, meta, update_payment=False)
        txn.reason, txn.direct = "Align subscription balance with payment balance", True
        return txn

    def order(self, at: int, day: date) -> None:
        """A regular order: top up first if short, schedule a top-up or refund later."""
        near_eid = abs((day - EID_AL_FITR).days) <= 3
        amount = self.user.price * (2 if self.rng.random() < (0.3 if near_eid else 0.12) else 1)
        if self.balance < amount:
            self.top_up(at - self.rng.randint(3, 90) * MINUTE)
        txn = self.debit(at, amount)
        if self.balance < 2 * self.user.price and all(p[1] != "topup" for p in self.pending):
            self.pending.append((txn.at + self.rng.randint(1, 30) * HOUR, "topup", 0, ""))
        if txn.action == "DELIVERY_DEDUCTION" and self.rng.random() < 0.02:
            delivery = json.loads(txn.metadata)["deliveryId"]
            self.pending.append((txn.at + self.rng.randint(20, 50) * HOUR, "refund", amount,
                                 delivery))

    def flush(self, until: int) -> None:
        """Apply the scheduled top-ups and refunds due by until."""
        self.pending.sort()
        while self.pending and self.pending[0][0] <= until:
            at, kind, amount, ref = self.pending.pop(0)
            if kind == "refund":
                self.refund(at, amount, ref)
            elif self.balance < 2 * self.user.price:
                self.top_up(at)


def _order_time(rng: random.Random, day: date, wave: int | None = None) -> int:
    """A dispatch time: a meal wave, a 5-minute kitchen burst, a few seconds of jitter."""
    waves = RAMADAN_WAVES if _in_ramadan(day) else WAVES
    minute = waves[wave][0] if wave is not None else rng.choices(
        [w[0] for w in waves], [w[1] for w in waves])[0]
    burst = minute + 5 * rng.randint(0, 5)
    return _day_start(day) + burst * MINUTE + rng.randint(0, 40 * SECOND)


def _regular_day(sim: _Sim, day: date) -> None:
    """One ordinary day: a renewal on the renewal day, orders by demand."""
    start = _day_start(day)
    if sim.user.renewal_day == day.day:
        at = start + sim.rng.randint(5 * MINUTE, 40 * MINUTE)
        sim.flush(at)
        sim.renew(at)
    count = _poisson(sim.rng, sim.user.rate * _demand(day))
    for at in sorted(_order_time(sim.rng, day) for _ in range(count)):
        sim.flush(at)
        sim.order(at, day)
    sim.flush(start + DAY - 1)


def _drift(sim: _Sim, day: date, payment_in_meals: float) -> None:
    """A debit whose payment balance comes from a stale value (after a top-up if needed)."""
    price = sim.user.price
    payment = round(price * payment_in_meals)
    if sim.balance - price < payment + price:
        meals = math.ceil(payment_in_meals) + sim.rng.randint(2, 6)
        sim.top_up(_day_start(day) + sim.rng.randint(6 * HOUR, 7 * HOUR), meals)
    sim.debit(_order_time(sim.rng, day, 0), price, payment=payment)


def _daily_debits(sim: _Sim, first: date, days: int) -> None:
    """One lunch-wave debit a day for days days from first."""
    for offset in range(days):
        day = first + timedelta(days=offset)
        sim.debit(_order_time(sim.rng, day, 0), sim.user.price)


def _drift_to_overdraft(sim: _Sim, day: date, lead: int) -> date:
    """Drift, then the lead-th daily debit takes the payment balance below zero."""
    _drift(sim, day, lead - 0.5)
    tail = sim.rng.randint(1, 2)
    _daily_debits(sim, day + timedelta(days=1), lead + tail)
    end = day + timedelta(days=lead + tail + 1)
    noon = _day_start(end) + sim.rng.randint(9 * HOUR, 12 * HOUR)
    sim.top_up(noon, 20, extra=-sim.payment)
    sim.correct(noon + sim.rng.randint(2 * HOUR, 5 * HOUR))
    return end


def _drift_recovered(sim: _Sim, day: date, days: int) -> date:
    """Drift, a few daily debits with a positive payment balance, then a correction."""
    _drift(sim, day, days + sim.rng.randint(5, 8))
    _daily_debits(sim, day + timedelta(days=1), days)
    end = day + timedelta(days=days + 1)
    sim.correct(_day_start(end) + sim.rng.randint(9 * HOUR, 15 * HOUR))
    return end


def _at_risk(sim: _Sim, day: date) -> date:
    """Drift near the end; daily debits to the last day, payment balance still positive."""
    remaining = (LAST_DAY - day).days
    _drift(sim, day, remaining + sim.rng.randint(2, 5) + 0.5)
    _daily_debits(sim, day + timedelta(days=1), remaining)
    return LAST_DAY


def _overdraft_no_sync(sim: _Sim, day: date) -> date:
    """In sync, but top-ups fail: daily debits until both balances are below zero."""
    while day <= LAST_DAY and sim.balance >= 0:
        _daily_debits(sim, day, 1)
        day += timedelta(days=1)
    if sim.rng.random() < 0.5 and day <= LAST_DAY:
        _daily_debits(sim, day, 1)
        day += timedelta(days=1)
    if day <= LAST_DAY:
        sim.top_up(_day_start(day) + 10 * HOUR, 20, extra=-sim.balance)
    return min(day, LAST_DAY)


def _plans(users: list[User]) -> dict[str, tuple[date, Callable[[_Sim, date], date]]]:
    """The scripted window of each archetype user: its first day and its script."""
    plans: dict[str, tuple[date, Callable[[_Sim, date], date]]] = {}
    by_type: dict[str, list[User]] = {}
    for user in users:
        by_type.setdefault(user.archetype, []).append(user)
    for user, start, lead in zip(by_type["drift_overdraft"], DRIFT_OVERDRAFT_STARTS, LEAD_DAYS,
                                 strict=True):
        plans[user.id] = (start, partial(_drift_to_overdraft, lead=lead))
    for index, (user, start) in enumerate(zip(by_type["drift_recovered"], DRIFT_RECOVERED_STARTS,
                                              strict=True)):
        plans[user.id] = (start, partial(_drift_recovered, days=2 + index))
    for user, start in zip(by_type["at_risk"], AT_RISK_STARTS, strict=True):
        plans[user.id] = (start, _at_risk)
    for user, start in zip(by_type["overdraft_no_sync"], OVERDRAFT_NO_SYNC_STARTS, strict=True):
        plans[user.id] = (start, _overdraft_no_sync)
    return plans


def _simulate(rng: random.Random, user: User,
              plan: tuple[date, Callable[[_Sim, date], date]] | None) -> list[Txn]:
    """All transactions of one subscriber, regular days around its scripted window."""
    opening = rng.randint(3, 20) * user.price
    sim = _Sim(rng, user, opening, opening, _day_start(FIRST_DAY))
    day = FIRST_DAY
    while day <= LAST_DAY:
        if plan is not None and day == plan[0]:
            sim.flush(_day_start(day))
            sim.pending.clear()
            day = plan[1](sim, day) + timedelta(days=1)
            continue
        _regular_day(sim, day)
        day += timedelta(days=1)
    if not sim.txns:  # a subscriber who topped up but has not ordered yet
        sim.top_up(_day_start(FIRST_DAY) + rng.randint(0, (LAST_DAY - FIRST_DAY).days * DAY))
    return sim.txns


def _decorate(rng: random.Random, users: list[User], txns: list[Txn]) -> None:
    """Direct invocations, non-sync errors, missing/null currencies, one odd wording."""
    regular = [t for t in txns if t.user.archetype == "regular"]
    for txn in txns:
        txn.direct = txn.direct or rng.random() < 0.05
    for txn in rng.sample(regular, 8):
        txn.conditional_error = True
    for txn in rng.sample(regular, 5):
        txn.currency = MISSING
    for txn in rng.sample(regular, 5):
        txn.currency = None
    drifted = next(u for u in users if u.archetype == "drift_overdraft")
    out_of_sync = [t for t in txns if t.user is drifted and not t.in_sync]
    out_of_sync[1].sync_message = SYNC_MESSAGE_VARIANT


def _messages(rng: random.Random, users: list[User], txns: list[Txn]) -> list[Message]:
    """One message per transaction plus timed-out and skipped messages, in time order."""
    messages = [Message(t.at, _uuid(rng), txn=t, user_id=t.user.id) for t in txns]
    span = (LAST_DAY - FIRST_DAY).days
    for kind, count in (("timeout", 6), ("skip", 15)):
        for _ in range(count):
            day = FIRST_DAY + timedelta(days=rng.randint(0, span))
            messages.append(Message(_order_time(rng, day), _uuid(rng), kind,
                                    user_id=rng.choice(users).id))
    return sorted(messages, key=lambda m: (m.at, m.id))


def _batches(rng: random.Random, messages: list[Message]) -> list[list[Message]]:
    """Group messages into requests: SQS batches of 2-4 when they arrive together."""
    batches, index = [], 0
    while index < len(messages):
        first = messages[index]
        size = 1 if first.solo else rng.choices((1, 2, 3, 4), (45, 30, 15, 10))[0]
        batch = [first]
        while len(batch) < size and index + len(batch) < len(messages):
            following = messages[index + len(batch)]
            if following.solo or following.at - first.at > BATCH_WINDOW:
                break
            batch.append(following)
        batches.append(batch)
        index += len(batch)
    return batches


# --- rendering -----------------------------------------------------------------------------

def _txn_fields(txn: Txn) -> dict[str, object]:
    """The logged transaction object (keys in the Lambda's order)."""
    code = txn.user.currency
    fields: dict[str, object] = {
        "id": txn.id, "type": txn.type, "source": txn.source, "action": txn.action,
        "userId": txn.user.id, "paymentBalance": _money(txn.payment, code),
        "updatePaymentBalance": txn.update_payment, "metadata": txn.metadata,
    }
    if txn.reason is not None:
        fields["reason"] = txn.reason
    if txn.currency is not MISSING:
        fields["currency"] = txn.currency
    vat = txn.vat if txn.vat is UNDEFINED else _money(txn.vat, code)  # type: ignore[arg-type]
    fields |= {"amount": _money(txn.amount, code), "vat": vat,
               "oldBalance": _money(txn.old, code), "newBalance": _money(txn.new, code)}
    return fields


def _sync_fields(txn: Txn) -> dict[str, object]:
    """The object logged with a sync error."""
    code = txn.user.currency
    return {"userId": txn.user.id, "transactionId": txn.id,
            "subscriptionBalance": _money(txn.new, code),
            "paymentBalance": _money(txn.payment, code)}


def _json_value(fields: dict[str, object]) -> dict[str, object]:
    """Fields as JSON.stringify keeps them (undefined dropped, also in nested objects)."""
    return {key: _json_value(value) if isinstance(value, dict) else value
            for key, value in fields.items() if value is not UNDEFINED}


def _runtime_arn(runtime: str) -> str:
    """A stable runtime version ARN for a runtime name."""
    digest = hashlib.sha256(runtime.encode()).hexdigest()
    return f"arn:aws:lambda:{REGION}::runtime:{digest}"


@dataclass
class _Output:
    """Lines of one file and what is known about them."""

    style: FileStyle
    lines: list[str] = field(default_factory=list)
    records: int = 0


class _Renderer:
    """Writes requests as log records, advancing one Lambda container's clock."""

    def __init__(self, rng: random.Random) -> None:
        """Start with an idle container."""
        self.rng = rng
        self.clock = 0
        self.out: _Output | None = None
        self.request_id = ""
        self.json_variant: str | None = None
        self.malformed: tuple[str, int, int, Txn] | None = None

    def tick(self, low: int, high: int) -> int:
        """Advance the clock by a random number of milliseconds."""
        self.clock += self.rng.randint(low, high)
        return self.clock

    def emit(self, lines: list[str]) -> None:
        """Append one record (its first line plus continuation lines)."""
        assert self.out is not None
        self.out.lines.extend(lines)
        self.out.records += 1

    def platform(self, text: str) -> None:
        """A platform record (START, END, REPORT, INIT_START)."""
        self.emit([f"{_ts(self.clock)} {text}"])

    def app(self, level: str, text: str, label: str | None = None,
            fields: dict[str, object] | None = None) -> None:
        """An application record: text, or JSON with fields or with the whole text."""
        stamp = _ts(self.clock)
        if self.json_variant is None:
            self.emit(f"{stamp} {stamp}\t{self.request_id}\t{level}\t{text}".split("\n"))
            return
        record: dict[str, object] = {"timestamp": stamp, "level": level,
                                     "requestId": self.request_id, "message": text}
        if self.json_variant == "fields" and fields is not None:
            record["message"] = label or text
            record |= _json_value(fields)
        self.emit([json.dumps(record, ensure_ascii=False, separators=(",", ":"))])

    def inspect(self, value: object) -> str:
        """util.inspect text in the current file's runtime."""
        assert self.out is not None
        return _inspect(value, split=self.out.style.split_strings)

    def request(self, out: _Output, batch: list[Message]) -> None:
        """One invocation: platform records around its messages."""
        start = max(batch[0].at + self.rng.randint(30, 900), self.clock + self.rng.randint(3, 60))
        cold = self.out is not out or start - self.clock > 25 * MINUTE or self.rng.random() < 0.01
        self.out, self.clock, self.request_id = out, start, _uuid(self.rng)
        self.json_variant = self._json_variant(start)
        init = ""
        if cold:
            runtime = out.style.runtime
            self.platform(f"INIT_START Runtime Version: {runtime}\t"
                          f"Runtime Version ARN: {_runtime_arn(runtime)}")
            init_ms = self.rng.randint(180, 520)
            init = f"\tInit Duration: {init_ms}.{self.rng.randint(0, 99):02d} ms"
            self.tick(init_ms, init_ms + 20)
        began = self.clock
        self.platform(f"START RequestId: {self.request_id} Version: $LATEST")
        status = ""
        for message in batch:
            if self._is_cut(out, batch):
                self._truncated(message)
                return
            status = self.message(message) or status
        self.tick(2, 20)
        self.platform(f"END RequestId: {self.request_id}")
        duration = self.clock - began
        self.tick(0, 2)
        self.platform(f"REPORT RequestId: {self.request_id}\tDuration: {duration}."
                      f"{self.rng.randint(0, 99):02d} ms\tBilled Duration: {duration + 1} ms\t"
                      f"Memory Size: 256 MB\tMax Memory Used: {self.rng.randint(84, 131)} MB"
                      f"{init}{status}")

    def _json_variant(self, start: int) -> str | None:
        """Whether this request logs JSON lines, and which kind."""
        assert self.out is not None
        style = self.out.style
        day = datetime.fromtimestamp(start // SECOND, tz=UTC).date()
        if style.json_days is not None and not style.json_days[0] <= day <= style.json_days[1]:
            return None
        if self.rng.random() >= style.json_share:
            return None
        return self.rng.choice(("fields", "text"))

    def _is_cut(self, out: _Output, batch: list[Message]) -> bool:
        """Whether this is the one request whose export chunk ends mid-object."""
        after = out.style.malformed_after
        txn = batch[0].txn
        return (after is not None and self.malformed is None and len(batch) == 1
                and self.clock >= _day_start(after) + 12 * HOUR and self.json_variant is None
                and txn is not None and txn.user.archetype == "regular" and not txn.direct
                and txn.in_sync and not txn.conditional_error and txn.currency is not MISSING)

    def _truncated(self, message: Message) -> None:
        """Processing line, then the transaction object cut off mid-line (no END/REPORT)."""
        assert self.out is not None and message.txn is not None
        self.tick(2, 40)
        self.app("INFO", f"Processing message {message.id}")
        self.tick(20, 160)
        stamp = _ts(self.clock)
        text = f"{stamp} {stamp}\t{self.request_id}\tINFO\t{START_SYNC} "
        lines = (text + self.inspect({"transaction": _txn_fields(message.txn)})).split("\n")
        first = len(self.out.lines) + 1
        kept = [*lines[:7], lines[7][: len(lines[7]) // 2]]
        self.emit(kept)
        self.malformed = (self.out.style.name, first, first + len(kept) - 1, message.txn)
        self.clock += 2 * SECOND

    def message(self, message: Message) -> str:
        """The records of one message; returns a REPORT status suffix, if any."""
        self.tick(2, 40)
        txn = message.txn
        if txn is None or not txn.direct:
            self.app("INFO", f"Processing message {message.id}")
        if message.kind == "timeout":
            self.tick(40, 120)
            self.app("INFO", f"Loading subscription of user {message.user_id}")
            self.clock += 6010 - self.rng.randint(100, 300)
            self.app("ERROR", "Task timed out after 6.01 seconds")
            return "\tStatus: timeout"
        if message.kind == "skip":
            self.tick(20, 80)
            info = {"userId": message.user_id, "status": "PAUSED"}
            self.app("INFO", "Skipping message, subscription is paused " + self.inspect(info),
                     "Skipping message, subscription is paused", info)
            return ""
        assert txn is not None
        self.transaction(txn)
        return ""

    def transaction(self, txn: Txn) -> None:
        """Start syncing, any errors, the published event."""
        self.tick(20, 160)
        fields = {"transaction": _txn_fields(txn)}
        self.app("INFO", f"{START_SYNC} {self.inspect(fields)}", START_SYNC, fields)
        if txn.conditional_error:
            self.conditional_error()
        if not txn.in_sync:
            self.tick(5, 40)
            sync = _sync_fields(txn)
            self.app("ERROR", f"{txn.sync_message} {self.inspect(sync)}", txn.sync_message, sync)
        self.tick(60, 260)
        self.app("INFO", PUBLISHED)

    def conditional_error(self) -> None:
        """A DynamoDB conditional-check failure and its successful retry (not a sync error)."""
        self.tick(30, 120)
        dynamo_id = "".join(self.rng.choice(CROCKFORD[10:] + "0123456789") for _ in range(52))
        meta = {"$fault": "client", "$metadata": {
            "httpStatusCode": 400, "requestId": dynamo_id, "extendedRequestId": UNDEFINED,
            "cfId": UNDEFINED, "attempts": 1, "totalRetryDelay": 0},
            "__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException"}
        head = "ConditionalCheckFailedException: The conditional request failed"
        body = self.inspect(meta)
        text = "\n".join([f"Failed to update subscription balance {head}", *CONDITIONAL_STACK])
        fields = {"errorType": "ConditionalCheckFailedException",
                  "errorMessage": "The conditional request failed",
                  "stackTrace": [head, *(line.strip() for line in CONDITIONAL_STACK)]}
        self.app("ERROR", f"{text} {body}", "Failed to update subscription balance", fields)
        self.tick(80, 200)
        retry = {"attempt": 2, "delayMs": 100}
        self.app("INFO", f"Retrying conditional update {self.inspect(retry)}",
                 "Retrying conditional update", retry)


# --- files ---------------------------------------------------------------------------------

def _style_for(day: date) -> FileStyle:
    """The file whose date range holds day."""
    return next(style for style in FILES if style.first <= day <= style.last)


def _render(rng: random.Random, batches: list[list[Message]]) -> tuple[list[_Output], _Renderer]:
    """Render all requests into their files, by the UTC date of the planned start."""
    outputs = {style.name: _Output(style) for style in FILES}
    renderer = _Renderer(rng)
    for batch in batches:
        day = datetime.fromtimestamp(batch[0].at // SECOND, tz=UTC).date()
        renderer.request(outputs[_style_for(day).name], batch)
    return list(outputs.values()), renderer


def _encode(out: _Output) -> bytes:
    """File bytes: UTF-8, LF (or CRLF), gzip with a fixed header when asked."""
    newline = "\r\n" if out.style.crlf else "\n"
    data = (newline.join(out.lines) + newline).encode("utf-8")
    if not out.style.gzip:
        return data
    buffer = io.BytesIO()
    with gzip.GzipFile(filename=out.style.name.removesuffix(".gz"), mode="wb", fileobj=buffer,
                       mtime=0) as archive:
        archive.write(data)
    return buffer.getvalue()


def _write_atomic(path: Path, data: bytes) -> None:
    """Write bytes atomically (analytics.fileio)."""
    atomic_write(path, data)


def _build() -> tuple[list[User], list[Txn], list[_Output], _Renderer]:
    """The whole sample in memory: subscribers, transactions, rendered files."""
    rng = random.Random(SEED)
    users = _make_users(rng)
    plans = _plans(users)
    txns = sorted((t for u in users for t in _simulate(rng, u, plans.get(u.id))),
                  key=lambda t: (t.at, t.id))
    _decorate(rng, users, txns)
    outputs, renderer = _render(rng, _batches(rng, _messages(rng, users, txns)))
    return users, txns, outputs, renderer


def generate(out_dir: Path) -> list[Path]:
    """Write the sample log files under out_dir/lambda_logs; return their paths sorted."""
    folder = Path(out_dir) / "lambda_logs"
    folder.mkdir(parents=True, exist_ok=True)
    _, _, outputs, _ = _build()
    paths = []
    for out in outputs:
        path = folder / out.style.name
        _write_atomic(path, _encode(out))
        paths.append(path)
    return sorted(paths)
