"""Deterministic sample data for the fraud cohort (contract: game_events.md).

`generate` writes `game_events/events.csv` (product-analytics events of a free-to-play
mobile game) and `game_events/manual_fraudsters.csv`. Most players are ordinary and
trip no pattern; a scripted cast trips each of the 15 patterns, sits just on the
other side of a threshold (near misses), or is flagged but kept out of the
fraudsters table by the platform/date rules. The ground truth is in `TRIPPERS`,
`NEAR_MISSES`, `EXCLUDED` and `MANUAL_FRAUDSTERS`.

Data choices the pipeline must cope with: every `purchase_refund`, and every Stash
`purchase_click`, carries the purchase's id (only `purchase_success` rows count for
pattern 14); events without balances (`purchase_click`, `shop_view`, privacy events)
leave the balance columns blank, so pattern 8 compares with the previous event that
carries one. Ambiguous wording is avoided, not relied on: no scripted event sits at
exactly 24 h, and a first purchase in chapters 1-3 never lifts credits above 4,950.
"""

from __future__ import annotations

import csv
import hashlib
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from analytics.fileio import atomic_open

SEED = 20250813
N_ORDINARY = 440
FOLDER = "game_events"
COLUMNS = (
    "distinct_id", "event_time", "event_name", "platform", "install_time", "chapter",
    "credits_balance", "metapoints_balance", "quantity", "price_usd", "payment_platform",
    "transaction_id", "google_order_number", "checkout_id",
)
PLATFORMS = ("ios", "android", "web")
PAYMENT = {"ios": "apple", "android": "googleplay", "web": "stash"}
ID_COLUMN = {"apple": "transaction_id", "googleplay": "google_order_number",
             "stash": "checkout_id"}
BALANCELESS = frozenset({"purchase_click", "shop_view", "privacy_impression",
                         "privacy_agree_click"})
PACK_CREDITS = {0.01: 100, 0.02: 200, 0.99: 1_000, 1.99: 2_200, 2.99: 3_500, 4.99: 6_000,
                9.99: 13_000, 19.99: 28_000, 49.99: 75_000}
PRICES = (0.99, 1.99, 2.99, 4.99, 9.99, 19.99, 49.99)
PRICE_WEIGHTS = (30, 20, 15, 15, 10, 6, 4)
STARTER_PRICES = (0.99, 1.99, 2.99)  # a first purchase in chapters 1-3 stays under 4,950
FIRST_INSTALL = date(2025, 1, 1)
INSTALL_DAYS = 329  # installs up to 2025-11-25
LAST_DAY = date(2025, 11, 30)
TUTORIAL_CAP = 4_900  # ordinary players stay below pattern 12's 4,950
WHALE_CAP = 200_000  # ordinary players stay below pattern 6's 245,000
HARVEST_BUDGET = 10  # net harvests per ordinary session (one session per UTC day)

TRIPPERS: dict[int, tuple[str, ...]] = {
    1: ("p01_a", "p01_b", "p01_c", "p01_excl_ios"),
    2: ("p02_a", "p02_b"),
    3: ("p03_a", "p03_b", "p03_excl_android", "p15_a", "p15_b", "p15_near_a",
        "p15_near_b"),
    4: ("p04_a", "p04_b", "p04_excl_android", "p04_excl_ios"),
    5: ("p05_a", "p05_b", "p05_excl_android"),
    6: ("p06_a", "p06_b", "p06_excl_ios"),
    7: ("p07_a", "p07_b", "p07_c", "p07_excl_android"),
    8: ("p08_a", "p08_b"),
    9: ("p09_a", "p09_b", "p09_excl_ios"),
    10: ("p10_a", "p10_b"),
    11: ("p11_a", "p11_b", "p11_excl_android"),
    12: ("p12_a", "p12_b"),
    13: ("p13_a", "p13_b", "p13_c", "p13_excl_ios"),
    14: ("p14_a", "p14_b", "p14_c", "p14_d", "p14_e"),
    15: ("p15_a", "p15_b"),
}
NEAR_MISSES: dict[int, tuple[str, ...]] = {
    1: ("p01_near_a", "p01_near_b"),
    2: ("p02_near_a", "p02_near_b"),
    3: ("p03_near_a", "p03_near_b"),
    4: ("p04_near_a", "p04_near_b"),
    5: ("p05_near_a", "p05_near_b"),
    6: ("p06_near_a",),
    7: ("p07_near_a",),
    8: ("p08_near_a", "p08_near_b", "p08_near_c", "p08_near_d"),
    9: ("p09_near_a",),
    10: ("p10_near_a", "p10_near_b"),
    11: ("p11_near_a", "p11_near_b", "p11_near_c"),
    12: ("p12_near_a", "p12_near_b", "p12_near_c"),
    13: ("p13_near_a", "p13_near_b"),
    14: ("p14_near_a", "p14_near_b"),
    15: ("p15_near_a", "p15_near_b", "p03_a"),
}
EXCLUDED = ("p01_excl_ios", "p03_excl_android", "p04_excl_android", "p04_excl_ios",
            "p05_excl_android", "p06_excl_ios", "p07_excl_android", "p09_excl_ios",
            "p11_excl_android", "p13_excl_ios", "p15_near_a")
