"""Deterministic sample data for the cashout audit workspace (contracts/cashout_events.md).

Writes liveops-style audit exports under ``out_dir/cashout``: one CSV per cashout named
``<username>_<M><D><YYYY>.csv``, one CSV holding several players, one file out of time
order, and one raw game-server audit-query export (pennies) under ``cashout/raw``.
Every archetype the seed team studied is present as a known case:

- grinders ``u1001`` (two cashouts), ``u1002``, ``u1003`` (rows shuffled): approved;
- top player ``u1004``: high_winrate;
- mega inviters ``u1005`` (rejected) and ``u1006`` (collusion);
- value mismatch ``u1007`` (second cashout only);
- colluders ``u1008``/``u1009``/``u1010`` sharing one device: device_sharing;
- fast cashout ``u1011`` and admin balance ``u1012``;
- raw export of ``u1401`` with a duplicated and a failed CashOutFinish.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from analytics.fileio import atomic_write

SEED = 20230919
SLOT_SECONDS = 600
HEADER = (
    "event_time", "user_id", "username", "event_type", "amount", "won",
    "counterparty_id", "device_id", "cashout_id",
)
RAW_HEADER = (
    "time", "userid", "username", "deviceid", "type", "balancechange", "escrowchange",
    "prevbalance", "reason", "result", "opponentusername", "istransaction",
    "awardedprizetype", "usedpowerup", "inviterusername", "iserror", "count", "appversion",
)
RAW_OPPONENTS = (
    "zed_ok", "marbles_99", "kittykat", "bigsal", "noodle_arm", "qwerty_q", "luckylou",
    "dr_pickle", "sunny_d", "glitchy",
)


class Part(NamedTuple):
    """One event before it has a time: type, amount in cents, won, counterparty."""

    event_type: str
    cents: int
    won: bool | None = None
    counterparty: str = ""


Block = list[Part]


@dataclass(frozen=True)
class Player:
    """A sample account and the devices it plays on (first device used first)."""

    user_id: str
    username: str
    devices: tuple[str, ...]


@dataclass(frozen=True)
class Event:
    """One row of a liveops cashout export."""

    time: datetime
    user_id: str
    username: str
    event_type: str
    cents: int
    won: bool | None = None
    counterparty: str = ""
    device: str = ""
    cashout_id: str = ""


@dataclass
class Window:
    """Play between two cashouts: blocks are shuffled, head blocks come first in time."""

    start: datetime
    end: datetime
    cashout_id: str
    blocks: list[Block]
    head: list[Block] = field(default_factory=list)
    fixed: list[Event] = field(default_factory=list)
    payout: str = "full"


def at(text: str) -> datetime:
    """Parse a UTC time written as ``YYYY-MM-DD HH:MM:SS``."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def win_cents(entry: int) -> int:
    """Net result of a won game: prize (1.8 x entry) minus the entry fee."""
    return entry * 4 // 5


def games(
    rng: random.Random, event_type: str, n: int, wins: int,
    entries: tuple[int, ...], opponents: tuple[str, ...],
) -> list[Block]:
    """``n`` single-game blocks of which exactly ``wins`` are won."""
    blocks = []
    for i in range(n):
        entry = rng.choice(entries)
        won = i < wins
        cents = win_cents(entry) if won else -entry
        blocks.append([Part(event_type, cents, won, rng.choice(opponents))])
    return blocks


def abandoned(rng: random.Random, n: int, opponents: tuple[str, ...]) -> list[Block]:
    """Live games with no known result whose entry fee was refunded."""
    return [[Part("game_end", 0, None, rng.choice(opponents))] for _ in range(n)]


def tournaments(results: list[tuple[int, int]]) -> list[Block]:
    """Entry fee then prize (no tournament_end row when nothing was won)."""
    blocks = []
    for fee, prize in results:
        block = [Part("tournament_entry", -fee)]
        if prize:
            block.append(Part("tournament_end", prize))
        blocks.append(block)
    return blocks


def rewards(event_type: str, amounts: list[int]) -> list[Block]:
    """Single-row credit blocks (goal claims, mega spins, admin additions)."""
    return [[Part(event_type, cents)] for cents in amounts]


