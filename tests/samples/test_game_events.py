"""Tests for the game-events sample generator, checked against contracts/game_events.md."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from analytics.samples import game_events as ge

CONTRACT_COLUMNS = [
    "distinct_id", "event_time", "event_name", "platform", "install_time", "chapter",
    "credits_balance", "metapoints_balance", "quantity", "price_usd", "payment_platform",
    "transaction_id", "google_order_number", "checkout_id",
]
REWARDS = {"purchase_success", "reward_claim", "offerwall_reward", "daily_bonus"}
ID_COLUMN = {"apple": "transaction_id", "googleplay": "google_order_number",
             "stash": "checkout_id"}
ISO_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
IOS_CUTOFF = pd.Timestamp("2025-08-13", tz="UTC")
ANDROID_CUTOFF = pd.Timestamp("2025-04-17", tz="UTC")
CH1_CUTOFF = pd.Timestamp("2025-03-01", tz="UTC")


@pytest.fixture(scope="module")
def paths(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Generate once for the module."""
    return ge.generate(tmp_path_factory.mktemp("run"))


@pytest.fixture(scope="module")
def events(paths: list[Path]) -> pd.DataFrame:
    """events.csv typed as the contract says, in file order."""
    raw = pd.read_csv(paths[0], dtype=str, keep_default_na=False)
    df = raw.replace("", None)
    for col in ("event_time", "install_time"):
        df[col] = pd.to_datetime(df[col], utc=True, format="%Y-%m-%dT%H:%M:%SZ")
    for col in ("chapter", "credits_balance", "metapoints_balance", "quantity"):
        df[col] = pd.to_numeric(df[col]).astype("Int64")
    df["price_usd"] = pd.to_numeric(df["price_usd"]).astype("Float64")
    return df.reset_index(drop=True)


# ---------------------------------------------------------------- patterns, from the contract


def _success(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["event_name"] == "purchase_success"]


def _first_purchase(df: pd.DataFrame) -> pd.Series:
    """Each row's player's first purchase_success time (NaT when none)."""
    first = _success(df).groupby("distinct_id")["event_time"].min()
    return df["distinct_id"].map(first)


def _no_purchase_before(df: pd.DataFrame, broad: bool) -> pd.Series:
    """No purchase_success before the row; broad: a purchase at the row itself does not count."""
    first = _first_purchase(df)
    later = first >= df["event_time"] if broad else first > df["event_time"]
    return first.isna() | later


def p1(df: pd.DataFrame, broad: bool = True) -> set[str]:
    hit = ((df["chapter"] >= 20) & (df["event_time"] - df["install_time"] <= pd.Timedelta("24h"))
           & _no_purchase_before(df, broad))
    return set(df.loc[hit.fillna(False), "distinct_id"])


def _daily_harvests(df: pd.DataFrame) -> pd.Series:
    h = df[df["event_name"] == "harvest"]
    day = h["event_time"].dt.floor("D")
    return h["quantity"].fillna(1).groupby([h["distinct_id"], day]).sum()


def p2(df: pd.DataFrame) -> set[str]:
    daily = _daily_harvests(df)
    days = (daily >= 22).groupby(level=0).sum()
    return set(days[days > 2].index)


def _pennies(df: pd.DataFrame) -> pd.Series:
    s = _success(df)
    return (s["price_usd"].round(2) == 0.01).groupby(s["distinct_id"]).sum()


def p3(df: pd.DataFrame) -> set[str]:
    n = _pennies(df)
    return set(n[n >= 1].index)


def p4(df: pd.DataFrame) -> set[str]:
    s = _success(df)
    gap = s.groupby("distinct_id")["event_time"].diff().dt.total_seconds()
    apple = s["payment_platform"] == "apple"
    both = apple & apple.groupby(s["distinct_id"]).shift(1, fill_value=False)
    return set(s.loc[gap.between(1, 7) & both, "distinct_id"])


