"""End to end on the committed samples: init-db loads them, the hook audits them, the known cases hold.

Expected figures are the sample generator author's (notes/cashout_samples.md, given to 3 decimals, so
compared within 0.001), not this code's output.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analytics.data_commands import init_db
from analytics.settings import sample_dir

# cashout_id: (user, verdict, reasons, games, winrate, amount, audited, discrepancy) - None: not given
KNOWN = {
    "c-9712": ("u1001", "approved", [], 46, 0.587, 16.0, 16.9, 0.056),
    "c-9981": ("u1001", "approved", [], 55, 0.566, 17.6, 16.7, 0.051),
    "c-10077": ("u1002", "approved", [], 63, 0.557, 25.5, None, 0.0),
    "c-10140": ("u1003", "approved", [], 40, 0.575, 12.0, 12.3, 0.025),
    "c-10102": ("u1004", "flagged", ["high_winrate"], 32, 0.812, 46.8, None, None),
    "c-10121": ("u1005", "rejected", ["collusion"], None, 0.654, 29.8, None, None),
    "c-9874": ("u1006", "flagged", ["collusion"], 45, None, 26.2, None, None),
    "c-9705": ("u1007", "approved", [], None, None, 11.8, 11.8, None),
    "c-10118": ("u1007", "flagged", ["value_mismatch"], None, None, 24.0, 12.2, 0.492),
    "c-10163": ("u1008", "flagged", ["device_sharing"], 38, 0.658, 50.2, None, None),
    "c-10171": ("u1010", "flagged", ["device_sharing"], None, None, 25.4, None, None),
    "c-10150": ("u1011", "flagged", ["fast_cashout"], 3, None, 19.6, None, None),
    "c-10130": ("u1012", "flagged", ["admin_balance"], None, None, 16.3, None, None),
    "u1401#1": ("u1401", "approved", [], 16, 0.562, 2430.0, 2430.0, 0.0),
    "u1401#3": ("u1401", "approved", [], 17, 0.588, 2410.0, 2410.0, 0.0),
}


@pytest.fixture(scope="module")
def audits(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """init-db on a copy of the cashout samples; the samples hook audits every cashout."""
    from analytics.identity import Actor
    from analytics.store import Store

    folder = tmp_path_factory.mktemp("samples")
    shutil.copytree(sample_dir() / "cashout", folder / "cashout")
    store = Store(Path(folder) / "db.duckdb", lock_timeout=10)
    result = init_db(store, folder, Actor("tester", "admin"))
    assert result["failed"] == 0
    assert result["derived"]["cashout"] == {"audits": 15, "verdicts": {"approved": 7, "flagged": 7,
                                                                        "rejected": 1}}
    from analytics.cashout import review

    rows = review.queue(store)
    return {cid: review.get_audit(store, aid) for cid, aid in zip(rows["cashout_id"], rows["audit_id"],
                                                                  strict=True)}


@pytest.mark.parametrize("cashout_id", sorted(KNOWN))
def test_known_case(audits: dict[str, dict], cashout_id: str) -> None:
    user, verdict, reasons, games, winrate, amount, audited, discrepancy = KNOWN[cashout_id]
    audit = audits[cashout_id]
    assert (audit["user_id"], audit["verdict"]) == (user, verdict)
    assert [r["code"] for r in audit["reasons"]] == reasons
    assert audit["amount"] == amount
    if games is not None:
        assert audit["key_numbers"]["games_to_cashout"] == games
    if winrate is not None:
        assert audit["key_numbers"]["winrate"] == pytest.approx(winrate, abs=0.001)
    if audited is not None:
        assert audit["reconciliation"]["audited_value"] == pytest.approx(audited)
    if discrepancy is not None:
        assert audit["reconciliation"]["discrepancy_share"] == pytest.approx(discrepancy, abs=0.001)


def test_known_collusion_device_and_admin_figures(audits: dict[str, dict]) -> None:
    assert audits["c-10077"]["key_numbers"]["invites"] == 2
    assert audits["c-10077"]["collusion"]["invited_share"] == pytest.approx(0.014, abs=0.001)
    queen = audits["c-10121"]
    assert queen["key_numbers"]["invites"] == 12
    assert queen["collusion"]["related_players"] == [f"u72{i:02d}" for i in range(1, 13)]
    assert queen["collusion"]["invited_share"] == pytest.approx(0.866, abs=0.001)
    assert audits["c-9874"]["key_numbers"]["invites"] == 10
    assert audits["c-9874"]["collusion"]["invited_share"] == pytest.approx(0.332, abs=0.001)
    assert audits["c-10163"]["device_sharing"]["other_accounts"] == ["u1009", "u1010"]
    assert audits["c-10171"]["device_sharing"]["other_accounts"] == ["u1008", "u1009"]
    assert audits["c-10130"]["value_sources"]["admin_add_balance"] == pytest.approx(0.739, abs=0.001)
    assert audits["c-10102"]["key_numbers"]["take_per_game"] == pytest.approx(0.712, abs=0.001)
    assert audits["c-9712"]["key_numbers"]["take_per_game"] == pytest.approx(0.052, abs=0.001)
    assert audits["c-9981"]["window_start"] > audits["c-9712"]["cashout_time"]
    raw3 = audits["u1401#3"]
    assert raw3["unit"] == "pennies"
    assert raw3["value_sources"]["admin_add_balance"] == pytest.approx(0.124, abs=0.001)
    for cid in ("u1401#1", "u1401#3"):
        assert audits[cid]["collusion"]["invited_share"] == pytest.approx(0.06, abs=0.01)
        assert audits[cid]["collusion"]["related_players"] == ["u1402", "u1403"]
        assert "Deposit x1 (+1,000 pennies)" in audits[cid]["warnings"][0]
    assert not any(r["code"] == "take_per_game_outlier" for a in audits.values() for r in a["reasons"])
