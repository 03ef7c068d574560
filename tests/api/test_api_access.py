"""Who may call what: 401 without a valid token, 403 per role below the one an endpoint needs (and
nothing written), the token's user recorded on writes, viewers see pseudonyms, open mode on loopback."""

from __future__ import annotations

import datetime as dt
import getpass
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from analytics import auth, tokens
from analytics.api.app import create_app
from analytics.identity import ROLES, mask
from analytics.store import Store
from tests.api.conftest import bearer, count, row_counts, serving

HEADER = "event_time,user_id,username,event_type,amount,won,counterparty_id,device_id,cashout_id\n"
EXPORT = HEADER + "2023-09-01T10:00:00Z,u-acc,acc,game_end,1.0,true,,d-acc,\n" \
                  "2023-09-02T10:00:00Z,u-acc,acc,cashout,1.0,,,d-acc,c-acc\n"
LOG = '{"timestamp":"2024-06-01T10:00:00.000Z","level":"INFO","requestId":"r-acc","message":"hello"}\n'
PLAYERS = "player_id,total_deposited,total_wagered,total_won,sessions,playtime_hours\nP-ACC,1,1,1,1,1\n"
RULE = {"rule_id": "ACC_RULE", "priority": 50, "conditions": {"segment": "NEW"},
        "reward_config": {"type": "TICKETS", "formula": "1", "max_amount": 1}}


def csv_part(name: str, text: str) -> list[tuple]:
    return [("files", (name, text.encode(), "text/csv"))]


@pytest.fixture(scope="module")
def ids(api_env: dict) -> dict[str, str]:
    """Ids that exist in the sample store."""
    with api_env["store"].connect() as con:
        return {
            "audit": con.execute("SELECT min(audit_id) FROM cashout_audits").fetchone()[0],
            "run": con.execute("SELECT min(run_id) FROM fraud_runs").fetchone()[0],
            "player": con.execute("SELECT min(player_id) FROM players").fetchone()[0],
            "rule": con.execute("SELECT min(rule_id) FROM reward_rule_versions").fetchone()[0],
            "tier": "Gold",
        }


def operations(ids: dict[str, str]) -> list[tuple[str, str, dict, str]]:
    """Every endpoint of the contract: (method, path, request keyword arguments, least role)."""
    player, rule = ids["player"], ids["rule"]
    return [
        ("POST", "/api/fraud/runs", {"json": {}}, "admin"),
        ("GET", "/api/fraud/runs", {}, "viewer"),
        ("GET", f"/api/fraud/runs/{ids['run']}", {}, "viewer"),
        ("GET", "/api/fraud/fraudsters", {}, "viewer"),
        ("POST", "/api/audits", {"files": csv_part("acc_922023.csv", EXPORT)}, "auditor"),
        ("GET", "/api/audits", {}, "viewer"),
        ("GET", f"/api/audits/{ids['audit']}", {}, "viewer"),
        ("POST", f"/api/audits/{ids['audit']}/decision", {"json": {"decision": "approve"}}, "auditor"),
        ("POST", "/api/logs", {"files": csv_part("acc.log", LOG)}, "auditor"),
        ("GET", "/api/overdraft/at-risk", {}, "viewer"),
        ("GET", "/api/players", {}, "viewer"),
        ("POST", "/api/players", {"json": {"player_id": "P-NEW", "total_deposited": 1, "total_wagered": 1,
                                           "total_won": 1, "sessions": 1, "playtime_hours": 1}}, "admin"),
        ("GET", f"/api/players/{player}", {}, "viewer"),
        ("PUT", f"/api/players/{player}", {"json": {"sessions": 99}}, "admin"),
        ("DELETE", f"/api/players/{player}", {}, "admin"),
        ("GET", "/api/rules", {}, "viewer"),
        ("POST", "/api/rules", {"json": RULE}, "admin"),
        ("PUT", f"/api/rules/{rule}", {"json": {**RULE, "rule_id": rule}}, "admin"),
        ("DELETE", f"/api/rules/{rule}", {}, "admin"),
        ("POST", f"/api/rules/{rule}/test", {"json": {"player_id": player}}, "admin"),
        ("GET", "/api/tiers", {}, "viewer"),
        ("POST", "/api/tiers", {"json": {"name": "Diamond", "min_points": 90000}}, "admin"),
        ("PUT", f"/api/tiers/{ids['tier']}", {"json": {"min_points": 6000}}, "admin"),
        ("POST", "/api/import", {"files": csv_part("acc_players.csv", PLAYERS)}, "admin"),
        ("POST", "/api/batch/process", {}, "admin"),
        ("GET", "/api/analytics/dashboard", {}, "viewer"),
        ("GET", "/api/analytics/rewards", {}, "viewer"),
        ("GET", "/api/analytics/transactions", {}, "viewer"),
        ("POST", "/api/wallet/add-lp", {"json": {"player_id": player, "points": 5}}, "admin"),
        ("POST", "/api/wallet/add-bonus", {"json": {"player_id": player, "amount": 5, "wagering_requirement": 1,
                                                    "expiry_hours": 24}}, "admin"),
        ("POST", "/api/drops/simulate", {"json": {"seed": 1}}, "admin"),
    ]