def p5(df: pd.DataFrame) -> set[str]:
    flow = df[df["event_name"].isin(["purchase_click", "purchase_success"])]
    prev = flow.groupby("distinct_id")["event_name"].shift(1)
    hit = (flow["event_name"] == "purchase_success") & (prev == "purchase_success")
    return set(flow.loc[hit, "distinct_id"])


def p6(df: pd.DataFrame) -> set[str]:
    hit = (df["credits_balance"] > 245_000) | (df["metapoints_balance"] > 850_000)
    return set(df.loc[hit.fillna(False), "distinct_id"])


def p7(df: pd.DataFrame) -> set[str]:
    hit = (df["credits_balance"] < 0) | (df["metapoints_balance"] < 0)
    return set(df.loc[hit.fillna(False), "distinct_id"])


def _rises(df: pd.DataFrame, col: str) -> pd.Series:
    """Rise of `col` from the player's previous event carrying it, on carrying rows."""
    carrying = df[df[col].notna()]
    return carrying.groupby("distinct_id")[col].diff()


def p8(df: pd.DataFrame) -> set[str]:
    reward = df["event_name"].isin(REWARDS)
    by_player = reward.groupby(df["distinct_id"])
    near_reward = reward | by_player.shift(-1, fill_value=False) | by_player.shift(
        -2, fill_value=False)
    flagged = set()
    for col, threshold in (("credits_balance", 40_000), ("metapoints_balance", 100_000)):
        rise = _rises(df, col)
        idx = rise[rise >= threshold].index
        flagged |= set(df.loc[idx[~near_reward.loc[idx].to_numpy()], "distinct_id"])
    return flagged


def p9(df: pd.DataFrame) -> set[str]:
    seen = set(df.loc[df["event_name"] == "privacy_impression", "distinct_id"])
    return seen - set(df.loc[df["event_name"] == "privacy_agree_click", "distinct_id"])


def _earned_by_rises(df: pd.DataFrame) -> pd.Series:
    """Credits earned per (player, UTC day): the sum of balance rises."""
    carrying = df[df["credits_balance"].notna()]
    earned = carrying.groupby("distinct_id")["credits_balance"].diff().clip(lower=0).fillna(0)
    return earned.groupby([carrying["distinct_id"], carrying["event_time"].dt.floor("D")]).sum()


def _earned_net(df: pd.DataFrame) -> pd.Series:
    """Credits earned per (player, UTC day): the day's net balance change, floored at 0."""
    carrying = df[df["credits_balance"].notna()]
    keys = [carrying["distinct_id"], carrying["event_time"].dt.floor("D")]
    days = carrying.groupby(keys)["credits_balance"].agg(["first", "last"])
    before = days["last"].groupby(level=0).shift(1).fillna(days["first"])
    return (days["last"] - before).clip(lower=0)


def p10(df: pd.DataFrame, earned=_earned_by_rises) -> set[str]:
    credits = earned(df)
    c = df[df["event_name"] == "chapter_complete"]
    completes = c.groupby([c["distinct_id"], c["event_time"].dt.floor("D")]).size()
    per_chapter = credits.reindex(completes.index, fill_value=0) / completes
    hit = (completes > 5) & (per_chapter < 500)
    return set(hit[hit].index.get_level_values(0))


def p11(df: pd.DataFrame) -> set[str]:
    android = df[df["platform"] == "android"]
    n = android.groupby("distinct_id")["event_name"].value_counts().unstack(fill_value=0)
    n = n.reindex(columns=["purchase_success", "purchase_refund"], fill_value=0)
    hit = (n["purchase_success"] > 5) & (
        n["purchase_refund"] / n["purchase_success"].where(n["purchase_success"] > 0) > 0.25)
    return set(n.index[hit])


def p12(df: pd.DataFrame, broad: bool = True) -> set[str]:
    hit = (df["chapter"].between(1, 3) & (df["credits_balance"] > 4_950)
           & _no_purchase_before(df, broad))
    return set(df.loc[hit.fillna(False), "distinct_id"])


