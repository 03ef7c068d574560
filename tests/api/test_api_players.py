"""Rewards, players side: list, create, read, change, deactivate, import, wallet credits (open mode, admin)."""

from __future__ import annotations

import pytest

from tests.api.conftest import count

# A player made by hand: wagered 2000, won 1400, 10 sessions
#   net_pnl = 1400 - 2000 = -600, net_loss = 600, avg_wager_per_session = 2000 / 10 = 200
#   segment: wagered >= 1000 (not NEW), not VIP, -600 < -5% x 2000 = -100 -> LOSING
HAND = {"player_id": "P-HAND", "total_deposited": 500, "total_wagered": 2000, "total_won": 1400,
        "sessions": 10, "playtime_hours": 5}


@pytest.fixture(scope="module")
def created(client) -> dict:
    response = client.post("/api/players", json=HAND)
    assert response.status_code == 201, response.text
    return response.json()


def test_list_pages_every_current_player(client, api_env: dict) -> None:
    players = count(api_env["store"], "SELECT count(DISTINCT player_id) FROM players")
    assert players >= 500  # the sample's 500 (and any this module added)
    first = client.get("/api/players").json()
    assert first["total"] == players and len(first["items"]) == 100  # the default limit
    tail = client.get("/api/players", params={"limit": 1000, "offset": players - 3}).json()
    assert tail["total"] == players and len(tail["items"]) == 3
    everyone = client.get("/api/players", params={"limit": 1000}).json()["items"]
    ids = [p["player_id"] for p in everyone]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)  # one current row each, by player_id
    assert [p["player_id"] for p in tail["items"]] == ids[-3:]


def test_paging_limits_are_checked(client) -> None:
    for params, field in (({"limit": 0}, "query.limit"), ({"limit": 1001}, "query.limit"),
                          ({"offset": -1}, "query.offset"), ({"limit": "ten"}, "query.limit")):
        bad = client.get("/api/players", params=params)
        assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == field


def test_create_a_player_and_read_it_back(client, created: dict) -> None:
    assert created["player_id"] == "P-HAND" and created["active"] is True
    assert (created["total_wagered"], created["total_won"], created["sessions"]) == (2000, 1400, 10)
    got = client.get("/api/players/P-HAND").json()
    assert got["segment"] == "LOSING"
    assert got["state"] == {"net_pnl": -600.0, "net_loss": 600.0, "avg_wager_per_session": 200.0,
                            "win_loss_ratio": 0.7}
    assert got["abuse"]["score"] == 0 and got["abuse"]["action"] == "NO_ACTION"
    assert got["balances"] == {} or all(v == 0 for v in got["balances"].values())


def test_create_refuses_a_taken_id_and_bad_fields(client, created: dict) -> None:
    taken = client.post("/api/players", json=HAND)
    assert taken.status_code == 409 and "P-HAND" in taken.json()["error"]
    negative = client.post("/api/players", json={**HAND, "player_id": "P-NEG", "total_wagered": -1})
    assert negative.status_code == 422 and negative.json()["detail"][0]["field"] == "body.total_wagered"
    missing = client.post("/api/players", json={"player_id": "P-MISS"})
    assert missing.status_code == 422
    assert {d["field"] for d in missing.json()["detail"]} == {
        "body.total_deposited", "body.total_wagered", "body.total_won", "body.sessions", "body.playtime_hours"}
    unknown = client.post("/api/players", json={**HAND, "player_id": "P-X", "vip": True})
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["field"] == "body.vip"
    slash = client.post("/api/players", json={**HAND, "player_id": "a/b"})
    assert slash.status_code == 422 and slash.json()["detail"][0]["field"] == "body.player_id"


def test_change_a_player_keeps_the_other_fields(client, created: dict) -> None:
    # won 2000 of 2000 wagered: net_pnl 0, within +-5% -> BREAKEVEN
    changed = client.put("/api/players/P-HAND", json={"total_won": 2000})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["total_won"], changed.json()["total_wagered"], changed.json()["sessions"]) == \
        (2000, 2000, 10)
    assert client.get("/api/players/P-HAND").json()["segment"] == "BREAKEVEN"
    back = client.put("/api/players/P-HAND", json={"total_won": 1400})
    assert back.status_code == 200
    assert client.get("/api/players/P-HAND").json()["segment"] == "LOSING"
    bad = client.put("/api/players/P-HAND", json={"sessions": 1.5})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "body.sessions"


def test_unknown_players_are_404(client) -> None:
    for method, kwargs in (("GET", {}), ("PUT", {"json": {"sessions": 1}}), ("DELETE", {})):
        response = client.request(method, "/api/players/P-NOBODY", **kwargs)
        assert response.status_code == 404, (method, response.text)
        assert response.json()["error"] == "no player 'P-NOBODY'"


def test_delete_deactivates_and_the_player_stays_listed(client, api_env: dict) -> None:
    client.post("/api/players", json={**HAND, "player_id": "P-GONE"})
    gone = client.delete("/api/players/P-GONE")
    assert gone.status_code == 200 and gone.json() == {"player_id": "P-GONE", "active": False}
    row = client.get("/api/players/P-GONE").json()
    assert row["player_id"] == "P-GONE"
    listed = [p for p in client.get("/api/players", params={"limit": 1000}).json()["items"]
              if p["player_id"] == "P-GONE"]
    assert len(listed) == 1 and listed[0]["active"] is False


