"""The wallet: balances and ledger agree, nothing below zero, idempotent keys, bonus wagering and
expiry, caps at issue time, tiers, and issuing from several threads and processes at once."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from analytics.errors import InputError, PermissionDenied
from analytics.identity import Actor
from analytics.rewards import tiers, wallet
from analytics.rewards.settings import Tier
from tests.conftest import ROOT

NOW = dt.datetime(2026, 3, 4, 12, 0, 0)  # a Wednesday


def ledger_sums(store) -> dict[tuple[str, str], float]:
    with store.connect() as con:
        rows = con.execute(
            "SELECT player_id, currency, sum(amount) FROM wallet_ledger GROUP BY ALL"
        ).fetchall()
    return {(p, c): float(a) for p, c, a in rows}


def stored_balances(store) -> dict[tuple[str, str], float]:
    with store.connect() as con:
        rows = con.execute("SELECT player_id, currency, balance FROM wallet_balances").fetchall()
    return {(p, c): float(b) for p, c, b in rows}


def test_credit_debit_and_idempotent_keys(store, actor) -> None:
    first = wallet.credit(store, "P1", "LOYALTY_POINTS", 100, actor, key="k1")
    again = wallet.credit(store, "P1", "LOYALTY_POINTS", 100, actor, key="k1")  # a retry
    assert first.created and not again.created and again.entry_id == first.entry_id
    assert wallet.debit(store, "P1", "loyalty_points", 30, actor, key="k2").balance_after == 70.0  # 100 - 30
    with pytest.raises(InputError, match=r"P1: LOYALTY_POINTS balance 70\.0000 cannot cover 70\.0100"):
        wallet.debit(store, "P1", "LOYALTY_POINTS", 70.01, actor, key="k3")
    assert wallet.balances(store, "P1")["LOYALTY_POINTS"] == 70.0  # the refused debit left nothing
    with pytest.raises(InputError, match="idempotency key 'k1' was already used"):
        wallet.credit(store, "P1", "LOYALTY_POINTS", 999, actor, key="k1")
    with pytest.raises(InputError, match="must be greater than 0"):
        wallet.credit(store, "P1", "TICKETS", -5, actor)
    with pytest.raises(InputError, match="currency 'GOLD' is not one of"):
        wallet.credit(store, "P1", "GOLD", 5, actor)
    with pytest.raises(PermissionDenied):
        wallet.credit(store, "P1", "TICKETS", 5, Actor("viewer", "viewer"))
    assert ledger_sums(store) == stored_balances(store) == {("P1", "LOYALTY_POINTS"): 70.0}


def test_bonus_wagering_progress_and_release(store, actor) -> None:
    # 50 bonus x 10 = 500 to wager on slots or roulette
    wallet.add_bonus(
        store,
        "P1",
        50,
        actor,
        wagering_requirement=10,
        expiry_hours=48,
        eligible_games=["Slots", "roulette"],
        key="b1",
        now=NOW,
    )
    at = NOW + dt.timedelta(hours=1)
    assert (
        wallet.record_wager(store, "P1", 300, actor, key="w0", game_type="poker", at=at, now=at)["counted"]
        == 0.0
    )
    assert (
        wallet.record_wager(store, "P1", 200, actor, key="w1", game_type="slots", at=at, now=at)["counted"]
        == 200.0
    )
    assert (
        wallet.record_wager(store, "P1", 200, actor, key="w1", game_type="slots", at=at, now=at)["created"]
        is False
    )
    assert wallet.balances(store, "P1")["BONUS_BALANCE"] == 50.0  # still play-only
    done = wallet.record_wager(store, "P1", 400, actor, key="w2", game_type="roulette", at=at, now=at)
    assert done["counted"] == 300.0 and len(done["completed"]) == 1  # 200 + 300 = 500: complete
    balances = wallet.balances(store, "P1")
    assert (balances["BONUS_BALANCE"], balances["CASH"]) == (0.0, 50.0)  # released to cash
    with store.connect() as con:
        status, wagered = con.execute("SELECT status, wagered FROM wallet_bonuses").fetchone()
    assert (status, float(wagered)) == ("completed", 500.0)


def test_bonus_expiry(store, actor) -> None:
    wallet.add_bonus(store, "P1", 40, actor, wagering_requirement=5, expiry_hours=48, key="b1", now=NOW)
    wallet.add_bonus(store, "P1", 10, actor, wagering_requirement=5, expiry_hours=72, key="b2", now=NOW)
    assert wallet.expire_due(store, actor, now=NOW + dt.timedelta(hours=47)) == {"expired": 0, "completed": 0}
    assert wallet.expire_due(store, actor, now=NOW + dt.timedelta(hours=48)) == {"expired": 1, "completed": 0}
    assert wallet.balances(store, "P1")["BONUS_BALANCE"] == 10.0  # 50 - the expired 40
    # a wager after b1's expiry counts for b2 only (10 x 5 = 50 needed)
    later = NOW + dt.timedelta(hours=50)
    late = wallet.record_wager(store, "P1", 80, actor, key="w", game_type="slots", at=later, now=later)
    assert late["counted"] == 50.0
    assert wallet.balances(store, "P1")["CASH"] == 10.0
    with store.connect() as con:
        kinds = [
            r[0] for r in con.execute("SELECT kind FROM wallet_ledger ORDER BY created_at, kind").fetchall()
        ]
    assert kinds.count("expiry") == 1 and kinds.count("bonus_release") == 2
    assert ledger_sums(store) == {k: v for k, v in stored_balances(store).items()}


def test_expiry_never_takes_more_than_the_balance(store, actor) -> None:
    wallet.add_bonus(store, "P1", 40, actor, wagering_requirement=5, expiry_hours=1, key="b1", now=NOW)
    wallet.debit(store, "P1", "BONUS_BALANCE", 30, actor, key="spent", now=NOW)  # 10 left
    wallet.expire_due(store, actor, now=NOW + dt.timedelta(hours=2))
    assert wallet.balances(store, "P1")["BONUS_BALANCE"] == 0.0  # 10 taken, not 40
    assert min(stored_balances(store).values()) >= 0


def test_zero_wagering_releases_at_once(store, actor) -> None:
    wallet.add_bonus(store, "P1", 25, actor, wagering_requirement=0, expiry_hours=1, key="b0", now=NOW)
    assert wallet.balances(store, "P1")["CASH"] == 25.0


def candidate(key: str, player: str = "P1", amount: float = 300.0, kind: str = "BONUS_BALANCE") -> dict:
    return {
        "idempotency_key": key,
        "player_id": player,
        "rule_id": "R",
        "rule_version": 2,
        "reward_type": kind,
        "amount": amount,
        "segment": "LOSING",
        "expected_wager": 6000.0,
        "expected_revenue": 300.0,
        "expected_profit": 300.0 - amount,
        "roi_percent": 0.0,
        "abuse_score": 0,
        "abuse_action": "NO_ACTION",
        "source_file": "f",
        "wagering_requirement": 10.0 if kind == "BONUS_BALANCE" else None,
        "expiry_hours": 48.0 if kind == "BONUS_BALANCE" else None,
        "eligible_games": ["slots"] if kind == "BONUS_BALANCE" else None,
    }


def issue(store, actor, rows: list[dict], now: dt.datetime = NOW) -> list[str]:
    out = wallet.issue_rewards(store, pd.DataFrame(rows), actor, daily_cap=1000, weekly_cap=5000, now=now)
    return out["status"].tolist()


def test_issue_is_idempotent_and_records_the_rule_version(store, actor) -> None:
    assert issue(store, actor, [candidate("r1"), candidate("r1")]) == ["issued", "duplicate"]
    assert issue(store, actor, [candidate("r1")]) == ["duplicate"]  # a retry pays nothing
    with store.connect() as con:
        version, kind = con.execute("SELECT rule_version, kind FROM wallet_ledger").fetchone()
        issues = con.execute("SELECT rule_version, amount FROM reward_issues").fetchall()
        bonus = con.execute(
            "SELECT wagering_target, expires_at, eligible_games FROM wallet_bonuses"
        ).fetchone()
    assert (version, kind) == (2, "reward") and [(v, float(a)) for v, a in issues] == [(2, 300.0)]
    assert float(bonus[0]) == 3000.0 and bonus[1] == NOW + dt.timedelta(hours=48) and bonus[2] == ["slots"]
    assert wallet.balances(store, "P1")["BONUS_BALANCE"] == 300.0


def test_caps_are_checked_again_when_issuing(store, actor) -> None:
    # 300 + 300 + 300 = 900; a fourth 300 would make 1,200 > 1,000 a day
    assert issue(store, actor, [candidate(f"r{i}") for i in range(4)]) == ["issued"] * 3 + ["daily_cap"]
    thursday = NOW + dt.timedelta(days=1)  # a new day: 1,000 fits again, 1,000 more does not
    rows = [candidate(f"t{i}", amount=1000, kind="CASHBACK") for i in range(2)]
    assert issue(store, actor, rows, thursday) == ["issued", "daily_cap"]
    # P2 from Monday: 1,000 a day Mon..Fri makes exactly 5,000 (allowed); Saturday passes 5,000 a week
    monday = dt.datetime(2026, 3, 2, 9, 0)
    statuses = [
        issue(
            store,
            actor,
            [candidate(f"p2-{d}", player="P2", amount=1000, kind="CASHBACK")],
            monday + dt.timedelta(days=d),
        )[0]
        for d in range(6)
    ]
    assert statuses == ["issued"] * 5 + ["weekly_cap"]
    next_monday = monday + dt.timedelta(days=7)
    assert issue(
        store, actor, [candidate("p2-next", player="P2", amount=1000, kind="CASHBACK")], next_monday
    ) == ["issued"]
    assert wallet.balances(store, "P2")["CASH"] == 6000.0
    assert wallet.balances(store, "P1")["CASH"] == 1000.0
    # P1's three 300 bonuses (48 h) expired during the later runs: each run closes what is due first
    assert wallet.balances(store, "P1")["BONUS_BALANCE"] == 0.0
    with store.connect() as con:
        assert con.execute("SELECT count(*) FROM wallet_ledger WHERE kind = 'expiry'").fetchone()[0] == 3
    assert wallet.cap_windows(NOW) == {
        "day_start": dt.datetime(2026, 3, 4),
        "week_start": dt.datetime(2026, 3, 2),
    }


def test_issuing_needs_the_right(store) -> None:
    with pytest.raises(PermissionDenied, match=r"may not rewards\.issue"):
        issue(store, Actor("auditor", "auditor"), [candidate("r1")])


def test_concurrent_issuing_of_one_reward_pays_once(store, actor) -> None:
    """Eight threads issue the same reward to one player at once: one payment, the rest duplicates."""
    barrier = threading.Barrier(8)

    def go(_i: int) -> list[str]:
        barrier.wait()
        return issue(store, actor, [candidate("same-key", amount=250.0, kind="CASHBACK")])

    with ThreadPoolExecutor(8) as pool:
        results = sorted(s for r in pool.map(go, range(8)) for s in r)
    assert results == ["duplicate"] * 7 + ["issued"]
    assert wallet.balances(store, "P1")["CASH"] == 250.0
    assert ledger_sums(store) == {("P1", "CASH"): 250.0}


def test_concurrent_issuing_respects_the_daily_cap(store, actor) -> None:
    """Ten threads each issue a different 300 reward to one player: only three fit under 1,000."""
    barrier = threading.Barrier(10)

    def go(i: int) -> list[str]:
        barrier.wait()
        return issue(store, actor, [candidate(f"k{i}", kind="CASHBACK")])

    with ThreadPoolExecutor(10) as pool:
        results = [s for r in pool.map(go, range(10)) for s in r]
    assert results.count("issued") == 3 and results.count("daily_cap") == 7
    assert wallet.balances(store, "P1")["CASH"] == 900.0


def test_concurrent_debits_never_overdraw(store, actor) -> None:
    """Twelve threads each spend 30 of a 100 balance: three succeed, the balance ends at 10."""
    wallet.credit(store, "P1", "REWARD_POINTS", 100, actor, key="seed")
    barrier = threading.Barrier(12)

    def go(i: int) -> bool:
        barrier.wait()
        try:
            wallet.debit(store, "P1", "REWARD_POINTS", 30, actor, key=f"spend-{i}")
            return True
        except InputError:
            return False

    with ThreadPoolExecutor(12) as pool:
        done = list(pool.map(go, range(12)))
    assert sum(done) == 3
    assert wallet.balances(store, "P1")["REWARD_POINTS"] == 10.0
    with store.connect() as con:
        assert con.execute("SELECT min(balance_after) FROM wallet_ledger").fetchone()[0] >= 0


ISSUE_SCRIPT = """
import sys
import datetime as dt
import pandas as pd
from analytics.identity import Actor
from analytics.rewards import wallet
from analytics.store import Store
from tests.rewards.test_wallet import candidate
rows = pd.DataFrame([candidate(f"key-{i}", player=f"P{i % 3}", amount=100.0, kind="CASHBACK") for i in range(30)])
out = wallet.issue_rewards(Store(sys.argv[1]), rows, Actor("proc"), daily_cap=1000, weekly_cap=5000)
print(int((out["status"] == "issued").sum()))
"""


def test_two_processes_issuing_the_same_batch_pay_once(store, db_path: Path, cli_env) -> None:
    store.ensure_created()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", ISSUE_SCRIPT, str(db_path)],
            cwd=ROOT,
            env=cli_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    issued = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        issued.append(int(out.strip()))
    assert sorted(issued) == [0, 30]  # one process paid the 30 rewards, the other found them all
    assert ledger_sums(store) == {("P0", "CASH"): 1000.0, ("P1", "CASH"): 1000.0, ("P2", "CASH"): 1000.0}


def test_tiers_from_lifetime_loyalty_points(store, actor, cfg) -> None:
    levels = tiers.list_tiers(store, cfg)
    assert [(t.name, t.min_points) for t in levels] == [
        ("Bronze", 0),
        ("Silver", 1000),
        ("Gold", 5000),
        ("Platinum", 20000),
    ]
    assert [tiers.tier_for(p, levels) for p in (0, 999.99, 1000, 4999, 5000, 19999, 20000)] == [
        "Bronze",
        "Bronze",
        "Silver",
        "Silver",
        "Gold",
        "Gold",
        "Platinum",
    ]
    wallet.add_loyalty_points(store, "P1", 1200, actor, key="lp1")
    wallet.debit(store, "P1", "LOYALTY_POINTS", 500, actor, key="spend")  # spending keeps the tier
    earned = tiers.loyalty_points(store, "P1")
    assert earned["points"].tolist() == [1200.0]
    assert tiers.tier_for(1200.0, levels) == "Silver"
    changed = tiers.save_tier(store, "Silver", 1500, actor, cfg)
    assert [(t.name, t.min_points) for t in changed][1] == ("Silver", 1500)
    assert tiers.tier_for(1200.0, tiers.list_tiers(store, cfg)) == "Bronze"
    with pytest.raises(InputError, match="strictly ascend"):
        tiers.save_tier(store, "Diamond", 5000, actor, cfg)  # same threshold as Gold
    assert tiers.save_tier(store, "Diamond", 50000, actor, cfg)[-1] == Tier(name="Diamond", min_points=50000)
