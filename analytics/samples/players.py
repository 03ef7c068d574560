"""Deterministic sample data for the loyalty-rewards workspace (contract: players.md).

`generate(out_dir)` writes `out_dir/players/`:
- players.csv: 500 players (P0001..P0500) with every contract column;
- players.xlsx: the first 50 players as an Excel sheet (byte-identical across runs);
- transactions.csv: the ledger of players P0051..P0200, whose sums per type equal
  their totals in players.csv and whose running balance never goes below zero;
- rules.json: seven example reward rules (one of them inactive).

Every player is simulated session by session from a per-player seed, so adding a player
never changes another. Amounts are integer cents until they are written with 2 decimals.
Boundary players (BOUNDARY_PLAYERS) sit on each segment threshold; abuse archetypes
(ARCHETYPES) are planted in the ledger and all other ledger players carry no signal.
How the ledger signals are meant to be read: a withdrawal is fast when it comes at most
1 h after a bonus or a win; a bonus's wagering completes when the wagers after it reach
10x the bonus (the contract's example requirement), and a bet jumps when it exceeds 10x
the mean wager of that wagering phase.
"""

from __future__ import annotations

import bisect
import csv
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from analytics.fileio import atomic_write

SEED = 20250630
N_PLAYERS = 500
LEDGER_PLAYERS = range(51, 201)
XLSX_PLAYERS = 50
START_TS = int(datetime(2023, 1, 2, tzinfo=UTC).timestamp())
END_TS = int(datetime(2025, 6, 30, tzinfo=UTC).timestamp())
FIXED_XLSX_TIME = datetime(2025, 6, 30, 0, 0, 0)
HOUR = 3600
SESSION_SLOT = 10 * HOUR
WAGERING_REQUIREMENT = 10

PLAYER_COLUMNS = (
    "player_id", "total_deposited", "total_wagered", "total_won", "sessions",
    "playtime_hours", "total_withdrawn", "bonus_received", "registered_at",
    "last_active_at", "tier",
)
LEDGER_COLUMNS = ("player_id", "time", "type", "amount", "game_type", "device_id", "ip")
GAMES = ("slots", "roulette", "blackjack", "poker", "sports")
GAME_CUMULATIVE = (0.52, 0.66, 0.80, 0.88)
DEPOSIT_STEPS = (10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000)
IP_FIRST_OCTETS = (31, 46, 62, 77, 81, 85, 89, 91, 94, 109, 176, 178, 185, 188, 212, 217)

ARCHETYPES: dict[str, tuple[str, ...]] = {
    "bonus_only": ("P0063", "P0117", "P0178"),
    "fast_withdrawal": ("P0072", "P0141", "P0169"),
    "bet_jump": ("P0088", "P0156", "P0169"),
    "multi_accounting": ("P0095", "P0096", "P0104", "P0133", "P0169", "P0187"),
    "abnormal_win_rate": ("P0079", "P0124"),
}
DEVICE_RING = ("P0095", "P0096", "P0133", "P0169")
IP_PAIR = ("P0104", "P0187")
BLOCKED_PLAYER = "P0169"
FAST_AFTER_BONUS = "P0141"  # the other fast withdrawers cash out right after a win
ZERO_ACTIVITY = ("P0027", "P0233", "P0391")
DEPOSIT_ONLY = ("P0450",)

# player_id -> (total_wagered cents, total_won cents, sessions, expected segment)
BOUNDARY_PLAYERS: dict[str, tuple[int, int, int, str]] = {
    "P0005": (100_000, 85_000, 8, "LOSING"),  # wagered exactly 1,000: not NEW
    "P0012": (99_999, 80_000, 6, "NEW"),  # wagered 999.99
    "P0018": (10_000_000, 9_600_000, 50, "VIP"),  # 100,000 and 50 sessions
    "P0023": (10_000_000, 9_300_000, 49, "LOSING"),  # 100,000 but 49 sessions
    "P0031": (9_999_999, 9_800_000, 80, "BREAKEVEN"),  # 99,999.99 with 80 sessions
    "P0037": (2_000_000, 2_100_000, 30, "BREAKEVEN"),  # net_pnl exactly +5%
    "P0044": (2_000_000, 1_900_000, 25, "BREAKEVEN"),  # net_pnl exactly -5%
    "P0049": (2_000_000, 2_100_001, 35, "WINNING"),  # +5% plus one cent
    "P0026": (2_000_000, 1_899_999, 28, "LOSING"),  # -5% minus one cent
}


