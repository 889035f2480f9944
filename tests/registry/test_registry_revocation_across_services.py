"""A revoked token stops working in the other services within their cache time (docs/api.md)."""

from __future__ import annotations

import time
from datetime import date

import pytest
import requests
from registry_builders import bearer, structure_body

from tests.support import admin_token, drop_all, make_settings, migrate_all, start_services

CACHE_SECONDS = 1.0
LATENCY_ALLOWANCE = 0.5  # one poll interval and one HTTP round trip on a loaded machine


@pytest.fixture
def short_cache(engines):
    """All three services, live, caching the registry's answers for one second only."""
    settings = make_settings(engines, auth_cache_seconds=CACHE_SECONDS)
    migrate_all(settings)
    live = start_services(settings)
    yield settings
    for server in live.values():
        server.stop()
    drop_all(settings)


def poll_until_refused(http: requests.Session, url: str, headers: dict, deadline: float) -> int:
    status = http.get(url, headers=headers, timeout=5).status_code
    while status != 401 and time.monotonic() < deadline:
        time.sleep(0.05)
        status = http.get(url, headers=headers, timeout=5).status_code
    return status


def test_pathways_refuses_a_revoked_token_within_the_cache_time(short_cache):
    admin = bearer(admin_token(short_cache))
    feed = f"{short_cache.pathways_url}/v1/feed"
    with requests.Session() as http:
        token = http.post(
            f"{short_cache.registry_url}/v1/tokens",
            headers=admin,
            timeout=5,
            json={"scope": "network", "label": "fédération"},
        ).json()
        assert http.get(feed, headers=bearer(token["token"]), timeout=5).status_code == 200
        revoked = http.delete(
            f"{short_cache.registry_url}/v1/tokens/{token['id']}", headers=admin, timeout=5
        )
        started = time.monotonic()
        status = poll_until_refused(http, feed, bearer(token["token"]), started + 10)
        elapsed = time.monotonic() - started
    assert revoked.status_code == 204 and status == 401
    assert elapsed <= CACHE_SECONDS + LATENCY_ALLOWANCE


def test_a_closed_structure_token_is_refused_by_pathways_within_the_cache_time(short_cache):
    admin = bearer(admin_token(short_cache))
    registry = short_cache.registry_url
    persons = f"{short_cache.pathways_url}/v1/pathways"
    with requests.Session() as http:
        body = structure_body()
        structure = http.post(f"{registry}/v1/structures", headers=admin, json=body, timeout=5)
        token = http.post(
            f"{registry}/v1/tokens",
            headers=admin,
            timeout=5,
            json={"scope": "structure", "structure_id": structure.json()["id"], "label": "SIAE"},
        ).json()
        assert http.get(persons, headers=bearer(token["token"]), timeout=5).status_code == 200
        closed = http.patch(
            f"{registry}/v1/structures/{structure.json()['id']}",
            headers=admin,
            json={"closed_on": date.today().isoformat()},
            timeout=5,
        )
        started = time.monotonic()
        status = poll_until_refused(http, persons, bearer(token["token"]), started + 10)
        elapsed = time.monotonic() - started
    assert closed.status_code == 200 and status == 401
    assert elapsed <= CACHE_SECONDS + LATENCY_ALLOWANCE