@pytest.fixture(scope="module")
def app_client(api_env: dict, tokens_by_role: dict[str, str]):
    with serving(api_env["store"]) as c:
        yield c


def test_the_table_covers_every_endpoint(app_client: TestClient) -> None:
    names = {"audit": "{audit_id}", "run": "{run_id}", "player": "{player_id}", "rule": "{rule_id}", "tier": "{name}"}
    listed = {(m, p) for m, p, _k, _r in operations(names)}
    served = {(m.upper(), p) for p, item in app_client.get("/openapi.json").json()["paths"].items() for m in item}
    assert listed == served - {("GET", "/health")}


def test_every_endpoint_needs_a_valid_token(app_client: TestClient, ids: dict[str, str], api_env: dict) -> None:
    before = row_counts(api_env["store"])
    for method, path, kwargs, _role in operations(ids):
        for headers in ({}, bearer("not-a-token"), {"Authorization": "Basic dXNlcjpwdw=="},
                        bearer("rdk_000000000000_" + "x" * 43)):
            response = app_client.request(method, path, headers=headers, **kwargs)
            assert response.status_code == 401, (method, path, headers, response.text)
            assert response.headers["www-authenticate"] == "Bearer"
            assert response.json()["error"].startswith(("missing bearer token", "invalid, expired")), response.text
    assert row_counts(api_env["store"]) == before  # nothing was written


def test_health_needs_no_token(app_client: TestClient) -> None:
    assert app_client.get("/health").json() == {"status": "ok", "database": "ok"}


def test_roles_below_the_one_needed_are_refused_and_write_nothing(
    app_client: TestClient, ids: dict[str, str], tokens_by_role: dict[str, str], api_env: dict,
) -> None:
    before = row_counts(api_env["store"])
    refused = 0
    for method, path, kwargs, needed in operations(ids):
        for role in ROLES[: ROLES.index(needed)]:
            response = app_client.request(method, path, headers=bearer(tokens_by_role[role]), **kwargs)
            assert response.status_code == 403, (method, path, role, response.text)
            assert f"{role}1 ({role}) may not" in response.json()["error"]
            assert f"it needs the {needed} role" in response.json()["error"]
            refused += 1
    # 15 admin endpoints refused to viewer and auditor (30), 3 auditor endpoints refused to viewer
    assert refused == 15 * 2 + 3
    assert row_counts(api_env["store"]) == before


def test_a_viewer_reads_every_list_and_detail(app_client: TestClient, ids: dict[str, str],
                                               tokens_by_role: dict[str, str]) -> None:
    """Every GET needs only `view`, which every role has (roles are ordered), so the viewer's 200 stands
    for all three."""
    gets = [(path, kwargs, needed) for method, path, kwargs, needed in operations(ids) if method == "GET"]
    assert len(gets) == 13
    for path, kwargs, needed in gets:
        assert needed == "viewer"
        response = app_client.get(path, headers=bearer(tokens_by_role["viewer"]), **kwargs)
        assert response.status_code == 200, (path, response.text)