def invites(invitees: list[str]) -> list[Block]:
    """invite_accepted rows, one per invitee."""
    return [[Part("invite_accepted", 0, None, who)] for who in invitees]


def slot_times(rng: random.Random, start: datetime, end: datetime, n: int) -> list[datetime]:
    """``n`` sorted distinct times in [start, end), at least five minutes apart."""
    slots = int((end - start).total_seconds()) // SLOT_SECONDS
    picked = sorted(rng.sample(range(slots), n))
    return [
        start + timedelta(seconds=s * SLOT_SECONDS + rng.randrange(SLOT_SECONDS // 2))
        for s in picked
    ]


def play(rng: random.Random, player: Player, window: Window) -> list[Event]:
    """Timed events of one window (without the cashout), merged with its fixed events."""
    body = list(window.blocks)
    rng.shuffle(body)
    parts = [p for block in window.head + body for p in block]
    taken = {e.time for e in window.fixed}
    times = [t for t in slot_times(rng, window.start, window.end, len(parts) + 3)
             if t not in taken][: len(parts)]
    events = [
        Event(t, player.user_id, player.username, p.event_type, p.cents, p.won,
              p.counterparty, device_for(rng, player, i))
        for i, (t, p) in enumerate(zip(times, parts, strict=True))
    ]
    return sorted(events + window.fixed, key=lambda e: e.time)


def device_for(rng: random.Random, player: Player, index: int) -> str:
    """The first event uses the first device, later ones any of the player's devices."""
    return player.devices[0] if index == 0 else rng.choice(player.devices)


def payout(window: Window, balance: int, last: int) -> int:
    """Amount requested: the balance, its whole-unit part, or balance plus the last payout."""
    if window.payout == "whole":
        return balance - balance % 100
    if window.payout == "repeat":
        return balance + last
    return balance


def timeline(rng: random.Random, player: Player, windows: list[Window]) -> list[Event]:
    """All events of a player, each window closed by its cashout."""
    events: list[Event] = []
    balance = amount = 0
    for window in windows:
        played = play(rng, player, window)
        balance += sum(e.cents for e in played)
        amount = payout(window, balance, amount)
        cashout = Event(window.end, player.user_id, player.username, "cashout", amount,
                        device=player.devices[0], cashout_id=window.cashout_id)
        events += [*played, cashout]
        balance = max(balance - amount, 0)
    return events


def mirror(events: list[Event], target: Player, device: str) -> list[Event]:
    """The opponent's side of the matchups in ``events`` played against ``target``."""
    out = []
    for e in events:
        if e.event_type == "matchup_end" and e.counterparty == target.user_id:
            cents = -(e.cents * 5 // 4) if e.won else win_cents(-e.cents)
            out.append(Event(e.time, target.user_id, target.username, "matchup_end", cents,
                             not e.won, e.user_id, device))
    return out


def devices(rng: random.Random, n: int) -> list[str]:
    """``n`` distinct device ids."""
    return [f"d-{x:06x}" for x in rng.sample(range(0x100000, 0x1000000), n)]


@dataclass
class Cast:
    """Shared ids: opponent pool and device ids handed out in order."""

    pool: tuple[str, ...]
    device_ids: list[str]

    def player(self, user_id: str, username: str, n_devices: int = 1) -> Player:
        """A player with ``n_devices`` fresh device ids."""
        taken = [self.device_ids.pop(0) for _ in range(n_devices)]
        return Player(user_id, username, tuple(taken))


def grinders(rng: random.Random, cast: Cast) -> list[list[Event]]:
    """Three approved grinders: two cashouts, invites, shuffled rows."""
    pool = cast.pool
    wrick = cast.player("u1001", "wrickmon", 2)
    w1 = Window(at("2023-08-21 09:00:00"), at("2023-09-02 14:02:11"), "c-9712",
                games(rng, "game_end", 40, 24, (50, 100), pool)
                + games(rng, "matchup_end", 6, 3, (100,), pool)
                + tournaments([(100, 1500), (100, 0), (200, 0)])
                + rewards("goal_claim", [50, 50, 100]) + rewards("mega_spin", [100, 50]),
                payout="whole")
    w2 = Window(at("2023-09-03 10:00:00"), at("2023-09-19 14:02:11"), "c-9981",
                games(rng, "game_end", 45, 26, (50, 100), pool) + abandoned(rng, 2, pool)
                + games(rng, "matchup_end", 8, 4, (100, 200), pool)
                + tournaments([(100, 1200), (100, 0)])
                + rewards("goal_claim", [50, 100]) + rewards("mega_spin", [100]))
    penny = cast.player("u1002", "pixelpenny")
    w3 = Window(at("2023-09-05 08:00:00"), at("2023-09-26 19:40:05"), "c-10077",
                games(rng, "game_end", 50, 28, (50, 100, 200), pool) + abandoned(rng, 2, pool)
                + games(rng, "matchup_end", 10, 5, (100,), pool)
                + games(rng, "matchup_end", 1, 1, (100,), ("u7101",))
                + tournaments([(200, 1800), (200, 0), (100, 600)])
                + rewards("goal_claim", [100, 100, 50]) + rewards("mega_spin", [100, 100]),
                head=invites(["u7101", "u7102"]))
    tom = cast.player("u1003", "tomsawyer88")
    w4 = Window(at("2023-09-12 12:00:00"), at("2023-10-03 11:15:42"), "c-10140",
                games(rng, "game_end", 35, 20, (100,), pool)
                + games(rng, "matchup_end", 5, 3, (200,), pool)
                + tournaments([(100, 1000), (100, 0)])
                + rewards("goal_claim", [50, 50]) + rewards("mega_spin", [50, 100]),
                payout="whole")
    return [timeline(rng, wrick, [w1, w2]), timeline(rng, penny, [w3]),
            timeline(rng, tom, [w4])]


def top_player(rng: random.Random, cast: Cast) -> list[Event]:
    """A player winning 26 of 32 games."""
    ace = cast.player("u1004", "acehigh")
    window = Window(at("2023-09-10 15:00:00"), at("2023-09-28 21:07:33"), "c-10102",
                    games(rng, "game_end", 20, 16, (100, 200), cast.pool)
                    + games(rng, "matchup_end", 12, 10, (200,), cast.pool)
                    + tournaments([(200, 2500)]) + rewards("goal_claim", [100]))
    return timeline(rng, ace, [window])


def mega_inviters(rng: random.Random, cast: Cast) -> list[list[Event]]:
    """Two inviters winning matchups from their own invitees."""
    queen = cast.player("u1005", "queenbee")
    q_invitees = [f"u72{i:02d}" for i in range(1, 13)]
    wq = Window(at("2023-09-08 18:00:00"), at("2023-10-01 22:30:19"), "c-10121",
                games(rng, "matchup_end", 14, 11, (500,), tuple(q_invitees))
                + games(rng, "game_end", 12, 6, (100,), cast.pool)
                + rewards("goal_claim", [100]) + rewards("mega_spin", [100]),
                head=invites(q_invitees))
    link = cast.player("u1006", "linkmaster")
    l_invitees = [f"u73{i:02d}" for i in range(1, 11)]
    wl = Window(at("2023-08-25 07:30:00"), at("2023-09-14 16:45:50"), "c-9874",
                games(rng, "matchup_end", 7, 5, (500,), tuple(l_invitees))
                + games(rng, "matchup_end", 8, 4, (200,), cast.pool)
                + games(rng, "game_end", 30, 16, (100,), cast.pool)
                + tournaments([(200, 1500)]) + rewards("goal_claim", [100, 100, 100])
                + rewards("mega_spin", [100, 100, 100]),
                head=invites(l_invitees))
    return [timeline(rng, queen, [wq]), timeline(rng, link, [wl])]


def value_mismatch(rng: random.Random, cast: Cast) -> list[Event]:
    """A clean first cashout, then one paying the first window's value again."""
    marlowe = cast.player("u1007", "marlowe")
    w1 = Window(at("2023-08-15 11:00:00"), at("2023-09-01 09:12:44"), "c-9705",
                games(rng, "game_end", 20, 11, (100,), cast.pool)
                + tournaments([(100, 1200)]) + rewards("mega_spin", [100]))
    w2 = Window(at("2023-09-02 12:00:00"), at("2023-09-30 17:55:03"), "c-10118",
                games(rng, "game_end", 15, 9, (100,), cast.pool)
                + tournaments([(100, 1000)]) + rewards("goal_claim", [50, 50])
                + rewards("mega_spin", [100]),
                payout="repeat")
    return timeline(rng, marlowe, [w1, w2])


def colluders(rng: random.Random, cast: Cast) -> tuple[list[Event], list[Event], list[Event]]:
    """Three accounts on one device; bluefox wins most matchups from the other two."""
    shared = cast.device_ids.pop(0)
    fox = Player("u1008", "bluefox", (shared, cast.device_ids.pop(0)))
    alt = Player("u1009", "bluefox_2", (shared,))
    trot = Player("u1010", "foxtrot9", (shared, cast.device_ids.pop(0)))
    wf = Window(at("2023-09-18 20:00:00"), at("2023-10-05 23:41:27"), "c-10163",
                games(rng, "game_end", 20, 9, (100,), cast.pool)
                + games(rng, "matchup_end", 10, 9, (500,), (alt.user_id,))
                + games(rng, "matchup_end", 8, 7, (500,), (trot.user_id,)))
    fox_events = timeline(rng, fox, [wf])
    alt_events = play(rng, alt, Window(
        at("2023-09-16 19:00:00"), at("2023-10-04 23:00:00"), "",
        games(rng, "game_end", 6, 3, (100,), cast.pool), fixed=mirror(fox_events, alt, shared)))
    wt = Window(at("2023-09-17 09:00:00"), at("2023-10-06 08:03:55"), "c-10171",
                games(rng, "game_end", 30, 18, (100,), cast.pool)
                + tournaments([(200, 3000), (200, 2500)])
                + rewards("goal_claim", [100, 100]) + rewards("mega_spin", [100]),
                fixed=mirror(fox_events, trot, shared))
    return fox_events, alt_events, timeline(rng, trot, [wt])


def fast_and_admin(rng: random.Random, cast: Cast) -> list[list[Event]]:
    """A cashout after three games, and one funded mostly by admin_add_balance."""
    speedy = cast.player("u1011", "speedy_g")
    ws = Window(at("2023-10-03 18:00:00"), at("2023-10-04 12:20:08"), "c-10150",
                games(rng, "game_end", 3, 2, (100,), cast.pool) + tournaments([(100, 2000)]))
    staff = cast.player("u1012", "staffpick")
    wa = Window(at("2023-09-20 10:00:00"), at("2023-10-02 15:33:10"), "c-10130",
                games(rng, "game_end", 10, 6, (100,), cast.pool)
                + rewards("goal_claim", [50]) + rewards("admin_add_balance", [1500]))
    return [timeline(rng, speedy, [ws]), timeline(rng, staff, [wa])]


def money(cents: int) -> str:
    """Cents as a currency amount with two decimals."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def row(e: Event) -> list[str]:
    """One CSV row of the export."""
    won = "" if e.won is None else str(e.won).lower()
    return [e.time.strftime("%Y-%m-%dT%H:%M:%SZ"), e.user_id, e.username, e.event_type,
            money(e.cents), won, e.counterparty, e.device, e.cashout_id]


def to_csv(header: tuple[str, ...], rows: list[list[str]]) -> str:
    """CSV text with ``\\n`` line endings."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def file_name(prefix: str, events: list[Event]) -> str:
    """liveops' naming: prefix + month, day, year of the newest cashout, unpadded."""
    day = max(e.time for e in events if e.event_type == "cashout")
    return f"{prefix}_{day.month}{day.day}{day.year}.csv"


def write_atomic(path: Path, text: str) -> Path:
    """Write UTF-8 text atomically (analytics.fileio)."""
    return atomic_write(path, text)


@dataclass
class RawLog:
    """The raw server log of one cashing-out player, balances tracked in pennies."""

    rng: random.Random
    player: Player
    rows: list[dict[str, str]] = field(default_factory=list)
    balance: int = 0

    def add(self, time: datetime, kind: str, change: int | None = None,
            escrow: int | None = None, **extra: str) -> None:
        """Append one of the player's server events and update the balance."""
        ms = self.rng.randrange(1000)
        self.rows.append({
            "time": time.strftime("%Y-%m-%dT%H:%M:%S") + f".{ms:03d}",
            "userid": self.player.user_id, "username": self.player.username,
            "deviceid": self.player.devices[0], "type": kind,
            "balancechange": "" if change is None else str(change),
            "escrowchange": "" if escrow is None else str(escrow),
            "prevbalance": str(self.balance), "appversion": "3.14.2", **extra,
        })
        self.balance += (change or 0) + (escrow or 0)

    def game(self, time: datetime, kind: str, entry: int, won: bool, opponent: str) -> None:
        """StartGame marker, then the GameEnd or AcknowledgeResult releasing the escrow."""
        self.add(time - timedelta(seconds=self.rng.randrange(60, 240)), "StartGame",
                 istransaction="false")
        outcome = "win" if won else "loss"
        field_name = "reason" if kind == "GameEnd" else "result"
        self.add(time, kind, entry * 9 // 5 if won else 0, -entry, istransaction="true",
                 opponentusername=opponent, **{field_name: outcome})

    def cashout(self, time: datetime, count: int, error: bool = False, copies: int = 1) -> None:
        """CashOutFinish: prevbalance is the amount requested; a failure moves nothing."""
        self.add(time, "CashOutFinish", 0 if error else -self.balance,
                 iserror=str(error).lower(), count=str(count), istransaction="true")
        self.rows += [dict(self.rows[-1]) for _ in range(copies - 1)]


RawStep = tuple[str, tuple]


def raw_steps(rng: random.Random, live: tuple[int, int], duel: tuple[int, int],
              duel_opponents: tuple[str, ...]) -> list[RawStep]:
    """Server events of one window (games carry entry, won and opponent)."""
    steps: list[RawStep] = []
    for i in range(live[0]):
        steps.append(("GameEnd", (100, i < live[1], rng.choice(RAW_OPPONENTS))))
    for i in range(duel[0]):
        steps.append(("AcknowledgeResult", (200, i < duel[1], duel_opponents[i])))
    steps += [("Login", ())] * 3 + [("ClaimGoalReward", ("Gems", None))]
    return [*steps, ("Awarded", ("DoubleDown", None))]


def apply_step(log: RawLog, time: datetime, step: RawStep) -> None:
    """Write one shuffled step to the raw log."""
    kind, args = step
    if kind in ("GameEnd", "AcknowledgeResult"):
        log.game(time, kind, *args)
    elif kind == "ClaimGoalReward":
        log.add(time, kind, args[1], awardedprizetype=args[0], istransaction="false")
    elif kind == "Awarded":
        log.add(time, kind, args[1], usedpowerup=args[0], istransaction="false")
    elif kind == "Money":
        log.add(time, args[0], args[1], **args[2])
    else:
        log.add(time, kind, istransaction="false")


def raw_window(log: RawLog, start: datetime, end: datetime, steps: list[RawStep],
               money_rows: list[RawStep]) -> None:
    """The first money row (a deposit), then steps and the other money rows in order."""
    opening, later = money_rows[0], money_rows[1:]
    mixed = steps + later
    log.rng.shuffle(mixed)
    slots = [i for i, step in enumerate(mixed) if step[0] == "Money"]
    for i, step in zip(slots, later, strict=True):
        mixed[i] = step
    times = slot_times(log.rng, start, end, len(mixed) + 1)
    for time, step in zip(times, [opening, *mixed], strict=True):
        apply_step(log, time, step)


def money_row(kind: str, change: int | None, **extra: str) -> RawStep:
    """A server event moving (or not) the balance, written as given."""
    return ("Money", (kind, change, extra))


def raw_export(rng: random.Random, cast: Cast) -> tuple[str, str]:
    """Raw audit-query export of jaxxon77: two cashouts, a duplicate and a failure."""
    jax = cast.player("u1401", "jaxxon77")
    lil = cast.player("u1402", "lilbit")
    mochi = cast.player("u1403", "mochi_22")
    log = RawLog(rng, jax)
    for when, invitee in ((at("2023-08-28 09:15:00"), lil), (at("2023-08-28 21:40:00"), mochi)):
        log.rows.append({
            "time": when.strftime("%Y-%m-%dT%H:%M:%S.000"), "userid": invitee.user_id,
            "username": invitee.username, "deviceid": invitee.devices[0], "type": "SetInviter",
            "prevbalance": "0", "inviterusername": jax.username, "istransaction": "false",
            "appversion": "3.14.2",
        })
    raw_window(log, at("2023-08-29 08:00:00"), at("2023-09-06 18:00:00"),
               raw_steps(rng, (12, 7), (4, 2), ("lilbit", "bigsal", "glitchy", "zed_ok")),
               [money_row("Deposit", 1000, istransaction="true"),
                money_row("JoinSpecialEvent", -200, istransaction="true"),
                money_row("ClaimSpecialEventPrize", 1500, istransaction="true"),
                money_row("ClaimGoalReward", 50, awardedprizetype="Tokens", istransaction="true"),
                money_row("Awarded", 100, usedpowerup="TowerJump", istransaction="true")])
    log.cashout(at("2023-09-06 19:04:31"), 1, copies=2)
    raw_window(log, at("2023-09-07 09:00:00"), at("2023-09-22 09:30:00"),
               raw_steps(rng, (14, 8), (3, 2), ("kittykat", "mochi_22", "luckylou")),
               [money_row("Deposit", 1000, istransaction="true"),
                money_row("JoinSpecialEvent", None, istransaction="false"),
                money_row("AdminAddBalance", 300, reason="make_good", istransaction="true"),
                money_row("JoinSpecialEvent", -200, istransaction="true"),
                money_row("ClaimSpecialEventPrize", 1000, istransaction="true"),
                money_row("ClaimGoalReward", 100, awardedprizetype="Tokens", istransaction="true"),
                money_row("Awarded", 50, usedpowerup="TowerJump", istransaction="true")])
    log.cashout(at("2023-09-22 10:01:12"), 2, error=True)
    log.cashout(at("2023-09-22 10:09:47"), 3)
    rows = sorted(log.rows, key=lambda r: r["time"])
    text = to_csv(RAW_HEADER, [[r.get(c, "") for c in RAW_HEADER] for r in rows])
    last = at("2023-09-22 10:09:47")
    return f"raw_{jax.username}_{last.month}{last.day}{last.year}.csv", text


def build(rng: random.Random) -> dict[str, str]:
    """File name (relative to the cashout folder) to CSV text."""
    cast = Cast(tuple(f"u{n}" for n in rng.sample(range(5000, 7000), 40)), devices(rng, 20))
    files: dict[str, list[Event]] = {}
    grinder_events = grinders(rng, cast)
    unsorted = file_name("tomsawyer88", grinder_events[2])
    for events in [*grinder_events, top_player(rng, cast), *mega_inviters(rng, cast),
                   value_mismatch(rng, cast)]:
        files[file_name(events[0].username, events)] = events
    fox, alt, trot = colluders(rng, cast)
    fast, admin = fast_and_admin(rng, cast)
    files[file_name(trot[0].username, trot)] = trot
    batch = fox + alt + fast + admin
    files[file_name("cashouts", batch)] = batch
    texts = {}
    for name, events in files.items():
        ordered = sorted(events, key=lambda e: (e.time, e.user_id))
        if name == unsorted:
            rng.shuffle(ordered)
        texts[name] = to_csv(HEADER, [row(e) for e in ordered])
    raw_name, raw_text = raw_export(rng, cast)
    texts[f"raw/{raw_name}"] = raw_text
    return texts


def generate(out_dir: Path) -> list[Path]:
    """Write the cashout sample files under ``out_dir / "cashout"``; return them sorted."""
    root = Path(out_dir) / "cashout"
    texts = build(random.Random(SEED))
    return sorted(write_atomic(root / name, texts[name]) for name in sorted(texts))