MANUAL_FRAUDSTERS = ("p01_excl_ios", "p02_a", "p09_near_a", "u0007")


def _t(text: str) -> datetime:
    """Parse 'YYYY-MM-DD HH:MM[:SS]' as UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _iso(moment: datetime) -> str:
    """Format a UTC datetime as ISO 8601 with Z."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class _Player:
    """One player's state and the events emitted so far, in time order."""

    pid: str
    platform: str
    install: datetime
    chapter: int = 1
    credits: int = 500
    metapoints: int = 0
    pay: str = ""
    clock: datetime = field(init=False)
    rows: list[dict[str, object]] = field(default_factory=list)
    purchases: list[tuple[float, str]] = field(default_factory=list)
    refunded: bool = False
    ids: int = 0

    def __post_init__(self) -> None:
        self.pay = self.pay or PAYMENT[self.platform]
        self.clock = self.install

    def at(self, when: datetime | str, name: str | None = "session_start") -> None:
        """Jump the clock to `when` and emit `name` there (None: emit nothing)."""
        self.clock = _t(when) if isinstance(when, str) else when
        if name:
            self.emit(name, 0)

    def emit(self, name: str, gap: int = 30, dc: int = 0, dm: int = 0, **extra: object) -> None:
        """Advance `gap` seconds, apply balance deltas and record the event."""
        self.clock += timedelta(seconds=gap)
        if self.rows and self.clock <= self.rows[-1]["event_time"]:
            raise ValueError(f"{self.pid}: events out of order at {self.clock}")
        self.credits += dc
        self.metapoints += dm
        row: dict[str, object] = {"distinct_id": self.pid, "event_time": self.clock,
                                  "event_name": name, "platform": self.platform,
                                  "install_time": self.install, "chapter": self.chapter}
        if name not in BALANCELESS:
            row["credits_balance"] = self.credits
            row["metapoints_balance"] = self.metapoints
        row.update(extra)
        self.rows.append(row)

    def harvest(self, quantity: int | None, gap: int = 25, unit: int = 40) -> None:
        """Emit a harvest (None = blank quantity, counted as 1)."""
        self.emit("harvest", gap, dc=(1 if quantity is None else quantity) * unit,
                  dm=max(quantity or 1, 0), quantity=quantity)

    def complete(self, gap: int = 60, dc: int = 600, dm: int = 50) -> None:
        """Complete the current chapter; the row carries the new chapter."""
        self.chapter += 1
        self.emit("chapter_complete", gap, dc=dc, dm=dm)

    def new_id(self) -> str:
        """Return a fresh, stable id in the format of this player's payment platform."""
        self.ids += 1
        digest = hashlib.sha256(f"{SEED}:{self.pid}:{self.ids}".encode()).hexdigest()
        number = int(digest[:15], 16)
        if self.pay == "apple":
            return f"2000{number % 10**12:012d}"
        if self.pay == "googleplay":
            d = f"{number % 10**16:016d}"
            return f"GPA.3{d[:3]}-{d[3:7]}-{d[7:11]}-{d[11:16]}"
        return f"chk_{digest[16:40]}"

    def click(self, price: float, gap: int = 30, ident: str = "") -> None:
        """Emit a purchase_click (Stash checkouts are created on click)."""
        extra = {ID_COLUMN["stash"]: ident} if self.pay == "stash" and ident else {}
        self.emit("purchase_click", gap, price_usd=price, payment_platform=self.pay, **extra)

    def success(self, price: float, gap: int = 20, ident: str = "") -> str:
        """Emit a purchase_success crediting the pack; return its id."""
        ident = ident or self.new_id()
        self.purchases.append((price, ident))
        self.emit("purchase_success", gap, dc=PACK_CREDITS[price], price_usd=price,
                  payment_platform=self.pay, **{ID_COLUMN[self.pay]: ident})
        return ident

    def buy(self, price: float, gap: int = 30, wait: int = 20, ident: str = "") -> str:
        """Click then succeed; return the purchase id."""
        ident = ident or self.new_id()
        self.click(price, gap, ident)
        return self.success(price, wait, ident)

    def refund(self, price: float, ident: str, gap: int = 30) -> None:
        """Emit a purchase_refund clawing back the pack, carrying the original id."""
        self.emit("purchase_refund", gap, dc=-PACK_CREDITS[price], price_usd=price,
                  payment_platform=self.pay, **{ID_COLUMN[self.pay]: ident})


# ---------------------------------------------------------------- ordinary players


@dataclass(frozen=True)
class _Traits:
    """What kind of ordinary player this is."""

    buyer: bool
    offerwall: bool
    privacy: bool


def _random_install(rng: random.Random) -> datetime:
    """An install time in 2025-01-01..2025-11-25, before 22:00 UTC."""
    day = FIRST_INSTALL + timedelta(days=rng.randrange(INSTALL_DAYS))
    return _day_time(day, rng.randrange(22 * 3600))