@dataclass
class Event:
    """One ledger row in cents and epoch seconds."""

    ts: int
    kind: str
    cents: int
    game: str = ""
    device: str = ""
    ip: str = ""


@dataclass
class Session:
    """A planned session: start, end, bets (time, cents, win cents, game) and flags."""

    start: int
    end: int
    bets: list[tuple[int, int, int, str]]
    bonus: int = 0
    fast_withdrawal: bool = False
    device: str = ""
    ip: str = ""


@dataclass
class Profile:
    """Knobs that shape one player's simulated history."""

    cohort: str
    sessions: int
    base_bet: int
    bets_per_session: tuple[int, int]
    welcome_bonus: bool
    allow_deposits: bool = True


@dataclass
class Player:
    """A simulated player: totals in cents, times in epoch seconds, ledger events."""

    pid: str
    registered: int
    last_active: int
    sessions: int
    playtime_s: int
    events: list[Event] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)


def _rng(index: int, salt: int = 0) -> np.random.Generator:
    """The generator for one player (and purpose), independent of all others."""
    return np.random.default_rng([SEED, index, salt])


def _pid(index: int) -> str:
    """Player id for a 1-based index."""
    return f"P{index:04d}"


def _money(cents: int) -> str:
    """Cents as a 2-decimal string."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def _iso(ts: int) -> str:
    """Epoch seconds as ISO 8601 UTC with Z."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _lognormal_int(rng: np.random.Generator, median: float, sigma: float, lo: int, hi: int) -> int:
    """A clipped lognormal integer."""
    return int(np.clip(round(median * float(np.exp(sigma * rng.standard_normal()))), lo, hi))


def _cohort_profile(rng: np.random.Generator) -> Profile:
    """Draw a cohort and its knobs: newcomer, casual, regular or vip."""
    u = rng.random()
    if u < 0.15:
        return Profile("newcomer", int(rng.integers(1, 7)),
                       _lognormal_int(rng, 500, 0.7, 50, 3_000), (1, 3), True)
    if u < 0.75:
        return Profile("casual", _lognormal_int(rng, 14, 0.8, 3, 120),
                       _lognormal_int(rng, 5_500, 0.8, 200, 60_000), (1, 3), True)
    if u < 0.955:
        return Profile("regular", _lognormal_int(rng, 60, 0.5, 20, 200),
                       _lognormal_int(rng, 8_000, 0.6, 1_000, 90_000), (1, 3), True)
    return Profile("vip", _lognormal_int(rng, 90, 0.5, 50, 260),
                   _lognormal_int(rng, 70_000, 0.5, 30_000, 300_000), (1, 4), False)


def _target_ratio(rng: np.random.Generator, n_bets: int) -> float:
    """Return-to-player of one player: wide for few bets, at most 1.19 (no abuse signal)."""
    sd = 0.05 + 0.9 / np.sqrt(max(n_bets, 1))
    while True:
        ratio = 0.94 + sd * rng.standard_normal()
        if 0.05 <= ratio <= 1.19:
            return float(ratio)


def _session_starts(rng: np.random.Generator, n: int) -> tuple[int, list[int]]:
    """Registration time and n session starts at least SESSION_SLOT apart, before END_TS."""
    idle = HOUR * 12 + int(rng.exponential(20 * 24 * HOUR))
    need = n * SESSION_SLOT + idle + 2 * 24 * HOUR
    tenure = max(int(rng.uniform(20, 880) * 24 * HOUR), need)
    tenure = min(tenure, max(END_TS - START_TS, need))
    registered = END_TS - tenure
    spare = tenure - idle - n * SESSION_SLOT
    offsets = np.sort(rng.uniform(0, spare, n)) if n else np.array([])
    offsets = offsets - (offsets[0] if n else 0)
    first = registered + int(rng.integers(300, 3 * HOUR))
    return registered, [first + int(o) + i * SESSION_SLOT for i, o in enumerate(offsets)]


