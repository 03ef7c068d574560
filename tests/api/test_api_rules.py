"""Rewards, rules side: rules and their test, tiers, the batch, the analytics (open mode, admin)."""

from __future__ import annotations

import pytest

from tests.api.conftest import count, row_counts

# The hand-made player of test_api_players: wagered 2000, won 1400, 10 sessions -> LOSING, net_loss 600,
# avg_wager_per_session 200.
PLAYER = {"player_id": "P-RULE", "total_deposited": 500, "total_wagered": 2000, "total_won": 1400,
          "sessions": 10, "playtime_hours": 5}
# Only a LOSING player who lost exactly 600 matches; priority 1 runs before every sample rule.
# amount = min(max(600 x 0.10, 0), 500) = 60
# expected_wager = 200 x 10 (LOSING) = 2000; expected_revenue = 2000 x 0.05 = 100
# expected_profit = 100 - 60 = 40; roi_percent = 40 / 60 x 100 = 66.67 -> approved (>= 0, under the caps)
RULE = {"rule_id": "HAND_CASHBACK", "name": "Hand cashback", "priority": 1, "is_active": True,
        "conditions": {"segment": "LOSING", "net_loss_min": 600, "net_loss_max": 600},
        "reward_config": {"type": "CASHBACK", "formula": "net_loss * 0.10", "max_amount": 500}}
EV = {"expected_wager": 2000.0, "expected_revenue": 100.0, "expected_profit": 40.0}


@pytest.fixture(scope="module")
def setup(client) -> None:
    assert client.post("/api/players", json=PLAYER).status_code == 201
    created = client.post("/api/rules", json=RULE)
    assert created.status_code == 201, created.text
    assert created.json()["version"] == 1 and created.json()["action"] == "created"


def check_hand_reward(entry: dict) -> None:
    assert (entry["rule_id"], entry["type"], entry["amount"], entry["approved"]) == \
        ("HAND_CASHBACK", "CASHBACK", 60.0, True)
    assert {k: entry["ev"][k] for k in EV} == EV
    assert entry["ev"]["roi_percent"] == pytest.approx(40 / 60 * 100, abs=0.01)


def test_rules_list_the_stored_current_versions(client, setup) -> None:
    page = client.get("/api/rules").json()
    ids = [r["rule_id"] for r in page["items"]]
    assert page["total"] == 8 == len(ids)  # the sample's 7 and this module's
    mine = next(r for r in page["items"] if r["rule_id"] == "HAND_CASHBACK")
    assert mine["version"] == 1 and mine["definition"]["reward_config"]["formula"] == "net_loss * 0.10"
    assert client.get("/api/rules", params={"limit": 3, "offset": 6}).json()["items"] == page["items"][6:8]


