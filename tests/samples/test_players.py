"""Tests of the players sample generator, checked against the players.md contract."""

from __future__ import annotations

import ast
import csv
import json
import re
import zipfile
from collections import defaultdict
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
import pytest

from analytics.samples import players as gen

PLAYER_HEADER = [
    "player_id", "total_deposited", "total_wagered", "total_won", "sessions",
    "playtime_hours", "total_withdrawn", "bonus_received", "registered_at",
    "last_active_at", "tier",
]
LEDGER_HEADER = ["player_id", "time", "type", "amount", "game_type", "device_id", "ip"]
TYPES = {"deposit", "wager", "win", "withdrawal", "bonus"}
NUMERIC = {
    "total_deposited", "total_wagered", "total_won", "sessions", "session_count",
    "playtime_hours", "total_withdrawn", "bonus_received", "net_pnl", "net_loss",
    "avg_wager_per_session", "win_loss_ratio",
}
FUNCS = {"min", "max", "abs", "round"}
POINTS = {"bonus_only": 30, "fast_withdrawal": 25, "bet_jump": 20, "multi_accounting": 40,
          "abnormal_win_rate": 25}
MULTIPLIER = {"NEW": 4, "LOSING": 10, "BREAKEVEN": 6, "WINNING": 3, "VIP": 12}
FIVE_PCT = Decimal("0.05")


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """One generated sample folder, shared by the module's tests."""
    root = tmp_path_factory.mktemp("run1")
    return root / "players", gen.generate(root)