def _bet_sizes(rng: np.random.Generator, base: int, k: int) -> list[int]:
    """k bets within [0.5, 2] x base, in 10-cent steps (never more than 4x apart)."""
    raw = base * np.exp(rng.uniform(np.log(0.5), np.log(2.0), k))
    return [max(10, round(x / 10) * 10) for x in raw]


def _plan_session(rng: np.random.Generator, start: int, amounts: list[int],
                  min_minutes: int = 10) -> Session:
    """Place bets on one game over 10 to 120 minutes; each bet may be followed by a win."""
    k = len(amounts)
    duration = max(k * 45 + 120, int(rng.uniform(min_minutes, 120) * 60))
    step = (duration - 90) // k
    game = _game(rng)
    bets = []
    for i, cents in enumerate(amounts):
        t = start + 60 + i * step + int(rng.integers(0, max(step - 25, 1)))
        won = round(cents * (0.4 + rng.exponential(1.6)) * 100) if rng.random() < 0.42 else 0
        bets.append((t, cents, won, game))
    return Session(start, bets[-1][0] + 30, bets)


def _game(rng: np.random.Generator) -> str:
    """The game of one session, slots-heavy."""
    return GAMES[bisect.bisect(GAME_CUMULATIVE, rng.random())]


def _scale_wins(sessions: list[Session], ratio: float) -> None:
    """Rescale raw win weights so that total won equals ratio x total wagered (in cents)."""
    bets = [b for s in sessions for b in s.bets]
    wagered = sum(b[1] for b in bets)
    target = round(ratio * wagered)
    weights = [b[2] for b in bets]
    if target and not any(weights):
        weights[int(np.argmax([b[1] for b in bets]))] = 1
    total = sum(weights)
    cents = [w * target // total if total else 0 for w in weights]
    if target:
        cents[int(np.argmax(weights))] += target - sum(cents)
    it = iter(cents)
    for s in sessions:
        s.bets = [(t, c, next(it), g) for t, c, _, g in s.bets]


def _plan(rng: np.random.Generator, profile: Profile) -> tuple[int, list[Session]]:
    """Registration time and sessions of an ordinary player following the profile."""
    registered, starts = _session_starts(rng, profile.sessions)
    lo, hi = profile.bets_per_session
    sessions = []
    for i, start in enumerate(starts):
        k = int(rng.integers(lo, hi + 1))
        session = _plan_session(rng, start, _bet_sizes(rng, profile.base_bet, k))
        session.bonus = -1 if (i == 0 and profile.welcome_bonus) else 0
        if i > 0 and rng.random() < 0.02:
            session.bonus = -2
        sessions.append(session)
    return registered, sessions


def _nice_deposit(cents: int) -> int:
    """The smallest usual deposit amount (whole units) that is at least cents."""
    for step in DEPOSIT_STEPS:
        if step * 100 >= cents:
            return step * 100
    return -(-cents // 10_000) * 10_000


class _Ledger:
    """Builds a player's events in time order, tracking the balance."""

    def __init__(self, rng: np.random.Generator, profile: Profile) -> None:
        self.rng = rng
        self.profile = profile
        self.pref_deposit = _nice_deposit(int(profile.base_bet * rng.uniform(6, 20)))
        self.balance = 0
        self.events: list[Event] = []
        self.first_deposit = 0

    def add(self, ts: int, kind: str, cents: int, session: Session, game: str = "") -> None:
        """Append one event, keeping times strictly increasing within the player."""
        if self.events and ts <= self.events[-1].ts:
            ts = self.events[-1].ts + 1
        sign = 1 if kind in ("deposit", "win", "bonus") else -1
        self.balance += sign * cents
        self.events.append(Event(ts, kind, cents, game, session.device, session.ip))

    def deposit(self, ts: int, need: int, session: Session) -> None:
        """Top up at least `need` cents with a usual deposit amount."""
        amount = max(self.pref_deposit, _nice_deposit(need))
        self.first_deposit = self.first_deposit or amount
        self.add(ts, "deposit", amount, session)

    def bonus_amount(self, kind: int) -> int:
        """Welcome bonus: 100% match up to 500; reload: a quarter of the usual deposit."""
        if kind == -1:
            return min(self.first_deposit or 2_000, 50_000)
        return max(500, self.pref_deposit // 4 // 100 * 100)

    def play(self, session: Session) -> bool:
        """Run one session (a player who may not deposit stops when broke); True if it
        produced any event."""
        count = len(self.events)
        low = not self.events or self.balance < self.pref_deposit // 4
        if self.profile.allow_deposits and low:
            self.deposit(session.start, 0, session)
        if session.bonus:
            amount = session.bonus if session.bonus > 0 else self.bonus_amount(session.bonus)
            self.add(session.start + 5, "bonus", amount, session)
        for t, cents, won, game in session.bets:
            if self.balance < cents:
                if not self.profile.allow_deposits:
                    break
                self.deposit(t - 1, cents - self.balance, session)
            self.add(t, "wager", cents, session, game)
            if won:
                self.add(t + int(self.rng.integers(3, 20)), "win", won, session, game)
        self.cash_out(session)
        return len(self.events) > count

    def cash_out(self, session: Session) -> None:
        """Withdraw 2-5 h after the session (or minutes after it when planted as fast)."""
        if session.fast_withdrawal and self.balance >= 1_000:
            ts = self.events[-1].ts + int(self.rng.integers(5 * 60, 30 * 60))
            self.add(ts, "withdrawal", self.balance * 9 // 10 // 100 * 100, session)
            return
        if not self.profile.allow_deposits or self.balance < 2 * self.pref_deposit:
            return
        if self.rng.random() < 0.5:
            amount = int(self.balance * self.rng.uniform(0.6, 1.0)) // 100 * 100
            ts = self.events[-1].ts + int(self.rng.integers(2 * HOUR, 5 * HOUR))
            self.add(ts, "withdrawal", amount, session)


def _identities(rng: np.random.Generator, used: set[str]) -> tuple[list[str], list[str]]:
    """One or two devices and one to three IPs, unique across all players."""
    devices = [_unique(used, lambda: "dev-" + rng.bytes(4).hex()) for _ in range(rng.integers(1, 3))]
    ips = [_unique(used, lambda: _ip(rng)) for _ in range(rng.integers(1, 4))]
    return devices, ips


def _ip(rng: np.random.Generator) -> str:
    """A public-looking IPv4 address."""
    first = IP_FIRST_OCTETS[int(rng.integers(len(IP_FIRST_OCTETS)))]
    rest = rng.integers(1, 255, 3)
    return f"{first}.{rest[0]}.{rest[1]}.{rest[2]}"


def _unique(used: set[str], make: Callable[[], str]) -> str:
    """Draw until the value is new, then remember it."""
    value = make()
    while value in used:
        value = make()
    used.add(value)
    return value


def _assign_identities(rng: np.random.Generator, sessions: list[Session],
                       devices: list[str], ips: list[str]) -> None:
    """Give each session one of the player's devices and IPs."""
    for s in sessions:
        s.device = devices[int(rng.integers(len(devices)))]
        s.ip = ips[int(rng.integers(len(ips)))]


def _profile_for(index: int, rng: np.random.Generator) -> Profile:
    """The cohort profile, with archetype players kept to casual play of a few weeks."""
    profile = _cohort_profile(rng)
    pid = _pid(index)
    planted = {p for ids in ARCHETYPES.values() for p in ids}
    if pid in planted:
        profile = Profile("casual", int(rng.integers(6, 16)), int(rng.integers(1_000, 4_000)),
                          (2, 5), True)
    if pid in ARCHETYPES["bonus_only"]:
        profile = Profile("casual", int(rng.integers(3, 7)), int(rng.integers(100, 300)),
                          (10, 16), False, allow_deposits=False)
    return profile


def _ratio_for(pid: str, rng: np.random.Generator, n_bets: int) -> float:
    """Target return-to-player: planted abnormal winners above 1.2, the rest at most 1.19."""
    if pid in ARCHETYPES["abnormal_win_rate"]:
        return float(rng.uniform(1.35, 1.7))
    if pid in ARCHETYPES["bonus_only"] or pid == BLOCKED_PLAYER:
        return float(rng.uniform(0.8, 0.88))
    if pid in ARCHETYPES["fast_withdrawal"] or pid in ARCHETYPES["bet_jump"]:
        return float(rng.uniform(0.97, 1.08))
    return _target_ratio(rng, n_bets)


def _plant(pid: str, rng: np.random.Generator, sessions: list[Session]) -> None:
    """Shape the sessions of planted abuse archetypes."""
    if pid in ARCHETYPES["bonus_only"]:
        sessions[0].bonus = int(rng.integers(20, 41)) * 100
        sessions[min(2, len(sessions) - 1)].bonus = 1_500
    if pid in ARCHETYPES["bet_jump"]:
        sessions[0] = _bet_jump_session(rng, sessions[0].start)
    if pid in ARCHETYPES["fast_withdrawal"]:
        _plant_fast(pid, rng, sessions)


def _bet_jump_session(rng: np.random.Generator, start: int) -> Session:
    """Deposit, a 50.00 bonus wagered 10x in bets of 4-6, then bets of 75-150 (> 10x)."""
    small, total = [], 0
    while total < WAGERING_REQUIREMENT * 5_000:
        small.append(int(rng.integers(40, 61)) * 10)
        total += small[-1]
    big = [int(rng.integers(75, 151)) * 100 for _ in range(6)]
    session = _plan_session(rng, start, small + big, min_minutes=90)
    session.bonus = 5_000
    return session


def _plant_fast(pid: str, rng: np.random.Generator, sessions: list[Session]) -> None:
    """Withdrawals minutes after a session ending on a win (or on a bonus)."""
    for s in sessions[1:4]:
        s.fast_withdrawal = True
        t, cents, won, game = s.bets[-1]
        if pid == FAST_AFTER_BONUS:
            s.bonus = 5_000
            t = s.start + int(rng.integers(120, 900))
            s.bets = s.bets[:1]
        s.bets[-1] = (t, cents, max(won, cents * 150), game)
        s.end = t + 30


def _share_identities(pid: str, sessions: list[Session], device: str, ip: str) -> None:
    """Put the ring's device or the pair's IP on every other session of its members."""
    for s in sessions[::2]:
        if pid in DEVICE_RING:
            s.device = device
        if pid in IP_PAIR:
            s.ip = ip


def _simulate(index: int, shared: tuple[str, str], used: set[str]) -> Player:
    """Simulate one player end to end."""
    pid = _pid(index)
    rng = _rng(index)
    profile = _profile_for(index, rng)
    registered, sessions = _plan(_rng(index, 1), profile)
    _plant(pid, rng, sessions)
    n_bets = sum(len(s.bets) for s in sessions)
    _scale_wins(sessions, _ratio_for(pid, rng, n_bets))
    _assign_identities(rng, sessions, *_identities(rng, used))
    _share_identities(pid, sessions, *shared)
    ledger = _Ledger(rng, profile)
    played = [s for s in sessions if ledger.play(s)]
    return _finish(pid, registered, played, ledger.events)


def _finish(pid: str, registered: int, sessions: list[Session], events: list[Event]) -> Player:
    """Totals, session count and playtime from the events."""
    totals = dict.fromkeys(("deposit", "wager", "win", "withdrawal", "bonus"), 0)
    for e in events:
        totals[e.kind] += e.cents
    playtime = sum(s.end - s.start for s in sessions)
    last = events[-1].ts if events else registered
    return Player(pid, registered, last, len(sessions), playtime, events, totals)


def _idle_player(index: int, deposit: int) -> Player:
    """A player who registered and never wagered (optionally deposited once)."""
    rng = _rng(index)
    registered = END_TS - int(rng.uniform(5, 400) * 24 * HOUR)
    totals = dict.fromkeys(("deposit", "wager", "win", "withdrawal", "bonus"), 0)
    totals["deposit"] = deposit
    sessions, playtime = (1, 11 * 60) if deposit else (0, 0)
    last = registered + (int(rng.integers(600, 3 * HOUR)) if deposit else 0)
    return Player(_pid(index), registered, last, sessions, playtime, [], totals)


def _apply_boundary(player: Player, wagered: int, won: int, sessions: int) -> None:
    """Put a non-ledger player exactly on a threshold, keeping its money consistent."""
    t = player.totals
    player.playtime_s = player.playtime_s // max(player.sessions, 1) * sessions
    player.sessions = sessions
    player.registered = min(player.registered, player.last_active - sessions * SESSION_SLOT)
    need = max(wagered - won, 0)
    t["deposit"] = max(2_000, -(-need * 12 // 10 // 10_000) * 10_000)
    t["bonus"] = min(t["bonus"], t["deposit"])
    t["wager"], t["win"] = wagered, won
    left = t["deposit"] + t["bonus"] + won - wagered
    t["withdrawal"] = left * 6 // 10 // 100 * 100
    player.events = []


def _tier(wagered: int) -> str:
    """Loyalty tier by lifetime wagering (informative only; segments are computed)."""
    for limit, name in ((500_000, "Bronze"), (2_500_000, "Silver"), (10_000_000, "Gold")):
        if wagered < limit:
            return name
    return "Platinum"


def build_players() -> list[Player]:
    """Simulate all players, including the planted boundary and idle ones."""
    used: set[str] = set()
    shared_rng = _rng(0, 7)
    shared = (_unique(used, lambda: "dev-" + shared_rng.bytes(4).hex()),
              _unique(used, lambda: _ip(shared_rng)))
    players = []
    for index in range(1, N_PLAYERS + 1):
        pid = _pid(index)
        if pid in ZERO_ACTIVITY or pid in DEPOSIT_ONLY:
            players.append(_idle_player(index, 2_000 if pid in DEPOSIT_ONLY else 0))
            continue
        player = _simulate(index, shared, used)
        if pid in BOUNDARY_PLAYERS:
            _apply_boundary(player, *BOUNDARY_PLAYERS[pid][:3])
        players.append(player)
    return players


def _player_row(p: Player) -> list[str]:
    """One players.csv row."""
    t = p.totals
    hours = (p.playtime_s * 100 + HOUR // 2) // HOUR
    return [p.pid, _money(t["deposit"]), _money(t["wager"]), _money(t["win"]), str(p.sessions),
            _money(hours), _money(t["withdrawal"]), _money(t["bonus"]), _iso(p.registered),
            _iso(p.last_active), _tier(t["wager"])]


def _ledger_rows(players: Iterable[Player]) -> list[list[str]]:
    """Ledger rows of the covered players, in time order."""
    keyed = [(e.ts, p.pid, i, e) for p in players for i, e in enumerate(p.events)]
    keyed.sort(key=lambda k: k[:3])
    return [[pid, _iso(e.ts), e.kind, _money(e.cents), e.game, e.device, e.ip]
            for _, pid, _, e in keyed]


def _csv_bytes(header: Iterable[str], rows: Iterable[list[str]]) -> bytes:
    """CSV text with \\n line endings, UTF-8."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(list(header))
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _xlsx_bytes(rows: list[list[str]]) -> bytes:
    """The rows as an Excel sheet: numbers as numbers, times as (UTC) datetimes."""
    frame = pd.DataFrame(rows, columns=list(PLAYER_COLUMNS))
    money = ["total_deposited", "total_wagered", "total_won", "playtime_hours",
             "total_withdrawn", "bonus_received"]
    frame[money] = frame[money].astype(float)
    frame["sessions"] = frame["sessions"].astype(int)
    for col in ("registered_at", "last_active_at"):
        frame[col] = pd.to_datetime(frame[col], utc=True).dt.tz_localize(None)
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl", datetime_format="yyyy-mm-dd hh:mm:ss") as writer:
        frame.to_excel(writer, sheet_name="players", index=False)
        props = writer.book.properties
        props.created = props.modified = FIXED_XLSX_TIME
        props.creator = props.lastModifiedBy = "riskdesk sample generator"
    return _normalize_zip(buf.getvalue())


def _normalize_zip(data: bytes) -> bytes:
    """Pin what openpyxl stamps with the clock: member times and core.xml's modified."""
    stamp = FIXED_XLSX_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
                              rb"\g<1>" + stamp.encode(), body)
            member = zipfile.ZipInfo(info.filename, date_time=(2025, 6, 30, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            dst.writestr(member, body)
    return out.getvalue()


def reward_rules() -> list[dict]:
    """Example rules: cashbacks, VIP points, welcome tickets, breakeven points, a
    low-ROI winning-player reload (profit safety declines it) and an inactive rule."""
    return [
        _rule("HIGH_ROLLER_CASHBACK", "High Roller 5% Cashback", 3,
              {"segment": ["LOSING", "BREAKEVEN"], "total_wagered_min": 50000,
               "net_loss_min": 1000},
              "CASHBACK", "round(min(net_loss * 0.05, abs(net_pnl) * 0.04 + 100), 2)", 1000,
              eligible=None),
        _rule("VIP_LOYALTY_POINTS", "VIP Loyalty Points", 5,
              {"segment": "VIP", "session_count_min": 50},
              "LOYALTY_POINTS", "round(avg_wager_per_session * 0.2, 2)", 1000, eligible=None),
        {"rule_id": "LOSING_PLAYER_CASHBACK", "name": "Losing Player 10% Cashback",
         "priority": 10, "is_active": True,
         "conditions": {"segment": "LOSING", "net_loss_min": 100, "session_count_min": 3},
         "reward_config": {"type": "BONUS_BALANCE", "formula": "net_loss * 0.10",
                           "max_amount": 500, "wagering_requirement": 10, "expiry_hours": 48,
                           "eligible_games": ["slots", "roulette"]}},
        _rule("NEW_PLAYER_WELCOME_TICKETS", "New Player Welcome Tickets", 15,
              {"segment": "NEW", "total_deposited_min": 10, "sessions_min": 1},
              "TICKETS", "min(2 + sessions * 2, 10)", 10, eligible=["slots"]),
        _rule("BREAKEVEN_REWARD_POINTS", "Breakeven Reward Points", 20,
              {"segment": "BREAKEVEN", "sessions_min": 5},
              "REWARD_POINTS", "round(total_wagered * 0.002, 2)", 300, eligible=None),
        _rule("WINNING_PLAYER_RELOAD", "Winning Player 25% Reload", 30,
              {"segment": "WINNING", "total_deposited_min": 200},
              "BONUS_BALANCE", "max(total_deposited * 0.25, 50)", 250,
              eligible=["slots", "blackjack"]),
        _rule("WEEKEND_FREE_SPINS", "Weekend Free Spins (paused)", 40,
              {"segment": ["LOSING", "BREAKEVEN", "NEW"], "playtime_hours_min": 1},
              "TICKETS", "(sessions + 10) / 2", 25, eligible=["slots"], active=False),
    ]


def _rule(rule_id: str, name: str, priority: int, conditions: dict, kind: str,
          formula: str, max_amount: float, eligible: list[str] | None,
          active: bool = True) -> dict:
    """A rule in the contract's shape; bonus balance carries wagering and expiry."""
    config: dict = {"type": kind, "formula": formula, "max_amount": max_amount}
    if kind == "BONUS_BALANCE":
        config.update(wagering_requirement=20, expiry_hours=72)
    if eligible:
        config["eligible_games"] = eligible
    return {"rule_id": rule_id, "name": name, "priority": priority, "is_active": active,
            "conditions": conditions, "reward_config": config}


def _write_atomic(path: Path, data: bytes) -> Path:
    """Write bytes atomically (analytics.fileio)."""
    return atomic_write(path, data)


def generate(out_dir: Path) -> list[Path]:
    """Write the players sample files under out_dir/players; return their paths sorted."""
    folder = Path(out_dir) / "players"
    folder.mkdir(parents=True, exist_ok=True)
    players = build_players()
    rows = [_player_row(p) for p in players]
    covered = [p for p in players if int(p.pid[1:]) in LEDGER_PLAYERS]
    rules = json.dumps(reward_rules(), indent=2, ensure_ascii=False) + "\n"
    files = {
        "players.csv": _csv_bytes(PLAYER_COLUMNS, rows),
        "players.xlsx": _xlsx_bytes(rows[:XLSX_PLAYERS]),
        "transactions.csv": _csv_bytes(LEDGER_COLUMNS, _ledger_rows(covered)),
        "rules.json": rules.encode("utf-8"),
    }
    return sorted(_write_atomic(folder / name, data) for name, data in files.items())
