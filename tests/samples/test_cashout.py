"""Tests of the cashout sample generator: determinism, contract shape and known cases.

The figures are recomputed here from the generated rows, by the definitions of
contracts/cashout_events.md, so each archetype is proven rather than assumed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from analytics.samples.cashout import generate

HEADER = [
    "event_time", "user_id", "username", "event_type", "amount", "won",
    "counterparty_id", "device_id", "cashout_id",
]
EVENT_TYPES = {
    "game_end", "matchup_end", "tournament_end", "tournament_entry", "goal_claim",
    "mega_spin", "admin_add_balance", "cashout", "invite_accepted",
}
GAMES = ("game_end", "matchup_end")
SOURCES = ("game_end", "matchup_end", "tournament_end", "goal_claim", "mega_spin",
           "admin_add_balance")
RAW_REQUIRED = [
    "time", "userid", "username", "deviceid", "type", "balancechange", "escrowchange",
    "prevbalance", "reason", "result", "opponentusername", "istransaction",
    "awardedprizetype", "usedpowerup", "inviterusername", "iserror", "count",
]
EXPECTED = {  # cashout_id: (user_id, verdict, reasons)
    "c-9712": ("u1001", "approved", set()),
    "c-9981": ("u1001", "approved", set()),
    "c-10077": ("u1002", "approved", set()),
    "c-10140": ("u1003", "approved", set()),
    "c-10102": ("u1004", "flagged", {"high_winrate"}),
    "c-10121": ("u1005", "rejected", {"collusion"}),
    "c-9874": ("u1006", "flagged", {"collusion"}),
    "c-9705": ("u1007", "approved", set()),
    "c-10118": ("u1007", "flagged", {"value_mismatch"}),
    "c-10163": ("u1008", "flagged", {"device_sharing"}),
    "c-10171": ("u1010", "flagged", {"device_sharing"}),
    "c-10150": ("u1011", "flagged", {"fast_cashout"}),
    "c-10130": ("u1012", "flagged", {"admin_balance"}),
}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """One generated sample set shared by the tests."""
    return generate(tmp_path_factory.mktemp("samples"))


@pytest.fixture(scope="module")
def events(files: list[Path]) -> pd.DataFrame:
    """All rows of the liveops exports, parsed."""
    frames = [pd.read_csv(p, dtype=str, keep_default_na=False).assign(file=p.name)
              for p in files if p.parent.name == "cashout"]
    df = pd.concat(frames, ignore_index=True)
    df["t"] = pd.to_datetime(df["event_time"], utc=True, format="ISO8601")
    df["value"] = df["amount"].astype(float)
    df["result"] = df["won"].map({"true": True, "false": False, "": None})
    return df


@pytest.fixture(scope="module")
def raw(files: list[Path]) -> pd.DataFrame:
    """The raw audit-query export."""
    (path,) = [p for p in files if p.parent.name == "raw"]
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def audit(events: pd.DataFrame, c: pd.Series) -> dict:
    """The contract's figures and verdict for cashout row ``c``."""
    mine = events[events["user_id"] == c["user_id"]]
    before = mine.loc[(mine["event_type"] == "cashout") & (mine["t"] < c["t"]), "t"]
    in_window = mine["t"] <= c["t"]
    if len(before):
        in_window &= mine["t"] > before.max()
    window = mine[in_window].drop(index=c.name)
    games = window[window["event_type"].isin(GAMES)]
    known = games["result"].dropna().astype(bool)
    positive = window[window["value"] > 0]
    totals = {s: positive.loc[positive["event_type"] == s, "value"].sum() for s in SOURCES}
    total = sum(totals.values())
    invites = mine[(mine["event_type"] == "invite_accepted") & (mine["t"] <= c["t"])]
    inviters = events.loc[(events["event_type"] == "invite_accepted")
                          & (events["counterparty_id"] == c["user_id"]), "user_id"]
    related = set(invites["counterparty_id"]) | set(inviters)
    from_related = positive[(positive["event_type"] == "matchup_end")
                            & positive["counterparty_id"].isin(related)]
    devices = set(mine.loc[in_window & (mine["device_id"] != ""), "device_id"])
    others = set(events.loc[events["device_id"].isin(devices), "user_id"]) - {c["user_id"]}
    audited = window["value"].sum()
    figures = {
        "user_id": c["user_id"], "file": c["file"], "amount": c["value"],
        "window_start": window["t"].min(), "games": len(games),
        "winrate": known.mean() if len(known) else None,
        "take": games["value"].sum() / len(games) if len(games) else None,
        "audited": audited,
        "discrepancy": abs(c["value"] - audited) / c["value"] if c["value"] else 0.0,
        "invites": len(invites), "related": sorted(related),
        "invited_share": from_related["value"].sum() / total if total else 0.0,
        "admin_share": totals["admin_add_balance"] / total if total else 0.0,
        "other_accounts": sorted(others), "types": set(window["event_type"]),
    }
    return {**figures, **verdict(figures)}