def p13(df: pd.DataFrame) -> set[str]:
    s = _success(df)
    s = s[(s["chapter"] == 1) & (s["install_time"] >= CH1_CUTOFF)]
    n = s.groupby("distinct_id").size()
    return set(n[n > 1].index)


def _purchase_keys(df: pd.DataFrame) -> pd.Series:
    """The id a purchase_success is known by, per its payment platform."""
    s = _success(df)
    keys = pd.Series(pd.NA, index=s.index, dtype="object")
    for platform, col in ID_COLUMN.items():
        mine = s["payment_platform"] == platform
        keys[mine] = s.loc[mine, col]
    return keys


def p14(df: pd.DataFrame) -> set[str]:
    keys = _purchase_keys(df).dropna()
    dup = keys[keys.duplicated(keep=False)]
    return set(df.loc[dup.index, "distinct_id"])


def p15(df: pd.DataFrame) -> set[str]:
    n = _pennies(df)
    return set(n[n >= 2].index)


PATTERNS = {1: p1, 2: p2, 3: p3, 4: p4, 5: p5, 6: p6, 7: p7, 8: p8, 9: p9, 10: p10, 11: p11,
            12: p12, 13: p13, 14: p14, 15: p15}
# Other readings of the contract's wording; the sample must not depend on the reading.
VARIANTS = {1: lambda df: p1(df, broad=False), 10: lambda df: p10(df, _earned_net),
            12: lambda df: p12(df, broad=False)}


@pytest.fixture(scope="module")
def flagged(events: pd.DataFrame) -> dict[int, set[str]]:
    """Pattern number -> players computed to trip it."""
    return {n: fn(events) for n, fn in PATTERNS.items()}


def _flags_of(flagged: dict[int, set[str]], pid: str) -> set[int]:
    return {n for n, ids in flagged.items() if pid in ids}


# ---------------------------------------------------------------- files


def test_paths_sorted_and_no_temp_files_left(paths: list[Path]) -> None:
    assert [p.name for p in paths] == ["events.csv", "manual_fraudsters.csv"]
    assert paths == sorted(paths)
    assert all(p.parent.name == "game_events" for p in paths)
    assert sorted(p.name for p in paths[0].parent.iterdir()) == [p.name for p in paths]


def test_two_runs_are_byte_identical(tmp_path: Path) -> None:
    first = ge.generate(tmp_path / "a")
    second = ge.generate(tmp_path / "b")
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_regenerating_in_place_replaces_files(tmp_path: Path) -> None:
    first = ge.generate(tmp_path)
    before = [p.read_bytes() for p in first]
    first[0].write_text("stale\n")
    again = ge.generate(tmp_path)
    assert [p.read_bytes() for p in again] == before
    assert len(list((tmp_path / "game_events").iterdir())) == 2


def test_header_encoding_and_line_endings(paths: list[Path]) -> None:
    data = paths[0].read_bytes()
    text = data.decode("utf-8")
    assert b"\r" not in data and text.endswith("\n")
    assert text.split("\n", 1)[0].split(",") == CONTRACT_COLUMNS
    assert 1_000_000 <= len(data) <= 3_000_000


def test_timestamps_iso_z_and_rows_sorted(paths: list[Path]) -> None:
    raw = pd.read_csv(paths[0], dtype=str, keep_default_na=False)
    for col in ("event_time", "install_time"):
        assert raw[col].str.match(ISO_Z).all(), col
    keys = list(zip(raw["distinct_id"], raw["event_time"], strict=True))
    assert keys == sorted(keys)
    assert not raw.duplicated(["distinct_id", "event_time"]).any()