def test_a_rule_is_tested_on_one_player_without_writing(client, setup, api_env: dict) -> None:
    before = row_counts(api_env["store"])
    answer = client.post("/api/rules/HAND_CASHBACK/test", json={"player_id": "P-RULE"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["player_id"], body["segment"]) == ("P-RULE", "LOSING")
    assert body["state"] == {"net_pnl": -600.0, "net_loss": 600.0, "avg_wager_per_session": 200.0}
    (entry,) = body["rewards"]
    check_hand_reward(entry)
    assert row_counts(api_env["store"]) == before


def test_rule_test_unknown_rule_player_and_bad_body(client, setup) -> None:
    assert client.post("/api/rules/NOPE/test", json={"player_id": "P-RULE"}).status_code == 404
    missing = client.post("/api/rules/HAND_CASHBACK/test", json={"player_id": "P-NOBODY"})
    assert missing.status_code == 404 and missing.json()["error"] == "no player 'P-NOBODY'"
    bad = client.post("/api/rules/HAND_CASHBACK/test", json={})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "body.player_id"


def test_create_refuses_a_taken_id_and_a_bad_formula(client, setup) -> None:
    taken = client.post("/api/rules", json=RULE)
    assert taken.status_code == 409 and "HAND_CASHBACK" in taken.json()["error"]
    evil = {**RULE, "rule_id": "EVIL", "reward_config": {**RULE["reward_config"], "formula": "__import__('os')"}}
    refused = client.post("/api/rules", json=evil)
    assert refused.status_code == 400 and "EVIL" in refused.json()["error"]
    unknown = {**RULE, "rule_id": "UNK", "reward_config": {**RULE["reward_config"], "formula": "deposits * 2"}}
    refused = client.post("/api/rules", json=unknown)
    assert refused.status_code == 400 and "deposits" in refused.json()["error"]
    no_config = {k: v for k, v in RULE.items() if k != "reward_config"}
    assert client.post("/api/rules", json=no_config).json()["detail"][0]["field"] == "body.reward_config"
    assert client.get("/api/rules").json()["total"] == 8  # nothing stored


def test_put_saves_a_new_version_with_its_diff(client, setup) -> None:
    changed = {**RULE, "reward_config": {**RULE["reward_config"], "max_amount": 50}}
    saved = client.put("/api/rules/HAND_CASHBACK", json=changed)
    assert saved.status_code == 200, saved.text
    assert (saved.json()["version"], saved.json()["action"]) == (2, "updated")
    assert saved.json()["diff"] == {"reward_config.max_amount": [500, 50]}
    same = client.put("/api/rules/HAND_CASHBACK", json=changed).json()
    assert (same["version"], same["action"]) == (2, "unchanged")
    # capped: amount = min(60, 50) = 50; profit 100 - 50 = 50
    capped = client.post("/api/rules/HAND_CASHBACK/test", json={"player_id": "P-RULE"}).json()["rewards"][0]
    assert (capped["amount"], capped["ev"]["expected_profit"]) == (50.0, 50.0)
    back = client.put("/api/rules/HAND_CASHBACK", json=RULE).json()
    assert (back["version"], back["diff"]) == (3, {"reward_config.max_amount": [50, 500]})


def test_put_unknown_rule_and_mismatched_id(client, setup) -> None:
    assert client.put("/api/rules/NOPE", json={**RULE, "rule_id": "NOPE"}).status_code == 404
    other = client.put("/api/rules/HAND_CASHBACK", json={**RULE, "rule_id": "OTHER"})
    assert other.status_code == 400 and "differs from the path" in other.json()["error"]


def test_delete_deactivates_as_a_new_version(client, setup) -> None:
    client.post("/api/rules", json={**RULE, "rule_id": "TO_STOP", "priority": 99})
    stopped = client.delete("/api/rules/TO_STOP")
    assert stopped.status_code == 200
    assert (stopped.json()["version"], stopped.json()["action"]) == (2, "deactivated")
    listed = next(r for r in client.get("/api/rules").json()["items"] if r["rule_id"] == "TO_STOP")
    assert listed["definition"]["is_active"] is False
    assert client.delete("/api/rules/NOPE").status_code == 404


def test_the_batch_issues_once(client, setup, api_env: dict) -> None:
    first = client.post("/api/batch/process")
    assert first.status_code == 200, first.text
    mine = next(p for p in first.json() if p["player_id"] == "P-RULE")
    (entry,) = mine["rewards"]
    check_hand_reward(entry)
    assert entry["issued"] is True
    issued = "SELECT count(*) FROM reward_issues WHERE player_id = 'P-RULE'"
    assert count(api_env["store"], issued) == 1
    total = count(api_env["store"], "SELECT count(*) FROM reward_issues")
    second = client.post("/api/batch/process").json()
    again = next(p for p in second if p["player_id"] == "P-RULE")["rewards"][0]
    assert again["issued"] is False  # already paid: nothing twice
    assert count(api_env["store"], issued) == 1
    assert count(api_env["store"], "SELECT count(*) FROM reward_issues") == total


def test_analytics_rewards_sums_what_was_issued(client, setup, api_env: dict) -> None:
    client.post("/api/batch/process")
    answer = client.get("/api/analytics/rewards", params={"limit": 1000}).json()
    with api_env["store"].connect() as con:
        rows, cost, revenue = con.execute("SELECT count(*), sum(amount)::DOUBLE, sum(expected_revenue) "
                                          "FROM reward_issues").fetchone()
        hand = con.execute("SELECT count(*), sum(amount)::DOUBLE, sum(expected_revenue) FROM reward_issues "
                           "WHERE rule_id = 'HAND_CASHBACK'").fetchone()
    assert answer["totals"]["rewards"] == rows == sum(i["rewards"] for i in answer["items"])
    assert answer["totals"]["cost"] == pytest.approx(cost)
    assert answer["totals"]["roi_percent"] == pytest.approx((revenue - cost) / cost * 100)
    by_rule = {r["rule_id"]: r for r in answer["by_rule"]}
    assert hand == (1, 60.0, 100.0)  # the hand-made reward: 60 paid, 100 expected
    assert (by_rule["HAND_CASHBACK"]["rewards"], by_rule["HAND_CASHBACK"]["cost"]) == (1, 60.0)
    assert by_rule["HAND_CASHBACK"]["roi_percent"] == pytest.approx(40 / 60 * 100)
    assert answer["total"] == len(answer["items"])


def test_analytics_transactions_by_type(client, api_env: dict) -> None:
    answer = client.get("/api/analytics/transactions").json()
    with api_env["store"].connect() as con:
        expected = con.execute("SELECT type, count(*), count(DISTINCT player_id), sum(amount)::DOUBLE "
                               "FROM player_transactions GROUP BY type ORDER BY type").fetchall()
    got = [(r["type"], r["transactions"], r["players"], r["amount"]) for r in answer["items"]]
    assert got == [(t, n, p, pytest.approx(a)) for t, n, p, a in expected]
    assert answer["total"] == len(expected) == 5  # deposit, wager, win, withdrawal, bonus


def test_dashboard_counts_every_player_once(client, setup, api_env: dict) -> None:
    board = client.get("/api/analytics/dashboard").json()
    players = count(api_env["store"], "SELECT count(DISTINCT player_id) FROM players")
    assert board["players"] == players
    assert sum(s["players"] for s in board["segments"]) == players
    assert sum(board["abuse"]["actions"].values()) == players


def test_tiers_start_from_the_configured_defaults_and_stay_ascending(client) -> None:
    tiers = client.get("/api/tiers").json()
    assert [(t["name"], t["min_points"]) for t in tiers["items"]] == [
        ("Bronze", 0), ("Silver", 1000), ("Gold", 5000), ("Platinum", 20000)]  # config/rewards.yaml
    added = client.post("/api/tiers", json={"name": "Diamond", "min_points": 50000})
    assert added.status_code == 201 and added.json()["total"] == 5
    assert added.json()["items"][-1] == {"name": "Diamond", "min_points": 50000}
    taken = client.post("/api/tiers", json={"name": "gold", "min_points": 7000})
    assert taken.status_code == 409
    moved = client.put("/api/tiers/gold", json={"min_points": 6000})
    assert moved.status_code == 200
    assert [(t["name"], t["min_points"]) for t in moved.json()["items"]][2] == ("Gold", 6000)
    clash = client.put("/api/tiers/Gold", json={"min_points": 1000})  # the same as Silver
    assert clash.status_code == 400 and "Gold" in clash.json()["error"]
    assert client.put("/api/tiers/Mithril", json={"min_points": 1}).status_code == 404
    bad = client.post("/api/tiers", json={"name": "", "min_points": 5})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "body.name"
