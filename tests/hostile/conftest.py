"""Fixtures of the hostile-input tests: a structure with its token, to call the structure-only
endpoints (tokens are checked before bodies are read, so fuzzing needs the right scope)."""

from __future__ import annotations

import pytest

from tests.faults.traffic import Org, random_siret


@pytest.fixture(scope="session")
def structure(registry, admin) -> Org:
    made = registry.post(
        "/v1/structures",
        headers=admin,
        json={"siret": random_siret(), "name": "Structure", "kind": "AI", "department": "35"},
    )
    token = registry.post(
        "/v1/tokens",
        headers=admin,
        json={"scope": "structure", "structure_id": made.json["id"], "label": "fuzz"},
    )
    return Org(made.json["id"], token.json["token"])
