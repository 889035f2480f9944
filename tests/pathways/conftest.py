"""Fixtures of the pathways integration tests (helpers live in pathways_support)."""

from __future__ import annotations

import pytest
from pathways_support import Org, bearer, create_person, make_org

from shared import queues


@pytest.fixture
def org(registry, admin) -> Org:
    return make_org(registry, admin, "ACI")


@pytest.fixture
def other_org(registry, admin) -> Org:
    return make_org(registry, admin, "EI")


@pytest.fixture(scope="session")
def network(registry, admin) -> dict[str, str]:
    token = registry.post("/v1/tokens", headers=admin, json={"scope": "network", "label": "fédé"})
    assert token.status_code == 201, token.json
    return bearer(token.json["token"])


@pytest.fixture
def person(pathways, org) -> str:
    return create_person(pathways, org)


@pytest.fixture
def redis_conn(settings):
    conn = queues.connect(settings.redis_url)
    yield conn
    conn.close()