def verdict(f: dict) -> dict:
    """Reasons and verdict under the default thresholds."""
    checks = {
        "device_sharing": bool(f["other_accounts"]),
        "collusion": f["invited_share"] >= 0.20,
        "high_winrate": f["winrate"] is not None and f["winrate"] >= 0.75 and f["games"] >= 20,
        "admin_balance": f["admin_share"] >= 0.50,
        "fast_cashout": f["games"] < 5,
        "value_mismatch": f["discrepancy"] > 0.10,
    }
    reasons = {code for code, holds in checks.items() if holds}
    if f["invited_share"] >= 0.50:
        return {"reasons": reasons, "verdict": "rejected"}
    return {"reasons": reasons, "verdict": "flagged" if reasons else "approved"}


@pytest.fixture(scope="module")
def audits(events: pd.DataFrame) -> pd.DataFrame:
    """One audit per cashout row, indexed by cashout_id."""
    cashouts = events[events["event_type"] == "cashout"]
    rows = {c["cashout_id"]: audit(events, c) for _, c in cashouts.iterrows()}
    return pd.DataFrame.from_dict(rows, orient="index")


def test_two_runs_are_byte_identical(tmp_path: Path) -> None:
    first, second = generate(tmp_path / "a"), generate(tmp_path / "b")
    names = [p.relative_to(tmp_path / "a") for p in first]
    assert names == [p.relative_to(tmp_path / "b") for p in second]
    assert first == sorted(first) and len(first) >= 10
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first, second, strict=True))
    assert not [p for p in (tmp_path / "a").rglob("*") if p.is_file() and p not in first]


def test_files_are_small_utf8_with_lf(files: list[Path]) -> None:
    assert all(p.is_relative_to(files[0].parents[1] / "cashout") for p in files)
    assert sum(p.stat().st_size for p in files) < 1_000_000
    for p in files:
        data = p.read_bytes()
        assert b"\r" not in data and data.endswith(b"\n")
        data.decode("utf-8")


def test_every_export_has_exactly_the_contract_header(files: list[Path]) -> None:
    exports = [p for p in files if p.parent.name == "cashout"]
    assert len(exports) >= 9
    for p in exports:
        assert p.read_text(encoding="utf-8").split("\n", 1)[0].split(",") == HEADER
        assert re.fullmatch(r"[a-z0-9_]+_\d{1,2}\d{1,2}2023\.csv", p.name)


def test_values_are_well_formed(events: pd.DataFrame) -> None:
    assert set(events["event_type"]) == EVENT_TYPES
    assert events["event_time"].str.fullmatch(r"2023-\d\d-\d\dT\d\d:\d\d:\d\dZ").all()
    assert events["t"].min() >= pd.Timestamp("2023-08-01", tz="UTC")
    assert events["t"].max() < pd.Timestamp("2023-11-01", tz="UTC")
    assert events["amount"].str.fullmatch(r"-?\d+\.\d\d").all()
    is_game = events["event_type"].isin(GAMES)
    assert (events.loc[~is_game, "won"] == "").all()
    assert events.loc[is_game, "won"].isin(["true", "false", ""]).all()
    is_cashout = events["event_type"] == "cashout"
    assert (events.loc[is_cashout, "cashout_id"] != "").all()
    assert (events.loc[~is_cashout, "cashout_id"] == "").all()
    assert events.loc[is_cashout, "value"].between(10, 200).all()
    assert events["cashout_id"][is_cashout].is_unique
    assert (events["device_id"] != "").all()
    entries = events[events["event_type"] == "tournament_entry"]
    assert (entries["value"] < 0).all()


