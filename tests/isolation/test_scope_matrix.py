"""Every endpoint × every scope answers what docs/api.md says (Scopes, and each endpoint's scope
column): 401 without a valid token, 403 outside the scope, 404 for another structure's person
or pathway. A staff member signed in to the dashboard acts through a token the registry minted
for their account: it answers exactly as a token of the account's scope."""

from __future__ import annotations

import pytest
from isolation_support import endpoint_cases

CASES = endpoint_cases()


@pytest.mark.parametrize(
    ("endpoint", "scope"),
    [(e, s) for e in CASES for s in CASES[e][1]],
    ids=lambda v: v.replace(" ", "_") if isinstance(v, str) else None,
)
def test_each_endpoint_answers_each_scope_as_the_contract_says(world, endpoint, scope, tally):
    call, expected = CASES[endpoint]
    response = call(world, world.headers[scope], scope)
    tally["isolation_cases"] += 1
    assert response.status_code == expected[scope], (
        endpoint,
        scope,
        response.get_data(as_text=True)[:300],
    )
    if response.status_code >= 400:
        assert response.mimetype == "application/problem+json"


STAFF_SCOPES = (
    "admin",
    "network",
    "group",
    "structure_a",
    "structure_b",
    "territory",
    "territory_far",
)


@pytest.mark.parametrize(
    ("endpoint", "scope"),
    [(e, s) for e in CASES for s in STAFF_SCOPES if s in CASES[e][1]],
    ids=lambda v: v.replace(" ", "_") if isinstance(v, str) else None,
)
def test_a_staff_session_answers_as_its_accounts_scope(world, endpoint, scope, tally):
    call, expected = CASES[endpoint]
    response = call(world, world.headers[f"staff_{scope}"], scope)
    tally["isolation_cases"] += 1
    assert response.status_code == expected[scope], (
        endpoint,
        f"staff {scope}",
        response.get_data(as_text=True)[:300],
    )
