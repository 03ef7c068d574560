"""Mule lab over HTTP: simulate drops with overrides of drops.yaml; the run is stored."""

from __future__ import annotations

import pytest

from tests.api.conftest import count

# The tests' drops.yaml (conftest.SMALL_DROPS): 3 distributors, 2 purchasers, 30 ordinary clients, January 2025.


@pytest.fixture(scope="module")
def run(client) -> dict:
    response = client.post("/api/drops/simulate", json={"seed": 7})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_run_is_stored_and_counted(run: dict, api_env: dict) -> None:
    store = api_env["store"]
    assert (run["drops"], run["legit_clients"]) == (3 + 2, 30)
    assert run["transactions"] == count(store, "SELECT count(*) FROM drop_transactions WHERE run_id = ?",
                                        [run["run_id"]]) > 0
    summary = run["summary"]
    assert (summary["drops"], summary["ordinary_clients"], summary["transactions"]) == \
        (5, 30, run["transactions"])
    assert summary["blocked_drops"] == count(store, "SELECT count(*) FROM drop_accounts WHERE run_id = ? AND "
                                             "blocked_at IS NOT NULL", [run["run_id"]])


def test_the_same_settings_and_seed_are_the_same_run(client, run: dict, api_env: dict) -> None:
    again = client.post("/api/drops/simulate", json={"seed": 7}).json()
    assert (again["run_id"], again["transactions"]) == (run["run_id"], run["transactions"])
    assert count(api_env["store"], "SELECT count(*) FROM drop_runs WHERE run_id = ?", [run["run_id"]]) == 1


def test_overrides_are_laid_over_drops_yaml(client) -> None:
    more = client.post("/api/drops/simulate", json={"seed": 7, "config": {"legit_clients": 40,
                                                                          "distributor": {"count": 1}}}).json()
    assert (more["drops"], more["legit_clients"]) == (1 + 2, 40)  # purchasers kept from drops.yaml


def test_bad_settings_name_the_field(client) -> None:
    unknown = client.post("/api/drops/simulate", json={"config": {"legit_clientz": 5}})
    assert unknown.status_code == 400 and "legit_clientz" in unknown.json()["error"]
    wrong = client.post("/api/drops/simulate", json={"config": {"legit_clients": "many"}})
    assert wrong.status_code == 400 and "legit_clients" in wrong.json()["error"]
    seed = client.post("/api/drops/simulate", json={"seed": -1})
    assert seed.status_code == 422 and seed.json()["detail"][0]["field"] == "body.seed"
    extra = client.post("/api/drops/simulate", json={"seeds": 1})
    assert extra.status_code == 422 and extra.json()["detail"][0]["field"] == "body.seeds"


def test_the_apis_limits_keep_a_request_small(client) -> None:
    # the tests' api.yaml: at most 100 clients and 62 days
    big = client.post("/api/drops/simulate", json={"config": {"legit_clients": 96}})  # 3 + 2 + 96 = 101
    assert big.status_code == 400 and "101 clients" in big.json()["error"]
    assert "drops_max_clients" in big.json()["error"]
    long = client.post("/api/drops/simulate", json={"config": {"end": "2025-04-01T00:00:00Z"}})  # 90 days
    assert long.status_code == 400 and "90 days" in long.json()["error"]