def test_verdicts_of_every_cashout(audits: pd.DataFrame) -> None:
    assert set(audits.index) == set(EXPECTED)
    for cashout_id, (user_id, expected_verdict, reasons) in EXPECTED.items():
        got = audits.loc[cashout_id]
        assert (got["user_id"], got["verdict"], got["reasons"]) == (
            user_id, expected_verdict, reasons), cashout_id


def test_grinders_are_clean(audits: pd.DataFrame) -> None:
    grinders = audits[audits["user_id"].isin(["u1001", "u1002", "u1003"])]
    assert len(grinders) == 4
    for _, g in grinders.iterrows():
        assert g["games"] >= 30 and 0.45 <= g["winrate"] < 0.75 and 0 < g["take"] < 0.5
        assert {"game_end", "matchup_end", "tournament_entry", "tournament_end",
                "goal_claim", "mega_spin"} <= g["types"]
        assert g["discrepancy"] <= 0.10 and g["invited_share"] < 0.2
        assert g["other_accounts"] == []
    assert audits.loc["c-10077", "invites"] == 2 and audits.loc["c-10077", "invited_share"] > 0


def test_mega_inviters_win_from_their_invitees(audits: pd.DataFrame) -> None:
    queen, link = audits.loc["c-10121"], audits.loc["c-9874"]
    assert queen["invites"] >= 10 and queen["invited_share"] >= 0.5
    assert link["invites"] >= 10 and 0.2 <= link["invited_share"] < 0.5
    assert queen["winrate"] < 0.75 and link["winrate"] < 0.75


def test_top_player_has_high_winrate(audits: pd.DataFrame) -> None:
    ace = audits.loc["c-10102"]
    assert ace["winrate"] >= 0.75 and ace["games"] >= 20 and ace["discrepancy"] <= 0.1


def test_colluders_share_a_device_and_play_each_other(events: pd.DataFrame,
                                                      audits: pd.DataFrame) -> None:
    users_per_device = events.groupby("device_id")["user_id"].nunique()
    shared = users_per_device[users_per_device >= 2]
    assert len(shared) == 1 and shared.iloc[0] == 3
    ring = set(events.loc[events["device_id"] == shared.index[0], "user_id"])
    assert ring == {"u1008", "u1009", "u1010"}
    duels = events[(events["event_type"] == "matchup_end") & events["user_id"].isin(ring)
                   & events["counterparty_id"].isin(ring)]
    assert len(duels) >= 20 and set(duels["user_id"]) == ring
    assert audits.loc["c-10163", "other_accounts"] == ["u1009", "u1010"]
    assert audits.loc["c-10163", "file"] != audits.loc["c-10171", "file"]


def test_fast_admin_and_mismatch_cases(audits: pd.DataFrame) -> None:
    assert audits.loc["c-10150", "games"] < 5
    assert audits.loc["c-10130", "admin_share"] >= 0.5
    assert audits.loc["c-10118", "discrepancy"] > 0.10
    assert audits.loc["c-9705", "discrepancy"] <= 0.10


def test_two_cashouts_make_windows(events: pd.DataFrame, audits: pd.DataFrame) -> None:
    for first, second in (("c-9712", "c-9981"), ("c-9705", "c-10118")):
        first_time = events.loc[events["cashout_id"] == first, "t"].iloc[0]
        assert audits.loc[second, "window_start"] > first_time
        assert audits.loc[first, "file"] == audits.loc[second, "file"]
    # c-10118 pays window 1 again: only a windowed audit sees the mismatch
    lifetime = events[(events["user_id"] == "u1007") & (events["event_type"] != "cashout")]
    assert lifetime["value"].sum() == pytest.approx(audits.loc["c-10118", "amount"])
    assert audits.loc["c-10118", "amount"] == pytest.approx(
        audits.loc["c-10118", "audited"] + audits.loc["c-9705", "amount"])