def _day_time(day: date, seconds: int) -> datetime:
    """The UTC moment `seconds` after the start of `day`."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=seconds)


def _session_starts(rng: random.Random, install: datetime) -> list[datetime]:
    """Install session plus later sessions on distinct UTC days, all before 22:00."""
    count = min(1 + int(rng.expovariate(1 / 6)), 30)
    offsets = sorted(rng.sample(range(1, 100), count - 1))
    days = [install.date() + timedelta(days=d) for d in offsets]
    return [install] + [_day_time(d, rng.randrange(22 * 3600)) for d in days if d <= LAST_DAY]


def _gap(rng: random.Random) -> int:
    """Seconds between two events of a session."""
    return rng.randint(15, 120)


def _guard(p: _Player, rng: random.Random, gain: int) -> None:
    """Spend credits first if `gain` would trip pattern 12 or approach pattern 6."""
    tutorial = p.chapter <= 3 and not p.purchases
    if tutorial and p.credits + gain > TUTORIAL_CAP:
        p.emit("building_upgrade", _gap(rng), dc=-(p.credits - rng.randint(100, 600)))
    elif p.credits + gain > WHALE_CAP:
        p.emit("building_upgrade", _gap(rng), dc=-100_000)


def _earn(p: _Player, rng: random.Random, name: str, dc: int, dm: int) -> None:
    """Emit an earning event, guarded against unintended flags."""
    _guard(p, rng, dc)
    p.emit(name, _gap(rng), dc=dc, dm=dm)


def _harvests(p: _Player, rng: random.Random) -> None:
    """A few harvests within the session budget, with blanks and reversals."""
    budget = HARVEST_BUDGET
    for _ in range(rng.randint(1, 5)):
        quantity = rng.choice((1, 1, 2, 2, 3, None))
        if (quantity or 1) > budget:
            break
        budget -= quantity or 1
        unit = rng.randint(30, 80)
        _guard(p, rng, 3 * unit)
        p.harvest(quantity, _gap(rng), unit)
        if rng.random() < 0.06 and p.credits >= unit:
            p.harvest(-1, _gap(rng), unit)
            budget += 1


def _maybe_refund(p: _Player, rng: random.Random) -> None:
    """Now and then a store refunds one earlier purchase (at most once per player)."""
    if p.refunded or not p.purchases or rng.random() >= 0.08:
        return
    price, ident = p.purchases[-1]
    if p.credits >= PACK_CREDITS[price]:
        p.refund(price, ident, _gap(rng))
        p.refunded = True


def _purchase(p: _Player, rng: random.Random) -> None:
    """Browse the shop, click a pack and usually complete the purchase."""
    if p.chapter <= 3 and not p.purchases:
        price = rng.choice(STARTER_PRICES)
    else:
        price = rng.choices(PRICES, weights=PRICE_WEIGHTS)[0]
    p.emit("shop_view", _gap(rng))
    ident = p.new_id()
    p.click(price, _gap(rng), ident)
    if rng.random() < 0.8:
        _guard(p, rng, PACK_CREDITS[price])
        p.success(price, rng.randint(10, 90), ident)


def _onboarding(p: _Player, rng: random.Random, traits: _Traits) -> None:
    """Tutorial steps and, for most players, the privacy prompt."""
    for _ in range(2):
        p.emit("tutorial_step", _gap(rng))
    if traits.privacy:
        p.emit("privacy_impression", _gap(rng))
        p.emit("privacy_agree_click", rng.randint(3, 40))


def _session(p: _Player, rng: random.Random, start: datetime, first: bool,
             traits: _Traits) -> None:
    """One ordinary session: play, rewards, maybe a chapter and a purchase."""
    p.at(start)
    if first:
        _onboarding(p, rng, traits)
    else:
        _maybe_refund(p, rng)
        if rng.random() < 0.6:
            _earn(p, rng, "daily_bonus", rng.randint(100, 400), 10)
    _harvests(p, rng)
    if rng.random() < 0.5:
        _earn(p, rng, "reward_claim", rng.randint(100, 800), rng.randint(10, 50))
    if traits.offerwall and rng.random() < 0.4:
        _earn(p, rng, "offerwall_reward", rng.randint(500, 3000), rng.randint(100, 500))
    if rng.random() < 0.45:
        gain = rng.randint(300, 1000)
        _guard(p, rng, gain)
        p.complete(_gap(rng), gain, rng.randint(50, 200))
    if p.credits > 3000 and rng.random() < 0.3:
        p.emit("building_upgrade", _gap(rng), dc=-rng.randint(1000, p.credits // 2))
    if rng.random() < 0.3:
        p.emit("ad_impression", _gap(rng))
    if traits.buyer and p.chapter >= 2 and rng.random() < 0.35:
        _purchase(p, rng)
    p.emit("session_end", _gap(rng))


def _ordinary(index: int) -> _Player:
    """An ordinary player who trips no pattern."""
    pid = f"u{index:04d}"
    rng = random.Random(f"{SEED}:{pid}")  # seeded per player: reproducible
    platform = rng.choices(PLATFORMS, weights=(4, 4, 2))[0]
    p = _Player(pid, platform, _random_install(rng))
    traits = _Traits(rng.random() < 0.3, rng.random() < 0.15, rng.random() < 0.7)
    for k, start in enumerate(_session_starts(rng, p.install)):
        _session(p, rng, start, k == 0, traits)
    return p


# ---------------------------------------------------------------- scripted cast


def _filler(p: _Player, when: str, harvests: Iterable[int | None] = (2, 1)) -> None:
    """A quiet session: bonus, a few harvests, a reward."""
    p.at(when)
    p.emit("daily_bonus", 40, dc=200, dm=10)
    for q in harvests:
        p.harvest(q)
    p.emit("reward_claim", 50, dc=300, dm=20)
    p.emit("session_end", 60)


def _chapter_hack(pid: str, platform: str, install: str, hack_after: timedelta,
                  buy: float = 0.0) -> _Player:
    """Tutorial at install, then a save edit puts the player in chapter 20 at `hack_after`."""
    p = _Player(pid, platform, _t(install))
    p.at(p.install)
    p.emit("tutorial_step", 40)
    p.harvest(2)
    p.complete(90, 400, 30)
    if buy:
        p.buy(buy, 600)
    p.emit("session_end", 60)
    p.at(p.install + hack_after - timedelta(seconds=145))
    p.harvest(1)
    p.chapter = 20
    p.harvest(None, 120)  # the first event in chapter 20, exactly at `hack_after`
    p.harvest(2)
    p.emit("session_end", 60)
    return p


def _pattern1() -> list[_Player]:
    """Chapter 20 within 24 h of install, with and without a purchase first."""
    grind = _Player("p01_b", "ios", _t("2025-04-10 08:00"))
    grind.at(grind.install)
    for _ in range(19):  # 19 chapters in ~14 h, 1,200 credits each (not pattern 10)
        grind.harvest(1, 1200)
        grind.complete(1500, 1200, 80)
    grind.emit("session_end", 60)
    return [
        _chapter_hack("p01_a", "web", "2025-06-03 10:00", timedelta(hours=3)),
        grind,
        _chapter_hack("p01_c", "ios", "2025-08-12 23:59:59", timedelta(hours=2)),
        _chapter_hack("p01_excl_ios", "ios", "2025-08-13 00:00", timedelta(hours=6)),
        _chapter_hack("p01_near_a", "web", "2025-07-07 12:00",
                      timedelta(hours=24, seconds=1)),
        _chapter_hack("p01_near_b", "web", "2025-05-05 09:00", timedelta(hours=5), 1.99),
    ]


def _harvest_days(p: _Player, days: dict[str, list[int | None]]) -> None:
    """One session per start time with the given harvest quantities."""
    for when, quantities in days.items():
        p.at(when)
        for q in quantities:
            p.harvest(q, 100)
        p.emit("session_end", 60)


def _pattern2() -> list[_Player]:
    """Net harvests >= 22 per UTC day on more than 2 days."""
    a = _Player("p02_a", "android", _t("2025-02-10 14:00"), chapter=6, credits=8_000)
    _harvest_days(a, {"2025-02-20 09:00": [5, 6, None, 4, 7, -1],
                      "2025-02-21 18:00": [5, 5, 5],
                      "2025-02-22 10:00": [8, 8, 6],
                      "2025-02-25 07:30": [10, 10, 2]})
    b = _Player("p02_b", "web", _t("2025-06-01 11:00"), chapter=9, credits=15_000)
    _harvest_days(b, {f"2025-06-{d:02d} 12:00": [8, 8, 8, 8] for d in (10, 11, 13, 14, 16)})
    near_a = _Player("p02_near_a", "web", _t("2025-05-03 16:00"), chapter=7, credits=9_000)
    _harvest_days(near_a, {f"2025-05-{d:02d} 17:00": [5, 6, 4, 5, None, 2, -2]
                           for d in (10, 12, 15, 18)})
    near_b = _Player("p02_near_b", "android", _t("2025-01-25 08:00"), chapter=5, credits=6_000)
    _harvest_days(near_b, {"2025-02-03 10:00": [9, 9, 7],
                           "2025-02-05 10:00": [9, 9, 7],
                           "2025-02-07 10:00": [7, 7, 7],
                           "2025-02-08 23:50": [4, 4, 4, 4, 4, 4, 4, 4]})
    return [a, b, near_a, near_b]


def _shopper(pid: str, platform: str, install: str, when: str,
             prices: tuple[float, ...]) -> _Player:
    """Plays a bit, then buys the given packs ten minutes apart."""
    p = _Player(pid, platform, _t(install), chapter=5, credits=3_000)
    _filler(p, when)
    p.at(_t(when) + timedelta(hours=2))
    for price in prices:
        p.emit("shop_view", 30)
        p.buy(price, 600)
    p.emit("session_end", 90)
    return p


def _pattern3() -> list[_Player]:
    """A purchase_success at 0.01."""
    abandoned = _shopper("p03_near_b", "web", "2025-03-15 06:00", "2025-03-30 10:00", (0.99,))
    abandoned.at("2025-04-02 11:00", "shop_view")
    abandoned.click(0.01)  # a click at 0.01, never completed
    abandoned.emit("session_end", 200)
    return [
        _shopper("p03_a", "web", "2025-04-02 10:00", "2025-04-20 15:00", (4.99, 0.01)),
        _shopper("p03_b", "ios", "2025-05-10 19:00", "2025-06-01 08:00", (0.01,)),
        _shopper("p03_excl_android", "android", "2025-02-01 07:00", "2025-03-01 12:00",
                 (0.01,)),
        _shopper("p03_near_a", "web", "2025-07-11 21:00", "2025-07-20 09:00", (0.02,)),
        abandoned,
    ]


def _apple_pair(pid: str, platform: str, install: str, when: str, seconds: int,
                pay: str = "") -> _Player:
    """Two purchases `seconds` apart, a purchase_click before each."""
    p = _Player(pid, platform, _t(install), chapter=6, credits=4_000, pay=pay)
    _filler(p, when)
    p.at(_t(when) + timedelta(hours=1))
    p.buy(2.99)
    p.click(0.99, seconds // 2)
    p.success(0.99, seconds - seconds // 2)
    p.emit("session_end", 120)
    return p


def _pattern4() -> list[_Player]:
    """Two consecutive Apple purchases 1 to 7 s apart."""
    return [
        _apple_pair("p04_a", "ios", "2025-04-01 09:00", "2025-04-20 10:00", 7),
        _apple_pair("p04_b", "ios", "2025-03-05 20:00", "2025-03-18 12:00", 3),
        _apple_pair("p04_excl_android", "android", "2025-01-20 13:00", "2025-03-02 18:00",
                    4, pay="apple"),
        _apple_pair("p04_excl_ios", "ios", "2025-09-01 10:00", "2025-09-12 19:00", 5),
        _apple_pair("p04_near_a", "ios", "2025-05-01 17:00", "2025-05-09 11:00", 8),
        _apple_pair("p04_near_b", "web", "2025-06-22 08:00", "2025-07-01 20:00", 5),
    ]


def _double_success(pid: str, platform: str, install: str, when: str, first_click: bool,
                    second_click: bool, seconds: int) -> _Player:
    """Two purchase_success events `seconds` apart, with or without clicks."""
    p = _Player(pid, platform, _t(install), chapter=7, credits=5_000)
    _filler(p, when)
    p.at(_t(when) + timedelta(hours=1), "shop_view")
    if first_click:
        p.click(1.99)
    p.success(1.99, 20)
    if second_click:
        p.click(4.99, seconds // 2)
    p.success(4.99, seconds - seconds // 2 if second_click else seconds)
    p.emit("session_end", 120)
    return p


def _pattern5() -> list[_Player]:
    """Two consecutive purchase_success events with no purchase_click between them."""
    single = _Player("p05_near_b", "web", _t("2025-08-02 12:00"), chapter=6, credits=2_500)
    _filler(single, "2025-08-10 12:00")
    single.at("2025-08-10 13:00", "shop_view")
    single.success(2.99, 40)  # a success without a click, but only one
    single.emit("session_end", 90)
    return [
        _double_success("p05_a", "web", "2025-05-12 10:00", "2025-05-30 18:00", True, False, 40),
        _double_success("p05_b", "ios", "2025-03-15 15:00", "2025-04-01 10:00", False, False,
                        120),
        _double_success("p05_excl_android", "android", "2025-02-14 09:00", "2025-03-10 20:00",
                        True, False, 60),
        _double_success("p05_near_a", "web", "2025-04-18 07:00", "2025-04-25 09:00", True, True,
                        20),
        single,
    ]


def _spend_to(p: _Player, credits: int) -> None:
    """Spend on an upgrade so that exactly `credits` remain."""
    p.emit("building_upgrade", 40, dc=credits - p.credits)


def _pattern6() -> list[_Player]:
    """credits_balance > 245,000 or metapoints_balance > 850,000."""
    a = _Player("p06_a", "web", _t("2025-03-20 10:00"), chapter=35, credits=182_000,
                metapoints=300_000)
    _filler(a, "2025-09-01 18:00")
    a.at("2025-09-01 19:00")
    _spend_to(a, 170_001)
    a.buy(49.99)  # 245,001 credits
    a.emit("session_end", 60)
    b = _Player("p06_b", "ios", _t("2025-02-01 12:00"), chapter=28, credits=50_000,
                metapoints=800_000)
    _filler(b, "2025-05-01 09:00")
    b.at("2025-05-01 10:00")
    for _ in range(3):
        b.emit("offerwall_reward", 300, dc=500, dm=20_000)
    b.emit("session_end", 60)
    near = _Player("p06_near_a", "web", _t("2025-04-11 16:00"), chapter=33, credits=181_000,
                   metapoints=829_000)
    _filler(near, "2025-10-02 20:00", (None,))
    near.at("2025-10-02 21:00")
    _spend_to(near, 170_000)
    near.buy(49.99)  # exactly 245,000 credits
    near.emit("offerwall_reward", 200, dm=850_000 - near.metapoints)  # exactly 850,000
    near.emit("session_end", 60)
    late = _Player("p06_excl_ios", "ios", _t("2025-06-01 08:00"), chapter=30, credits=180_000)
    _filler(late, "2025-08-12 20:00")
    late.at("2025-08-12 23:59:10", "shop_view")
    late.click(49.99)
    late.success(49.99, 20)  # at 2025-08-13T00:00:00Z: last purchase on the cut-off
    late.emit("session_end", 60)
    return [a, b, near, late]


def _overspend(pid: str, platform: str, install: str, when: str, final: int,
               meta: bool = False) -> _Player:
    """A player whose credits (or metapoints) end at `final`."""
    p = _Player(pid, platform, _t(install), chapter=8, credits=2_000, metapoints=400)
    _filler(p, when)
    p.at(_t(when) + timedelta(hours=3))
    if meta:
        p.emit("booster_purchase", 40, dm=final - p.metapoints)
    else:
        ident = p.buy(4.99)
        p.emit("building_upgrade", 60, dc=-(p.credits - final - PACK_CREDITS[4.99]))
        p.refund(4.99, ident, 3600)
    p.emit("session_end", 60)
    return p


def _pattern7() -> list[_Player]:
    """A negative credits or metapoints balance."""
    near = _Player("p07_near_a", "web", _t("2025-09-09 10:00"), chapter=9, credits=2_000)
    _filler(near, "2025-09-20 10:00")
    near.at("2025-09-20 11:00")
    near.emit("building_upgrade", 40, dc=-near.credits)  # exactly 0
    near.emit("session_end", 60)
    return [
        _overspend("p07_a", "web", "2025-04-15 10:00", "2025-05-02 12:00", -1_150),
        _overspend("p07_b", "android", "2025-01-15 09:00", "2025-02-11 19:00", -20, meta=True),
        _overspend("p07_c", "android", "2025-04-16 23:59:59", "2025-04-18 08:00", -300,
                   meta=True),
        _overspend("p07_excl_android", "android", "2025-04-17 00:00", "2025-04-20 08:00", -500),
        near,
    ]


def _jump(pid: str, platform: str, install: str, when: str, jump: str, after: tuple[str, ...],
          dc: int = 0, dm: int = 0) -> _Player:
    """A balance jump on event `jump`, followed by the events `after`."""
    p = _Player(pid, platform, _t(install), chapter=12, credits=20_000, metapoints=200_000)
    _filler(p, when)
    p.at(_t(when) + timedelta(hours=2))
    p.harvest(2)
    p.emit("shop_view", 40)  # no balances: the jump is measured from the harvest
    if jump == "chapter_complete":
        p.complete(60, dc, dm)
    else:
        p.emit(jump, 60, dc=dc, dm=dm, **({"quantity": 1} if jump == "harvest" else {}))
    for name in after:
        if name == "harvest":
            p.harvest(1, 45)
        else:
            p.emit(name, 45, dc={"reward_claim": 150, "building_upgrade": -500}.get(name, 0))
    p.emit("session_end", 60)
    return p


def _pattern8() -> list[_Player]:
    """A balance jump of >= 40,000 credits / 100,000 metapoints with no reward nearby."""
    quiet = ("harvest", "building_upgrade")
    return [
        _jump("p08_a", "web", "2025-06-10 10:00", "2025-07-02 14:00", "harvest", quiet,
              dc=45_000),
        _jump("p08_b", "ios", "2025-04-04 10:00", "2025-05-15 17:00", "chapter_complete",
              ("ad_impression", "harvest"), dm=150_000),
        _jump("p08_near_a", "web", "2025-03-03 10:00", "2025-03-21 08:00", "harvest", quiet,
              dc=39_999),
        _jump("p08_near_b", "web", "2025-05-19 10:00", "2025-06-01 21:00", "harvest",
              ("ad_impression", "reward_claim"), dc=45_000),
        _jump("p08_near_c", "web", "2025-07-21 10:00", "2025-08-04 06:00", "offerwall_reward",
              quiet, dc=45_000),
        _jump("p08_near_d", "web", "2025-10-01 10:00", "2025-10-11 15:00", "harvest", quiet,
              dm=99_999),
    ]


def _privacy(pid: str, platform: str, install: str, agree_on: tuple[bool, ...]) -> _Player:
    """One privacy prompt per day; `agree_on` says whether the player agreed that day."""
    p = _Player(pid, platform, _t(install), chapter=2, credits=800)
    for day, agree in enumerate(agree_on):
        p.at(p.install + timedelta(days=day, minutes=5))
        p.emit("privacy_impression", 20)
        if agree:
            p.emit("privacy_agree_click", 15)
        p.harvest(1)
        p.emit("session_end", 60)
    return p


def _pattern9() -> list[_Player]:
    """A privacy_impression and no privacy_agree_click."""
    return [
        _privacy("p09_a", "web", "2025-07-15 08:00", (False,)),
        _privacy("p09_b", "android", "2025-03-03 12:00", (False, False)),
        _privacy("p09_excl_ios", "ios", "2025-10-01 09:00", (False,)),
        _privacy("p09_near_a", "web", "2025-06-06 18:00", (False, False, True)),
    ]


def _chapter_day(pid: str, platform: str, install: str, when: str, count: int,
                 per_chapter: int) -> _Player:
    """`count` chapter completions on one UTC day, `per_chapter` credits each."""
    p = _Player(pid, platform, _t(install), chapter=10, credits=30_000, metapoints=5_000)
    p.at(when)
    for _ in range(count):
        p.complete(1800, per_chapter, 0)
    p.emit("session_end", 60)
    return p


def _pattern10() -> list[_Player]:
    """More than 5 chapter_complete in a UTC day with < 500 credits per chapter."""
    return [
        _chapter_day("p10_a", "web", "2025-05-02 10:00", "2025-07-14 08:00", 6, 0),
        _chapter_day("p10_b", "ios", "2025-02-20 10:00", "2025-03-05 06:00", 8, 100),
        _chapter_day("p10_near_a", "web", "2025-06-14 10:00", "2025-08-14 09:00", 5, 0),
        _chapter_day("p10_near_b", "web", "2025-04-09 10:00", "2025-05-30 07:00", 6, 1_000),
    ]


def _refunder(pid: str, platform: str, install: str, first: str, buys: int,
              refunds: int) -> _Player:
    """`buys` purchases three days apart; the first `refunds` are refunded a day later."""
    p = _Player(pid, platform, _t(install), chapter=6, credits=40_000)
    prices = (0.99, 4.99, 1.99, 9.99, 2.99)
    for k in range(buys):
        price = prices[k % len(prices)]
        p.at(_t(first) + timedelta(days=3 * k))
        p.harvest(2)
        ident = p.buy(price)
        p.emit("session_end", 300)
        if k < refunds:
            p.at(_t(first) + timedelta(days=3 * k + 1), None)
            p.refund(price, ident, 0)
    return p


def _pattern11() -> list[_Player]:
    """Android, > 5 purchases and refunds / purchases > 0.25."""
    return [
        _refunder("p11_a", "android", "2025-01-10 10:00", "2025-01-20 12:00", 8, 3),
        _refunder("p11_b", "android", "2025-02-02 10:00", "2025-02-10 18:00", 6, 2),
        _refunder("p11_excl_android", "android", "2025-03-20 10:00", "2025-04-05 09:00", 6, 3),
        _refunder("p11_near_a", "android", "2025-01-05 10:00", "2025-01-12 20:00", 8, 2),
        _refunder("p11_near_b", "android", "2025-02-07 10:00", "2025-02-15 07:00", 5, 3),
        _refunder("p11_near_c", "web", "2025-05-05 10:00", "2025-05-10 15:00", 8, 4),
    ]


def _tutorial(pid: str, platform: str, install: str, completes: int, rewards: list[int],
              name: str = "reward_claim", buy_first: float = 0.0) -> _Player:
    """A new player: chapters completed at install, then rewards (optionally after a buy)."""
    p = _Player(pid, platform, _t(install))
    p.at(p.install)
    p.emit("tutorial_step", 40)
    for _ in range(completes):
        p.complete(120, 400, 30)
    if buy_first:
        p.buy(buy_first)
    for gain in rewards:
        p.emit(name, 90, dc=gain, dm=20)
    p.emit("session_end", 60)
    return p


def _pattern12() -> list[_Player]:
    """credits_balance > 4,950 in chapters 1-3 with no purchase before."""
    near_b = _tutorial("p12_near_b", "web", "2025-06-20 10:00", 2, [])
    near_b.at("2025-06-21 10:00")
    near_b.complete(120, 1_700, 30)  # chapter 4 at 3,000 credits
    for _ in range(4):
        near_b.emit("reward_claim", 90, dc=1_500, dm=20)
    near_b.emit("session_end", 60)
    return [
        _tutorial("p12_a", "web", "2025-08-20 10:00", 1, [1_100] * 4),
        _tutorial("p12_b", "ios", "2025-07-01 10:00", 0, [3_000] * 4, "offerwall_reward"),
        _tutorial("p12_near_a", "web", "2025-09-03 10:00", 2, [1_825, 1_825]),
        near_b,
        _tutorial("p12_near_c", "web", "2025-06-15 10:00", 1, [1_500] * 3, buy_first=0.99),
    ]


def _starter_buyer(pid: str, platform: str, install: str, chapters: tuple[int, ...]) -> _Player:
    """Buys one pack a day after install, in the given chapters."""
    p = _Player(pid, platform, _t(install))
    p.at(p.install)
    p.emit("tutorial_step", 40)
    p.harvest(1)
    p.emit("session_end", 60)
    for day, chapter in enumerate(chapters, start=1):
        p.at(p.install + timedelta(days=day, hours=1))
        if chapter > p.chapter:
            p.complete(60, 300, 20)
        p.buy(0.99 if day % 2 else 1.99)
        p.emit("session_end", 60)
    return p


def _pattern13() -> list[_Player]:
    """> 1 purchase in chapter 1, installed on or after 2025-03-01."""
    return [
        _starter_buyer("p13_a", "web", "2025-03-01 00:00", (1, 1)),
        _starter_buyer("p13_b", "ios", "2025-05-20 18:00", (1, 1, 1)),
        _starter_buyer("p13_c", "android", "2025-03-10 12:00", (1, 1)),
        _starter_buyer("p13_excl_ios", "ios", "2025-09-02 12:00", (1, 1)),
        _starter_buyer("p13_near_a", "web", "2025-02-28 23:59:59", (1, 1)),
        _starter_buyer("p13_near_b", "web", "2025-06-10 12:00", (1, 2)),
    ]


def _buyer(pid: str, platform: str, install: str, when: str, idents: tuple[str, ...],
           refund: bool = False) -> _Player:
    """Buys once per id (blank = fresh id), 45 s apart; optionally refunded later."""
    p = _Player(pid, platform, _t(install), chapter=8, credits=7_000)
    _filler(p, when)
    p.at(_t(when) + timedelta(hours=1), "shop_view")
    for ident in idents:
        last = p.buy(4.99, 45, 15, ident)
    p.emit("session_end", 60)
    if refund:
        p.at(_t(when) + timedelta(days=2), "session_start")
        p.refund(4.99, last)
        p.emit("session_end", 60)
    return p


def _pattern14() -> list[_Player]:
    """A purchase id on more than one purchase_success, of one player or two."""
    return [
        _buyer("p14_a", "ios", "2025-09-10 10:00", "2025-09-20 10:00",
               ("2000418827364512", "2000418827364512")),
        _buyer("p14_b", "android", "2025-06-01 10:00", "2025-06-15 12:00",
               ("GPA.3391-4471-2285-10384",)),
        _buyer("p14_c", "android", "2025-07-01 10:00", "2025-07-09 20:00",
               ("GPA.3391-4471-2285-10384",)),
        _buyer("p14_d", "web", "2025-05-01 10:00", "2025-05-20 09:00",
               ("chk_5d1e0c9a7b3f42e8a61c", "")),
        _buyer("p14_e", "web", "2025-08-01 10:00", "2025-08-25 16:00",
               ("chk_5d1e0c9a7b3f42e8a61c",)),
        _buyer("p14_near_a", "android", "2025-06-05 10:00", "2025-06-25 11:00", ("",),
               refund=True),
        _buyer("p14_near_b", "web", "2025-07-05 10:00", "2025-07-28 19:00", ("",)),
    ]


def _penny(pid: str, platform: str, install: str, when: str, pennies: int,
           abandoned: bool = False) -> _Player:
    """`pennies` purchases at 0.01, ten minutes apart; optionally a penny click left open."""
    p = _Player(pid, platform, _t(install), chapter=4, credits=1_500)
    _filler(p, when)
    p.at(_t(when) + timedelta(hours=1), "shop_view")
    for _ in range(pennies):
        p.buy(0.01, 600)
    if abandoned:
        p.click(0.01, 600)
    p.emit("session_end", 60)
    return p


def _pattern15() -> list[_Player]:
    """Two or more purchases at 0.01."""
    return [
        _penny("p15_a", "web", "2025-06-20 10:00", "2025-07-03 09:00", 2),
        _penny("p15_b", "ios", "2025-10-01 10:00", "2025-10-04 13:00", 3),
        _penny("p15_near_a", "ios", "2025-09-15 10:00", "2025-09-22 19:00", 1),
        _penny("p15_near_b", "web", "2025-03-28 10:00", "2025-04-12 18:00", 1, abandoned=True),
    ]


SCRIPTS: tuple[Callable[[], list[_Player]], ...] = (
    _pattern1, _pattern2, _pattern3, _pattern4, _pattern5, _pattern6, _pattern7, _pattern8,
    _pattern9, _pattern10, _pattern11, _pattern12, _pattern13, _pattern14, _pattern15,
)


# ---------------------------------------------------------------- writing


def _cell(value: object) -> str:
    """Render one CSV cell: ISO timestamps, 2-decimal prices, blanks for missing."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _all_players() -> list[_Player]:
    """Every player, ordinary and scripted, sorted by distinct_id."""
    players = [_ordinary(i) for i in range(1, N_ORDINARY + 1)]
    players += [p for script in SCRIPTS for p in script()]
    return sorted(players, key=lambda p: p.pid)


def _event_lines(players: list[_Player]) -> list[list[str]]:
    """Header plus one line per event, sorted by distinct_id then event_time."""
    lines = [list(COLUMNS)]
    for p in players:
        for row in sorted(p.rows, key=lambda r: r["event_time"]):
            lines.append([_cell(row.get(c)) for c in COLUMNS])
    return lines


def _write_csv(path: Path, lines: list[list[str]]) -> Path:
    """Write UTF-8 CSV with \\n endings atomically (analytics.fileio)."""
    with atomic_open(path, "w", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(lines)
    return path


def generate(out_dir: Path) -> list[Path]:
    """Write events.csv and manual_fraudsters.csv under out_dir/game_events; return paths."""
    folder = Path(out_dir) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    events = _write_csv(folder / "events.csv", _event_lines(_all_players()))
    manual = _write_csv(folder / "manual_fraudsters.csv",
                        [["distinct_id"], *([pid] for pid in sorted(MANUAL_FRAUDSTERS))])
    return sorted([events, manual])
