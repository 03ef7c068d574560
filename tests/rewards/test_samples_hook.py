"""After init-db: the sample rules are stored once and their rewards issued once."""

from __future__ import annotations

from analytics import ingest
from analytics.rewards import report, samples_hook
from tests.conftest import ROOT


def test_hook_stores_the_rules_and_issues_idempotently(store, actor) -> None:
    sample = ROOT / "sample_data" / "players"
    ingest.load_one(store, sample / "players.csv", actor, contract="players")
    ingest.load_one(store, sample / "transactions.csv", actor, contract="player_transactions")
    # ground truth: approved 93 + 70 + 67 + 14 + 3 = 247, less the BLOCKED P0169
    assert samples_hook.after_sample_load(store, actor) == {"rules": 7, "players": 500, "issued": 246}
    assert samples_hook.after_sample_load(store, actor) == {"rules": 7, "players": 500, "issued": 0}
    issued = report.issued(store)
    assert int(issued["rewards"].sum()) == 246
    assert report.store_version(store)[3] == 7  # one version per rule, not two


def test_hook_without_players_does_nothing_harmful(store, actor) -> None:
    assert samples_hook.after_sample_load(store, actor) == {"rules": 7, "players": 0, "issued": 0}