def test_multi_player_and_unsorted_files(events: pd.DataFrame) -> None:
    per_file = events.groupby("file").agg(users=("user_id", "nunique"),
                                          cashouts=("cashout_id", lambda s: (s != "").sum()))
    assert (per_file["users"] >= 3).sum() == 1
    assert per_file.loc[per_file["users"] >= 3, "cashouts"].iloc[0] >= 3
    in_order = events.groupby("file")["t"].apply(lambda t: t.is_monotonic_increasing)
    assert list(in_order[~in_order].index) == ["tomsawyer88_1032023.csv"]


def test_counterparties_point_at_sample_players_where_it_matters(events: pd.DataFrame) -> None:
    invites = events[events["event_type"] == "invite_accepted"]
    assert invites["counterparty_id"].str.fullmatch(r"u7\d{3}").all()
    assert invites["counterparty_id"].is_unique
    duels = events[events["event_type"] == "matchup_end"]
    assert duels["counterparty_id"].isin(set(invites["counterparty_id"])).sum() >= 20
    assert (events.loc[events["event_type"].isin(GAMES), "counterparty_id"] != "").all()
    assert events["counterparty_id"].str.fullmatch(r"(u\d{4})?").all()


def raw_amount(r: pd.Series) -> int:
    """Amount of a raw row by the contract's mapping table (pennies)."""
    change = int(r["balancechange"] or 0)
    if r["type"] in ("GameEnd", "AcknowledgeResult"):
        return change + int(r["escrowchange"] or 0)
    if r["type"] in ("SetInviter", "CashOutFinish") and r["iserror"] != "true":
        return 0
    return change


def test_raw_export_shape(raw: pd.DataFrame) -> None:
    assert set(RAW_REQUIRED) <= set(raw.columns)
    types = set(raw["type"])
    assert {"GameEnd", "AcknowledgeResult", "ClaimSpecialEventPrize", "JoinSpecialEvent",
            "ClaimGoalReward", "Awarded", "AdminAddBalance", "SetInviter", "CashOutFinish",
            "Login", "StartGame"} <= types
    goals = set(raw.loc[raw["type"] == "ClaimGoalReward", "awardedprizetype"])
    assert "Tokens" in goals and goals - {"Tokens"}
    assert "TowerJump" in set(raw.loc[raw["type"] == "Awarded", "usedpowerup"])
    for col in ("balancechange", "escrowchange", "prevbalance", "count"):
        assert raw[col].str.fullmatch(r"(-?\d+)?").all(), col
    assert (raw.loc[raw["type"] == "SetInviter", "inviterusername"] == "jaxxon77").all()
    assert raw["time"].is_monotonic_increasing


def test_raw_cashouts_duplicate_error_and_reconcile(raw: pd.DataFrame) -> None:
    finish = raw[raw["type"] == "CashOutFinish"]
    ok, failed = finish[finish["iserror"] == "false"], finish[finish["iserror"] == "true"]
    assert ok["count"].duplicated().any() and len(failed) >= 1
    assert not set(failed["count"]) & set(ok["count"])
    player = raw[raw["userid"] == "u1401"]
    assert (player["prevbalance"].astype(int) >= 0).all()
    previous = None
    for _, c in ok.drop_duplicates("count").iterrows():
        window = player[(player["time"] <= c["time"])
                        & ((player["time"] > previous) if previous else True)]
        window = window[~((window["type"] == "CashOutFinish") & (window["iserror"] == "false"))]
        assert sum(raw_amount(r) for _, r in window.iterrows()) == int(c["prevbalance"])
        assert int(c["balancechange"]) == -int(c["prevbalance"])
        assert int(c["prevbalance"]) >= 1000
        previous = c["time"]
