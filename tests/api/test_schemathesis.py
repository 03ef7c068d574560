"""Schemathesis against the served /openapi.json of a real uvicorn: no input, valid or not, gets a 500,
and no answer breaks the schema it documents (its status code, content type and body).

One test per operation and generation mode (positive: data the schema allows; negative: data it
does not). The operations are listed from the app's own OpenAPI at collection, the schema itself
is loaded from the running server. (Schemathesis' lazy pytest loader does not run on pytest 9.)
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from analytics.api.app import create_app
from analytics.store import Store

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
OPERATIONS = sorted(f"{method.upper()} {path}" for path, item in
                    create_app(Store("/nonexistent/collect.duckdb")).openapi()["paths"].items() for method in item)
EXAMPLES = 6  # per operation and mode: enough to reach every field, bounded to keep the run short
SLOW = {  # operations that run a whole job (a second or more each): fewer examples
    "POST /api/fraud/runs": 2, "POST /api/batch/process": 2, "GET /api/analytics/dashboard": 2,
    "GET /api/players/{player_id}": 3, "POST /api/drops/simulate": 3, "POST /api/logs": 3,
    "POST /api/audits": 3, "POST /api/import": 3,
}
CONTRACT = {  # contracts/api.md's endpoints, plus /health
    "GET /health",
    "POST /api/fraud/runs", "GET /api/fraud/runs", "GET /api/fraud/runs/{run_id}", "GET /api/fraud/fraudsters",
    "POST /api/audits", "GET /api/audits", "GET /api/audits/{audit_id}", "POST /api/audits/{audit_id}/decision",
    "POST /api/logs", "GET /api/overdraft/at-risk",
    "GET /api/players", "POST /api/players", "GET /api/players/{player_id}", "PUT /api/players/{player_id}",
    "DELETE /api/players/{player_id}", "GET /api/rules", "POST /api/rules", "PUT /api/rules/{rule_id}",
    "DELETE /api/rules/{rule_id}", "POST /api/rules/{rule_id}/test", "GET /api/tiers", "POST /api/tiers",
    "PUT /api/tiers/{name}", "POST /api/import", "POST /api/batch/process", "GET /api/analytics/dashboard",
    "GET /api/analytics/rewards", "GET /api/analytics/transactions", "POST /api/wallet/add-lp",
    "POST /api/wallet/add-bonus",
    "POST /api/drops/simulate",
}


@pytest.fixture(scope="module")
def api_schema(live_api: str):
    """The schema as the running server serves it."""
    return schemathesis.openapi.from_url(f"{live_api}/openapi.json")


def test_every_operation_of_the_contract_is_served(api_schema) -> None:
    served = {f"{r.ok().method.upper()} {r.ok().path}" for r in api_schema.get_all_operations()}
    assert served == set(OPERATIONS) == CONTRACT


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("operation", OPERATIONS)
def test_no_server_error_and_answers_match_their_schema(api_schema, operation: str, mode: GenerationMode) -> None:
    method, path = operation.split(" ", 1)
    target = api_schema[path][method]

    @given(case=target.as_strategy(mode))
    @settings(max_examples=SLOW.get(operation, EXAMPLES), deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case) -> None:
        case.call_and_validate(checks=CHECKS, timeout=120)

    try:
        check()
    except Unsatisfiable:
        assert mode is GenerationMode.NEGATIVE
        pytest.skip(f"{operation} takes no input that could be made invalid")
