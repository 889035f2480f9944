"""The registry down: tokens checked within the cache time keep working; any other token gets
503, never a wrong 401 or 200."""

from __future__ import annotations

import pytest
import requests

from tests.faults.traffic import PERIOD, Ledger, bearer, make_token, new_pathway, post_append

pytestmark = pytest.mark.faults


def _report(system, headers: dict, structure_id: str) -> requests.Response:
    return requests.get(
        f"{system.url('reporting')}/v1/reports/outcomes",
        headers=headers,
        params={**PERIOD, "structure_id": structure_id},
        timeout=10,
    )


def _with_registry_down(system, check) -> None:
    system.stop_service("registry")
    try:
        check()
    finally:
        system.start_service("registry")


def test_a_token_checked_recently_keeps_working_while_the_registry_is_down(system, org, persons):
    pathways = system.url("pathways")
    assert post_append(pathways, org, *new_pathway(org, persons[0])) == 201
    assert _report(system, org.headers, org.id).status_code == 200
    ledger = Ledger()

    def check() -> None:
        assert post_append(pathways, org, *new_pathway(org, persons[1]), ledger) == 201
        assert _report(system, org.headers, org.id).status_code == 200

    _with_registry_down(system, check)
    assert ledger.statuses == {201: 1}


def test_a_token_not_seen_before_gets_503_while_the_registry_is_down(
    system, org, persons, admin_headers
):
    fresh = bearer(
        make_token(system.url("registry"), admin_headers, scope="structure", structure_id=org.id)[
            "token"
        ]
    )
    pathway_id, events = new_pathway(org, persons[0])
    url = f"{system.url('pathways')}/v1/pathways/{pathway_id}/events"
    answers: list[requests.Response] = []

    def check() -> None:
        answers.append(requests.post(url, headers=fresh, json={"events": events}, timeout=15))
        answers.append(_report(system, fresh, org.id))
        answers.append(_report(system, bearer("iae_never_issued"), org.id))

    _with_registry_down(system, check)
    assert [a.status_code for a in answers] == [503, 503, 503]
    assert all(a.headers["Content-Type"] == "application/problem+json" for a in answers)
    assert all(int(a.headers["Retry-After"]) > 0 for a in answers)
    assert requests.post(url, headers=fresh, json={"events": events}, timeout=15).status_code == 201