def test_viewers_see_player_identifiers_as_pseudonyms(app_client: TestClient, ids: dict[str, str],
                                                      tokens_by_role: dict[str, str]) -> None:
    viewer, admin = bearer(tokens_by_role["viewer"]), bearer(tokens_by_role["admin"])
    for path, column in (("/api/audits", "user_id"), ("/api/players", "player_id"),
                         ("/api/overdraft/at-risk", "user_id"), ("/api/fraud/fraudsters", "distinct_id")):
        plain = app_client.get(path, headers=admin).json()["items"]
        masked = app_client.get(path, headers=viewer).json()["items"]
        assert plain, path
        assert [mask(r[column]) for r in plain] == [r[column] for r in masked], path
        assert all(r[column] != mask(r[column]) for r in plain)
    detail = app_client.get(f"/api/players/{ids['player']}", headers=viewer).json()
    assert detail["player_id"] == mask(ids["player"]) and detail["export"]["player_id"] == mask(ids["player"])
    audit = app_client.get(f"/api/audits/{ids['audit']}", headers=viewer).json()
    plain = app_client.get(f"/api/audits/{ids['audit']}", headers=admin).json()
    assert audit["user_id"] == mask(plain["user_id"]) != plain["user_id"]


def test_writes_record_the_tokens_user(app_client: TestClient, ids: dict[str, str],
                                       tokens_by_role: dict[str, str], api_env: dict) -> None:
    made = app_client.post(f"/api/audits/{ids['audit']}/decision", json={"decision": "escalate", "comment": "acc"},
                           headers=bearer(tokens_by_role["auditor"]))
    assert made.status_code == 201 and made.json()["decided_by"] == "auditor1"
    assert count(api_env["store"], "SELECT count(*) FROM cashout_decisions WHERE decision_id = ? AND "
                 "decided_by = 'auditor1'", [made.json()["decision_id"]]) == 1
    credit = app_client.post("/api/wallet/add-lp", json={"player_id": ids["player"], "points": 3,
                                                         "idempotency_key": "acc-1"},
                             headers=bearer(tokens_by_role["admin"]))
    assert credit.status_code == 200, credit.text
    assert count(api_env["store"], "SELECT count(*) FROM wallet_ledger WHERE idempotency_key = 'acc-1' AND "
                 "created_by = 'admin1'") == 1


def _edit_tokens(path: Path, token_id: str, **changes: object) -> None:
    data = yaml.safe_load(path.read_text())
    for record in data["tokens"]:
        if record["id"] == token_id:
            record.update(changes)
    path.write_text(yaml.safe_dump(data))


def test_expired_revoked_and_orphaned_tokens_are_refused(app_client: TestClient, api_env: dict,
                                                         tokens_by_role: dict[str, str]) -> None:
    users = auth.load_users(api_env["config"] / "users.yaml")
    assert users is not None
    users["gone"] = auth.User(name="gone", role="admin", email="gone@example.com")
    users["off"] = auth.User(name="off", role="admin", email="off@example.com")
    auth.save_users(users, api_env["config"] / "users.yaml")
    expired, rec_e = tokens.create("viewer1", 1)
    revoked, rec_r = tokens.create("viewer1", 1)
    orphan, _ = tokens.create("gone", 1)
    disabled, _ = tokens.create("off", 1)
    for token in (expired, revoked, orphan, disabled):
        assert app_client.get("/api/tiers", headers=bearer(token)).status_code == 200
    past = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).replace(tzinfo=None, microsecond=0)
    _edit_tokens(tokens.tokens_path(), rec_e.id, expires_at=past.isoformat())
    assert tokens.revoke(rec_r.id) == [rec_r.id]
    del users["gone"]
    users["off"] = users["off"].model_copy(update={"disabled": True})
    auth.save_users(users, api_env["config"] / "users.yaml")
    for token in (expired, revoked, orphan, disabled):
        response = app_client.get("/api/tiers", headers=bearer(token))
        assert response.status_code == 401, response.text
    # a changed secret with a known id is refused too
    forged = tokens_by_role["admin"][:-4] + ("AAAA" if not tokens_by_role["admin"].endswith("AAAA") else "BBBB")
    assert app_client.get("/api/tiers", headers=bearer(forged)).status_code == 401


