"""The registry's OpenAPI lists every endpoint with its schemas and problem+json errors."""

from __future__ import annotations

import pytest

ENDPOINTS = [
    ("post", "/v1/structures"),
    ("get", "/v1/structures"),
    ("get", "/v1/structures/{structure_id}"),
    ("patch", "/v1/structures/{structure_id}"),
    ("post", "/v1/groups"),
    ("get", "/v1/groups"),
    ("get", "/v1/groups/{group_id}"),
    ("put", "/v1/groups/{group_id}/members/{structure_id}"),
    ("post", "/v1/groups/{group_id}/members/{structure_id}/leave"),
    ("post", "/v1/structures/{structure_id}/annexes"),
    ("get", "/v1/structures/{structure_id}/annexes"),
    ("get", "/v1/annexes"),
    ("get", "/v1/annexes/{annex_id}"),
    ("patch", "/v1/annexes/{annex_id}"),
    ("post", "/v1/annexes/{annex_id}/amendments"),
    ("post", "/v1/tokens"),
    ("get", "/v1/tokens"),
    ("delete", "/v1/tokens/{token_id}"),
    ("get", "/v1/whoami"),
    ("post", "/v1/staff"),
    ("get", "/v1/staff"),
    ("delete", "/v1/staff/{staff_id}"),
    ("post", "/v1/staff/lookup"),
    ("post", "/v1/staff/{staff_id}/tokens"),
    ("delete", "/v1/staff/tokens/{token_id}"),
    ("get", "/v1/changes"),
    ("get", "/v1/audit"),
]


@pytest.fixture(scope="module")
def spec(registry):
    answer = registry.get("/openapi.json")
    assert answer.status_code == 200
    return answer.json


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_each_endpoint_documents_a_401_problem(spec, method, path):
    responses = spec["paths"][path][method]["responses"]
    assert "application/problem+json" in responses["401"]["content"]


@pytest.mark.parametrize(
    ("method", "path"), [e for e in ENDPOINTS if e[0] in ("post", "put", "patch")]
)
def test_each_write_documents_its_body_and_a_422(spec, method, path):
    operation = spec["paths"][path][method]
    assert "requestBody" in operation and "422" in operation["responses"]


def test_every_documented_path_is_expected(spec):
    documented = {(m, p) for p, ops in spec["paths"].items() for m in ops if m != "parameters"}
    assert documented == set(ENDPOINTS)