def test_players_platforms_and_installs(events: pd.DataFrame) -> None:
    players = events.groupby("distinct_id").agg(
        platforms=("platform", "nunique"), installs=("install_time", "nunique"),
        platform=("platform", "first"), install=("install_time", "first"),
        first_event=("event_time", "min"))
    assert 400 <= len(players) <= 600
    assert (players["platforms"] == 1).all() and (players["installs"] == 1).all()
    assert set(players["platform"]) == {"ios", "android", "web"}
    assert (players["first_event"] >= players["install"]).all()
    months = players["install"].dt.month
    assert players["install"].dt.year.eq(2025).all() and months.min() == 1 and months.max() == 11
    for platform, cutoff in (("ios", IOS_CUTOFF), ("android", ANDROID_CUTOFF),
                             ("web", CH1_CUTOFF)):
        installs = players.loc[players["platform"] == platform, "install"]
        assert (installs < cutoff).sum() >= 10 and (installs >= cutoff).sum() >= 10, platform


def test_purchases_carry_the_right_id(events: pd.DataFrame) -> None:
    money = events[events["event_name"].isin(["purchase_success", "purchase_refund"])]
    expected = {"ios": "apple", "android": "googleplay", "web": "stash"}
    assert money["price_usd"].notna().all()
    for platform, col in ID_COLUMN.items():
        rows = money[money["payment_platform"] == platform]
        assert rows[col].notna().all(), col
        others = [c for c in ID_COLUMN.values() if c != col]
        assert rows[others].isna().all().all(), col
    ordinary = money[money["distinct_id"].str.startswith("u")]
    assert (ordinary["payment_platform"] == ordinary["platform"].map(expected)).all()
    assert ordinary["price_usd"].between(0.99, 49.99).all()
    assert ordinary["price_usd"].nunique() >= 5


def test_event_mix_reversals_and_blank_quantities(events: pd.DataFrame) -> None:
    names = set(events["event_name"])
    assert {"harvest", "purchase_click", "purchase_success", "purchase_refund", "reward_claim",
            "offerwall_reward", "daily_bonus", "privacy_impression", "privacy_agree_click",
            "chapter_complete", "session_start"} <= names
    harvest = events[events["event_name"] == "harvest"]
    ordinary = harvest[harvest["distinct_id"].str.startswith("u")]
    assert (ordinary["quantity"] < 0).sum() >= 20
    assert ordinary["quantity"].isna().sum() >= 100
    assert events.loc[events["event_name"] != "harvest", "quantity"].isna().all()


# ---------------------------------------------------------------- ground truth


@pytest.mark.parametrize("pattern", range(1, 16))
def test_pattern_trippers_match_ground_truth(pattern: int, flagged: dict[int, set[str]],
                                             events: pd.DataFrame) -> None:
    expected = set(ge.TRIPPERS[pattern])
    assert len(expected) >= 2
    assert flagged[pattern] == expected
    if pattern in VARIANTS:
        assert VARIANTS[pattern](events) == expected
    near = set(ge.NEAR_MISSES[pattern])
    assert near and near <= set(events["distinct_id"])
    assert not near & flagged[pattern]


def test_scripted_trippers_trip_only_their_pattern(flagged: dict[int, set[str]]) -> None:
    for pattern, ids in ge.TRIPPERS.items():
        own = [pid for pid in ids if pid.startswith(f"p{pattern:02d}_")]
        assert len(own) >= 2, pattern
        for pid in own:
            expected = {3, 15} if pattern == 15 else {pattern}
            assert _flags_of(flagged, pid) == expected, pid