def test_import_loads_rows_and_names_the_rejected_line(client, api_env: dict) -> None:
    text = ("player_id,total_deposited,total_wagered,total_won,sessions,playtime_hours\n"
            "P-IMP1,10,100,50,2,1.5\n"
            "P-IMP2,10,oops,50,2,1.5\n"
            "P-IMP3,0,0,0,0,0\n")
    report = client.post("/api/import", files=[("files", ("imp.csv", text.encode(), "text/csv"))])
    assert report.status_code == 200, report.text
    body = report.json()
    assert (body["files"], body["loaded"], body["rows_loaded"], body["rows_rejected"]) == (1, 1, 2, 1)
    reject = body["results"][0]["rejects"][0]
    assert reject["line"] == 3 and "total_wagered" in reject["reason"]
    assert count(api_env["store"], "SELECT count(*) FROM players WHERE player_id IN ('P-IMP1', 'P-IMP3')") == 2
    again = client.post("/api/import", files=[("files", ("copy.csv", text.encode(), "text/csv"))]).json()
    assert (again["duplicates"], again["rows_loaded"]) == (1, 0)  # the same content adds nothing


def test_import_names_a_file_it_cannot_use_after_loading_the_others(client) -> None:
    good = "player_id,total_deposited,total_wagered,total_won,sessions,playtime_hours\nP-IMP9,1,1,1,1,1\n"
    response = client.post("/api/import", files=[
        ("files", ("good.csv", good.encode(), "text/csv")),
        ("files", ("picture.png", b"\x89PNG\r\n\x1a\n\x00\x00binary", "image/png")),
    ])
    assert response.status_code == 400
    assert "picture.png" in response.json()["error"]
    detail = response.json()["detail"]
    assert [r["status"] for r in detail["results"]] == ["loaded", "failed"]
    assert client.get("/api/players/P-IMP9").status_code == 200


def test_loyalty_points_add_up_and_a_retry_posts_nothing(client, created: dict) -> None:
    first = client.post("/api/wallet/add-lp", json={"player_id": "P-HAND", "points": 50, "idempotency_key": "lp-1"})
    assert first.status_code == 200, first.text
    assert (first.json()["amount"], first.json()["balance_after"], first.json()["created"]) == (50.0, 50.0, True)
    second = client.post("/api/wallet/add-lp", json={"player_id": "P-HAND", "points": 25.5, "idempotency_key": "lp-2"})
    assert second.json()["balance_after"] == 75.5  # 50 + 25.5
    retry = client.post("/api/wallet/add-lp", json={"player_id": "P-HAND", "points": 50, "idempotency_key": "lp-1"})
    assert retry.status_code == 200
    assert (retry.json()["created"], retry.json()["entry_id"]) == (False, first.json()["entry_id"])
    assert client.get("/api/players/P-HAND").json()["balances"]["LOYALTY_POINTS"] == 75.5


def test_a_bonus_is_credited_as_bonus_balance(client, created: dict) -> None:
    bonus = client.post("/api/wallet/add-bonus", json={"player_id": "P-HAND", "amount": 20, "wagering_requirement": 5,
                                                        "expiry_hours": 48, "eligible_games": ["slots"]})
    assert bonus.status_code == 200, bonus.text
    assert (bonus.json()["currency"], bonus.json()["amount"], bonus.json()["balance_after"]) == \
        ("BONUS_BALANCE", 20.0, 20.0)
    detail = client.get("/api/players/P-HAND").json()
    assert detail["balances"]["BONUS_BALANCE"] == 20.0
    (row,) = detail["bonuses"]
    assert (row["amount"], row["wagering_target"], row["eligible_games"]) == (20.0, 100.0, "slots")  # 5 x 20


def test_wallet_bad_input_and_unknown_player(client) -> None:
    for body, field in (({"player_id": "P-HAND", "points": 0}, "body.points"),
                        ({"player_id": "P-HAND", "points": "many"}, "body.points"),
                        ({"points": 5}, "body.player_id"),
                        ({"player_id": "P-HAND", "points": 5, "idempotency_key": ""}, "body.idempotency_key")):
        bad = client.post("/api/wallet/add-lp", json=body)
        assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == field, body
    bad = client.post("/api/wallet/add-bonus", json={"player_id": "P-HAND", "amount": 5, "wagering_requirement": 1,
                                                      "expiry_hours": 0})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "body.expiry_hours"
    missing = client.post("/api/wallet/add-lp", json={"player_id": "P-NOBODY", "points": 5})
    assert missing.status_code == 404 and missing.json()["error"] == "no player 'P-NOBODY'"
    missing = client.post("/api/wallet/add-bonus", json={"player_id": "P-NOBODY", "amount": 5,
                                                          "wagering_requirement": 1, "expiry_hours": 1})
    assert missing.status_code == 404