@pytest.fixture(scope="module")
def players(out: tuple[Path, list[Path]]) -> list[dict[str, str]]:
    """players.csv as dicts of strings."""
    with (out[0] / "players.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def ledger(out: tuple[Path, list[Path]]) -> list[dict[str, str]]:
    """transactions.csv as dicts of strings."""
    with (out[0] / "transactions.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def segment(row: dict[str, str]) -> str:
    """The contract's segment, first match wins, in exact decimals."""
    wagered, won = Decimal(row["total_wagered"]), Decimal(row["total_won"])
    net_pnl = won - wagered
    if wagered < 1000:
        return "NEW"
    if wagered >= 100_000 and int(row["sessions"]) >= 50:
        return "VIP"
    if net_pnl > FIVE_PCT * wagered:
        return "WINNING"
    if net_pnl < -FIVE_PCT * wagered:
        return "LOSING"
    return "BREAKEVEN"


def segment_float(row: dict[str, str]) -> str:
    """The same segment computed with floats, as a pandas or DuckDB DOUBLE reader would."""
    wagered, won = float(row["total_wagered"]), float(row["total_won"])
    net_pnl = won - wagered
    if wagered < 1000:
        return "NEW"
    if wagered >= 100_000 and int(row["sessions"]) >= 50:
        return "VIP"
    if net_pnl > 0.05 * wagered:
        return "WINNING"
    if net_pnl < -0.05 * wagered:
        return "LOSING"
    return "BREAKEVEN"


def ts(text: str) -> int:
    """ISO 8601 with Z to epoch seconds (refuses anything else)."""
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", text), text
    return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())


def by_player(ledger: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    """Ledger rows per player in time order."""
    rows: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in ledger:
        rows[row["player_id"]].append(row)
    return {pid: sorted(r, key=lambda x: ts(x["time"])) for pid, r in rows.items()}


def bet_jump(rows: list[dict[str, str]], any_later: bool) -> bool:
    """After a bonus's 10x wagering completes, a wager above 10x the phase's mean wager."""
    bonuses = [i for i, r in enumerate(rows) if r["type"] == "bonus"]
    for n, start in enumerate(bonuses):
        stop = bonuses[n + 1] if n + 1 < len(bonuses) and any_later else len(rows)
        need = Decimal(rows[start]["amount"]) * gen.WAGERING_REQUIREMENT
        wagers = [Decimal(r["amount"]) for r in rows[start + 1:stop] if r["type"] == "wager"]
        done, total = 0, Decimal(0)
        while done < len(wagers) and total < need:
            total += wagers[done]
            done += 1
        if total < need or done == len(wagers):
            continue
        mean = total / done
        after = wagers[done:] if any_later else wagers[done:done + 1]
        if any(w > 10 * mean for w in after):
            return True
    return False


def fast_withdrawal(rows: list[dict[str, str]]) -> bool:
    """A withdrawal at most 1 h after a bonus or a win."""
    credits = [ts(r["time"]) for r in rows if r["type"] in ("bonus", "win")]
    return any(0 <= ts(r["time"]) - c <= 3600
               for r in rows if r["type"] == "withdrawal" for c in credits)


def signals(ledger: list[dict[str, str]]) -> dict[str, set[str]]:
    """Player ids carrying each abuse signal, computed from the ledger alone."""
    found: dict[str, set[str]] = {name: set() for name in POINTS}
    sharing: dict[str, set[str]] = defaultdict(set)
    for pid, rows in by_player(ledger).items():
        sums: dict[str, Decimal] = defaultdict(Decimal)
        for r in rows:
            sums[r["type"]] += Decimal(r["amount"])
            sharing["d:" + r["device_id"]].add(pid)
            sharing["i:" + r["ip"]].add(pid)
        checks = {
            "bonus_only": sums["deposit"] == 0 and sums["bonus"] > 0,
            "fast_withdrawal": fast_withdrawal(rows),
            "bet_jump": bet_jump(rows, any_later=False),
            "abnormal_win_rate": sums["wager"] > 0 and sums["win"] / sums["wager"] > Decimal("1.2"),
        }
        assert bet_jump(rows, any_later=False) == bet_jump(rows, any_later=True), pid
        for name, hit in checks.items():
            if hit:
                found[name].add(pid)
    for ids in sharing.values():
        if len(ids) > 1:
            found["multi_accounting"] |= ids
    return found


def action(score: int) -> str:
    """The contract's score band."""
    if score <= 30:
        return "NO_ACTION"
    if score <= 60:
        return "REDUCED_REWARDS"
    return "INCREASED_WAGERING" if score <= 80 else "BLOCKED"


def scores(found: dict[str, set[str]]) -> dict[str, int]:
    """Abuse score per flagged player: points summed, capped at 100."""
    total: dict[str, int] = defaultdict(int)
    for name, ids in found.items():
        for pid in ids:
            total[pid] += POINTS[name]
    return {pid: min(s, 100) for pid, s in total.items()}


def test_two_runs_are_byte_identical(tmp_path: Path, out: tuple[Path, list[Path]]) -> None:
    second = gen.generate(tmp_path)
    first = out[1]
    assert [p.name for p in first] == [p.name for p in second]
    assert [p.name for p in second] == sorted(
        ["players.csv", "players.xlsx", "transactions.csv", "rules.json"])
    assert all(p.parent == tmp_path / "players" for p in second)
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    assert sorted(p.name for p in (tmp_path / "players").iterdir()) == [p.name for p in second]


def test_text_files_are_utf8_lf_and_small(out: tuple[Path, list[Path]]) -> None:
    total = 0
    for path in out[1]:
        data = path.read_bytes()
        total += len(data)
        if path.suffix != ".xlsx":
            data.decode("utf-8")
            assert b"\r" not in data and data.endswith(b"\n"), path.name
    assert total < 2_000_000


def test_headers_follow_the_contract(out: tuple[Path, list[Path]]) -> None:
    for name, header in (("players.csv", PLAYER_HEADER), ("transactions.csv", LEDGER_HEADER)):
        first = (out[0] / name).read_text(encoding="utf-8").split("\n", 1)[0]
        assert first.split(",") == header


def test_player_values_are_valid(players: list[dict[str, str]]) -> None:
    assert 450 <= len(players) <= 550
    ids = [p["player_id"] for p in players]
    assert ids == [f"P{i:04d}" for i in range(1, len(players) + 1)]
    for p in players:
        for col in PLAYER_HEADER[1:8]:
            if col != "sessions":
                assert re.fullmatch(r"\d+\.\d\d", p[col]), (p["player_id"], col, p[col])
        assert p["sessions"].isdigit()
        assert ts(p["registered_at"]) <= ts(p["last_active_at"])
        money_in = sum(Decimal(p[c]) for c in ("total_deposited", "bonus_received", "total_won"))
        money_out = Decimal(p["total_wagered"]) + Decimal(p["total_withdrawn"])
        assert money_in >= money_out, p["player_id"]
        assert p["tier"] in {"Bronze", "Silver", "Gold", "Platinum"}


def test_all_five_segments_present(players: list[dict[str, str]]) -> None:
    counts: dict[str, int] = defaultdict(int)
    for p in players:
        counts[segment(p)] += 1
    assert set(counts) == {"NEW", "VIP", "WINNING", "LOSING", "BREAKEVEN"}
    assert min(counts.values()) >= 10, counts
    assert counts["VIP"] < counts["WINNING"] < counts["LOSING"], counts


def test_float_segments_match_exact_ones(players: list[dict[str, str]]) -> None:
    assert [segment_float(p) for p in players] == [segment(p) for p in players]


def test_boundary_players(players: list[dict[str, str]]) -> None:
    rows = {p["player_id"]: p for p in players}
    for pid, (wagered, won, sessions, expected) in gen.BOUNDARY_PLAYERS.items():
        row = rows[pid]
        assert Decimal(row["total_wagered"]) * 100 == wagered, pid
        assert Decimal(row["total_won"]) * 100 == won, pid
        assert int(row["sessions"]) == sessions, pid
        assert segment(row) == expected, pid

    def having(test) -> set[str]:
        return {p["player_id"] for p in players if test(Decimal(p["total_wagered"]),
                                                        Decimal(p["total_won"]),
                                                        int(p["sessions"]))}

    assert having(lambda w, n, s: w == 1000)
    assert having(lambda w, n, s: w == 100_000 and s == 50)
    assert having(lambda w, n, s: w == 100_000 and s == 49)
    plus = having(lambda w, n, s: w > 0 and n - w == FIVE_PCT * w)
    minus = having(lambda w, n, s: w > 0 and n - w == -FIVE_PCT * w)
    assert plus and minus
    assert {segment(rows[p]) for p in plus | minus} == {"BREAKEVEN"}


def test_idle_players_have_no_win_loss_ratio(players: list[dict[str, str]]) -> None:
    idle = [p for p in players if Decimal(p["total_wagered"]) == 0]
    assert {p["player_id"] for p in idle} >= set(gen.ZERO_ACTIVITY) | set(gen.DEPOSIT_ONLY)
    assert {segment(p) for p in idle} == {"NEW"}


def test_ledger_rows_are_valid(ledger: list[dict[str, str]]) -> None:
    assert ledger
    times = [ts(r["time"]) for r in ledger]
    assert times == sorted(times)
    for r in ledger:
        assert r["type"] in TYPES
        assert re.fullmatch(r"\d+\.\d\d", r["amount"]) and Decimal(r["amount"]) > 0
        has_game = r["type"] in ("wager", "win")
        assert (r["game_type"] in {"slots", "roulette", "blackjack", "poker", "sports"}) == has_game
        assert (r["game_type"] == "") != has_game
        assert r["device_id"] and re.fullmatch(r"\d+\.\d+\.\d+\.\d+", r["ip"])


def test_ledger_matches_player_totals(players: list[dict[str, str]],
                                      ledger: list[dict[str, str]]) -> None:
    rows = {p["player_id"]: p for p in players}
    grouped = by_player(ledger)
    assert 100 <= len(grouped) <= 200
    column = {"deposit": "total_deposited", "wager": "total_wagered", "win": "total_won",
              "withdrawal": "total_withdrawn", "bonus": "bonus_received"}
    for pid, events in grouped.items():
        sums: dict[str, Decimal] = defaultdict(Decimal)
        balance = Decimal(0)
        for r in events:
            amount = Decimal(r["amount"])
            sums[r["type"]] += amount
            balance += amount if r["type"] in ("deposit", "win", "bonus") else -amount
            assert balance >= 0, (pid, r["time"])
        for kind, col in column.items():
            assert sums[kind] == Decimal(rows[pid][col]), (pid, kind)
        assert ts(rows[pid]["registered_at"]) <= ts(events[0]["time"])
        assert ts(rows[pid]["last_active_at"]) == ts(events[-1]["time"])
    times = [ts(r["time"]) for rs in grouped.values() for r in rs]
    assert len(set(times)) > 0.9 * len(times)


def test_each_abuse_archetype_is_detected(ledger: list[dict[str, str]]) -> None:
    found = signals(ledger)
    for name, expected in gen.ARCHETYPES.items():
        assert found[name] == set(expected), name
        assert len(found[name]) >= 2, name
    covered = {r["player_id"] for r in ledger}
    flagged = set().union(*found.values())
    assert len(flagged) < 0.2 * len(covered)


def test_multi_accounting_ring_and_pair(ledger: list[dict[str, str]]) -> None:
    devices: dict[str, set[str]] = defaultdict(set)
    ips: dict[str, set[str]] = defaultdict(set)
    for r in ledger:
        devices[r["device_id"]].add(r["player_id"])
        ips[r["ip"]].add(r["player_id"])
    shared_devices = [ids for ids in devices.values() if len(ids) > 1]
    shared_ips = [ids for ids in ips.values() if len(ids) > 1]
    assert shared_devices == [set(gen.DEVICE_RING)] and 3 <= len(gen.DEVICE_RING) <= 4
    assert shared_ips == [set(gen.IP_PAIR)]


def test_one_blocked_player(ledger: list[dict[str, str]], players: list[dict[str, str]]) -> None:
    found = signals(ledger)
    score = scores(found)
    blocked = [pid for pid, s in score.items() if action(s) == "BLOCKED"]
    assert blocked == [gen.BLOCKED_PLAYER]
    assert score[gen.BLOCKED_PLAYER] >= 81
    assert sum(name in found and gen.BLOCKED_PLAYER in ids for name, ids in found.items()) >= 3
    rows = {p["player_id"]: p for p in players}
    outside = [p for pid, p in rows.items() if pid not in {r["player_id"] for r in ledger}]
    for p in outside:
        wagered = Decimal(p["total_wagered"])
        assert wagered == 0 or Decimal(p["total_won"]) / wagered <= Decimal("1.2")
        assert Decimal(p["total_deposited"]) > 0 or Decimal(p["bonus_received"]) == 0


def formula_problems(formula: str) -> list[str]:
    """What in a formula falls outside numbers, fields, + - * / ( ) and min/max/abs/round."""
    bad = [t for t in re.findall(r"\d+(?:\.\d+)?|[A-Za-z_]\w*|\S", formula)
           if not (re.fullmatch(r"\d+(?:\.\d+)?|[-+*/(),]", t) or t in NUMERIC | FUNCS)]
    for node in ast.walk(ast.parse(formula, mode="eval")):
        if isinstance(node, ast.Call):
            if not (isinstance(node.func, ast.Name) and node.func.id in FUNCS) or node.keywords:
                bad.append(ast.dump(node.func))
        elif isinstance(node, ast.Name) and node.id not in NUMERIC | FUNCS:
            bad.append(node.id)
        elif isinstance(node, ast.Constant) and type(node.value) not in (int, float):
            bad.append(repr(node.value))
        elif not isinstance(node, ast.Expression | ast.BinOp | ast.UnaryOp | ast.Call
                            | ast.Name | ast.Constant | ast.Load | ast.Add | ast.Sub
                            | ast.Mult | ast.Div | ast.USub):
            bad.append(type(node).__name__)
    return bad


@pytest.mark.parametrize("formula", ["__import__('os')", "x.y", "pow(2, 3)", "'a'",
                                     "total_wagered ** 2", "unknown_field * 2"])
def test_formula_check_refuses_bad_formulas(formula: str) -> None:
    assert formula_problems(formula)


def test_rules_parse_and_use_allowed_tokens(out: tuple[Path, list[Path]]) -> None:
    rules = json.loads((out[0] / "rules.json").read_text(encoding="utf-8"))
    assert isinstance(rules, list) and 5 <= len(rules) <= 7
    assert len({r["rule_id"] for r in rules}) == len(rules)
    assert len({r["priority"] for r in rules}) == len(rules)
    kinds = {"LOYALTY_POINTS", "REWARD_POINTS", "BONUS_BALANCE", "TICKETS", "CASHBACK"}
    for rule in rules:
        config = rule["reward_config"]
        assert config["type"] in kinds and config["max_amount"] > 0
        assert formula_problems(config["formula"]) == [], rule["rule_id"]
        assert isinstance(rule["is_active"], bool)
        for key in rule["conditions"]:
            field = re.sub(r"_(min|max)$", "", key)
            assert field in NUMERIC | {"segment"}, (rule["rule_id"], key)
    contract_example = next(r for r in rules if r["rule_id"] == "LOSING_PLAYER_CASHBACK")
    assert contract_example["reward_config"]["formula"] == "net_loss * 0.10"
    assert contract_example["conditions"] == {"segment": "LOSING", "net_loss_min": 100,
                                              "session_count_min": 3}


def state(row: dict[str, str]) -> dict[str, float]:
    """Export columns and derived state of one player, as formula names."""
    values = {k: float(row[k]) for k in PLAYER_HEADER[1:8]}
    values["session_count"] = values["sessions"]
    values["net_pnl"] = values["total_won"] - values["total_wagered"]
    values["net_loss"] = max(0.0, -values["net_pnl"])
    values["avg_wager_per_session"] = values["total_wagered"] / max(values["sessions"], 1)
    return values


def matches(conditions: dict, values: dict[str, float], seg: str) -> bool:
    """The contract's condition semantics: _min, _max, equality or membership."""
    for key, want in conditions.items():
        name = re.sub(r"_(min|max)$", "", key)
        have = seg if name == "segment" else values[name]
        if key.endswith("_min") and not have >= want:
            return False
        if key.endswith("_max") and not have <= want:
            return False
        if name == key and not (have in want if isinstance(want, list) else have == want):
            return False
    return True


def half_away(x: float, n: int = 0) -> float:
    """round() as the contract has it: half away from zero."""
    q = Decimal(1).scaleb(-n)
    return float(Decimal(repr(x)).quantize(q, rounding=ROUND_HALF_UP))


def first_reward(rules: list[dict], row: dict[str, str]) -> tuple[str, float, float] | None:
    """(rule_id, amount, roi_percent) of the first matching active rule, or None."""
    values, seg = state(row), segment(row)
    for rule in sorted((r for r in rules if r["is_active"]), key=lambda r: r["priority"]):
        if matches(rule["conditions"], values, seg):
            config = rule["reward_config"]
            names = {**values, "min": min, "max": max, "abs": abs, "round": half_away}
            raw = eval(config["formula"], {"__builtins__": {}}, names)
            amount = min(max(raw, 0), config["max_amount"])
            revenue = values["avg_wager_per_session"] * MULTIPLIER[seg] * 0.05
            roi = (revenue - amount) / amount * 100 if amount else float("nan")
            return rule["rule_id"], amount, roi
    return None


def test_rules_give_both_approvals_and_profit_declines(out: tuple[Path, list[Path]],
                                                      players: list[dict[str, str]]) -> None:
    rules = json.loads((out[0] / "rules.json").read_text(encoding="utf-8"))
    outcomes: dict[str, list[float]] = defaultdict(list)
    for row in players:
        hit = first_reward(rules, row)
        if hit:
            outcomes[hit[0]].append(hit[2])
    active = {r["rule_id"] for r in rules if r["is_active"]}
    assert set(outcomes) == active
    assert all(roi < 0 for roi in outcomes["WINNING_PLAYER_RELOAD"])
    assert sum(roi >= 0 for roi in outcomes["LOSING_PLAYER_CASHBACK"]) >= 10
    assert any(roi >= 0 for roi in outcomes["VIP_LOYALTY_POINTS"])
    blocked = next(p for p in players if p["player_id"] == gen.BLOCKED_PLAYER)
    rule_id, amount, roi = first_reward(rules, blocked)
    assert rule_id == "LOSING_PLAYER_CASHBACK"
    assert amount > 0 and roi >= 0, "only the abuse block should stop this reward"


def test_xlsx_holds_the_first_players(out: tuple[Path, list[Path]],
                                      players: list[dict[str, str]]) -> None:
    path = out[0] / "players.xlsx"
    frame = pd.read_excel(path, engine="openpyxl", dtype={"player_id": str})
    assert list(frame.columns) == PLAYER_HEADER
    assert len(frame) == gen.XLSX_PLAYERS
    for (_, got), want in zip(frame.iterrows(), players, strict=False):
        assert got["player_id"] == want["player_id"]
        for col in PLAYER_HEADER[1:8]:
            assert Decimal(repr(float(got[col]))) == Decimal(want[col]), (want["player_id"], col)
        for col in ("registered_at", "last_active_at"):
            stamp = pd.Timestamp(got[col]).tz_localize("UTC").to_pydatetime()
            assert int(stamp.timestamp()) == ts(want[col])
        assert got["tier"] == want["tier"]
    assert {segment(p) for p in players[:gen.XLSX_PLAYERS]} == {
        "NEW", "VIP", "WINNING", "LOSING", "BREAKEVEN"}


def test_xlsx_carries_no_clock(out: tuple[Path, list[Path]]) -> None:
    with zipfile.ZipFile(out[0] / "players.xlsx") as archive:
        assert {i.date_time for i in archive.infolist()} == {(2025, 6, 30, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode("utf-8")
    stamps = re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]*)<", core)
    assert stamps == ["2025-06-30T00:00:00Z", "2025-06-30T00:00:00Z"]