def test_near_misses_sit_on_the_threshold(events: pd.DataFrame) -> None:
    by = dict(tuple(events.groupby("distinct_id")))
    a = by["p01_near_a"]
    first20 = a.loc[a["chapter"] >= 20, "event_time"].min() - a["install_time"].iloc[0]
    assert first20 == pd.Timedelta(hours=24, seconds=1)
    daily = _daily_harvests(by["p02_near_a"])
    assert daily.max() == 21 and (daily == 21).sum() >= 3
    assert list(_success(by["p03_near_a"])["price_usd"]) == [0.02]
    gaps = _success(by["p04_near_a"])["event_time"].diff().dt.total_seconds()
    assert gaps.min() == 8
    assert by["p06_near_a"]["credits_balance"].max() == 245_000
    assert by["p06_near_a"]["metapoints_balance"].max() == 850_000
    assert by["p07_near_a"]["credits_balance"].min() == 0
    assert _rises(by["p08_near_a"], "credits_balance").max() == 39_999
    assert _rises(by["p08_near_d"], "metapoints_balance").max() == 99_999
    assert _rises(by["p08_near_b"], "credits_balance").max() >= 40_000
    n = by["p11_near_a"]["event_name"].value_counts()
    assert n["purchase_refund"] / n["purchase_success"] == 0.25 and n["purchase_success"] > 5
    tutorial = by["p12_near_a"][by["p12_near_a"]["chapter"].between(1, 3)]
    assert tutorial["credits_balance"].max() == 4_950
    assert by["p13_near_a"]["install_time"].iloc[0] == CH1_CUTOFF - pd.Timedelta(seconds=1)
    assert (_success(by["p13_near_a"])["chapter"] == 1).sum() == 2
    assert (by["p10_near_a"]["event_name"] == "chapter_complete").sum() == 5


def test_duplicate_ids_across_players_and_refunds_do_not_count(events: pd.DataFrame) -> None:
    keys = _purchase_keys(events).dropna()
    dup = keys[keys.duplicated(keep=False)]
    owners = events.loc[dup.index].groupby(dup)["distinct_id"].nunique()
    assert (owners >= 2).sum() >= 2 and (owners == 1).sum() >= 1
    refund = events[(events["distinct_id"] == "p14_near_a")
                    & (events["event_name"] == "purchase_refund")]
    assert (events["google_order_number"] == refund["google_order_number"].iloc[0]).sum() == 2


def _fraudsters(events: pd.DataFrame, flagged: dict[int, set[str]]) -> tuple[set, set]:
    """(potential, included) per the contract's table rules, pattern 10 disabled."""
    players = events.groupby("distinct_id").agg(platform=("platform", "first"),
                                                install=("install_time", "first"))
    players["last"] = _success(events).groupby("distinct_id")["event_time"].max()
    potential, included = set(), set()
    for pid, row in players.iterrows():
        flags = _flags_of(flagged, pid) - {10}
        if not flags:
            continue
        potential.add(pid)
        cutoff = {"ios": IOS_CUTOFF, "android": ANDROID_CUTOFF}.get(row["platform"])
        late = cutoff is not None and (row["install"] >= cutoff or (
            pd.notna(row["last"]) and row["last"] >= cutoff))
        if late:
            ok = bool(flags & {14, 15})
        elif row["platform"] == "android":
            ok = bool(flags - {3, 4, 5})
        else:
            ok = True
        if ok:
            included.add(pid)
    return potential, included


def test_platform_and_date_rules(events: pd.DataFrame, flagged: dict[int, set[str]]) -> None:
    potential, included = _fraudsters(events, flagged)
    assert potential - included == set(ge.EXCLUDED)
    assert _flags_of(flagged, "p01_excl_ios") == {1}
    for pattern in (3, 4, 5):
        assert _flags_of(flagged, f"p{pattern:02d}_excl_android") == {pattern}
    assert {"p01_c", "p07_c", "p13_c", "p14_a", "p14_b", "p15_b"} <= included
    assert not set(ge.TRIPPERS[10]) & potential
    offerwall = set(events.loc[events["event_name"] == "offerwall_reward", "distinct_id"])
    assert offerwall & potential


def test_manual_list(paths: list[Path], flagged: dict[int, set[str]],
                     events: pd.DataFrame) -> None:
    manual = pd.read_csv(paths[1], dtype=str)
    assert list(manual.columns) == ["distinct_id"]
    ids = list(manual["distinct_id"])
    assert 3 <= len(ids) <= 5 and ids == sorted(set(ids))
    assert set(ids) <= set(events["distinct_id"])
    assert any(not _flags_of(flagged, pid) for pid in ids)