def test_a_role_change_applies_at_once(app_client: TestClient, api_env: dict, ids: dict[str, str]) -> None:
    users = auth.load_users(api_env["config"] / "users.yaml")
    users["promoted"] = auth.User(name="promoted", role="viewer", email="p@example.com")
    auth.save_users(users, api_env["config"] / "users.yaml")
    token, _ = tokens.create("promoted", 1)
    path, body = f"/api/audits/{ids['audit']}/decision", {"decision": "approve"}
    assert app_client.post(path, json=body, headers=bearer(token)).status_code == 403
    users["promoted"] = users["promoted"].model_copy(update={"role": "auditor"})
    auth.save_users(users, api_env["config"] / "users.yaml")
    made = app_client.post(path, json=body, headers=bearer(token))
    assert made.status_code == 201 and made.json()["decided_by"] == "promoted"


def test_open_mode_acts_as_the_os_user_on_loopback_only(sample_db: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.api.conftest import copy_db

    monkeypatch.setenv("RISKDESK_USERS_FILE", str(tmp_path / "no-users.yaml"))
    store = Store(copy_db(sample_db, tmp_path / "db"))
    with store.connect() as con:
        audit_id = con.execute("SELECT min(audit_id) FROM cashout_audits").fetchone()[0]
    with TestClient(create_app(store)) as c:
        made = c.post(f"/api/audits/{audit_id}/decision", json={"decision": "reject"})
        assert made.status_code == 201 and made.json()["decided_by"] == getpass.getuser()
    with TestClient(create_app(store, public=True)) as c:  # listening beyond loopback with no users file
        refused = c.get("/api/audits")
        assert refused.status_code == 401 and "no users file" in refused.json()["error"]
        assert c.get("/health").status_code == 200


def test_unknown_endpoints_and_methods_answer_json(app_client: TestClient) -> None:
    missing = app_client.get("/api/nothing-here")
    assert missing.status_code == 404
    assert missing.json() == {"error": "no such endpoint: GET /api/nothing-here", "detail": None}
    wrong = app_client.patch("/api/audits")
    assert wrong.status_code == 405 and wrong.json()["error"] == "PATCH is not allowed on /api/audits"


def test_health_is_503_with_the_reason_when_the_database_does_not_open(tmp_path: Path) -> None:
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(b"this is not a DuckDB file" * 100)
    with TestClient(create_app(Store(broken, lock_timeout=2))) as c:
        response = c.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error" and body["error"].startswith("database unavailable: ")
    assert body["database"] and body["database"] in body["error"]


def test_an_upload_over_the_limit_is_413(app_client: TestClient, tokens_by_role: dict[str, str],
                                        monkeypatch: pytest.MonkeyPatch, api_env: dict) -> None:
    monkeypatch.setenv("RISKDESK_MAX_UPLOAD_MB", "0.001")  # 1,048 bytes
    before = row_counts(api_env["store"])
    big = EXPORT + "".join(f"2023-09-01T1{i % 10}:00:00Z,u-acc,acc,game_end,1.0,true,,d-acc,\n" for i in range(40))
    assert len(big) > 2000
    response = app_client.post("/api/audits", files=csv_part("big_922023.csv", big),
                               headers=bearer(tokens_by_role["auditor"]))
    assert response.status_code == 413
    assert response.json()["error"].startswith("the request is larger than the upload limit of 1,048 bytes")
    assert row_counts(api_env["store"]) == before
