"""Targeted hostile input: huge or deep bodies, wrong types and encodings, injections stored
verbatim, numbers and dates out of range. Each gets a clear 4xx, never a 5xx."""

from __future__ import annotations

import uuid

import pytest

from tests.faults.traffic import IDENTITY, opening, random_siret, support

INJECTIONS = ["'; DROP TABLE events; --", "<script>alert('x')</script>", 'Robert"); --']


def _sent(tally, response, expected: set[int]):
    tally["hostile_cases"] += 1
    tally["server_errors"] += response.status_code >= 500
    assert response.status_code in expected, (response.status_code, response.get_data()[:300])
    if response.status_code >= 400:
        assert response.mimetype == "application/problem+json"
    return response


def _append_url() -> str:
    return f"/v1/pathways/{uuid.uuid4()}/events"


@pytest.fixture
def clients(registry, pathways, reporting):
    return {"registry": registry, "pathways": pathways, "reporting": reporting}


POSTS = [
    ("registry", "/v1/structures"),
    ("pathways", "/v1/persons"),
    ("pathways", "/v1/events/batch"),
]


@pytest.mark.parametrize(("service", "path"), POSTS)
def test_a_body_over_the_limit_is_a_413(clients, admin, structure, settings, tally, service, path):
    headers = admin if service == "registry" else structure.headers
    body = b'{"name": "' + b"x" * (settings.max_body_bytes + 1) + b'"}'
    _sent(
        tally,
        clients[service].post(path, headers=headers, data=body, content_type="application/json"),
        {413},
    )


@pytest.mark.parametrize(("service", "path"), POSTS)
def test_ten_thousand_nested_arrays_are_refused_without_a_crash(
    clients, admin, structure, tally, service, path
):
    headers = admin if service == "registry" else structure.headers
    deep = b"[" * 10_000 + b"]" * 10_000
    _sent(
        tally,
        clients[service].post(path, headers=headers, data=deep, content_type="application/json"),
        {400, 422},
    )


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "multipart/form-data"])
def test_a_body_that_is_not_json_is_a_415(pathways, structure, tally, content_type):
    _sent(
        tally,
        pathways.post(
            "/v1/persons", headers=structure.headers, data=b"<x/>", content_type=content_type
        ),
        {415},
    )


def test_invalid_utf8_is_a_400(pathways, structure, tally):
    body = b'{"first_name": "\xc3\x28", "last_name": "x"}'
    _sent(
        tally,
        pathways.post(
            "/v1/persons", headers=structure.headers, data=body, content_type="application/json"
        ),
        {400},
    )


@pytest.mark.parametrize("text", INJECTIONS)
def test_injections_in_a_person_are_stored_verbatim(pathways, structure, tally, text):
    made = _sent(
        tally,
        pathways.post(
            "/v1/persons",
            headers=structure.headers,
            json={**IDENTITY, "first_name": text, "last_name": text},
        ),
        {201},
    )
    read = pathways.get(f"/v1/persons/{made.json['id']}", headers=structure.headers)
    assert (read.json["first_name"], read.json["last_name"]) == (text, text)


@pytest.mark.parametrize("text", INJECTIONS)
def test_injections_in_a_structure_name_are_stored_verbatim(registry, admin, tally, text):
    made = _sent(
        tally,
        registry.post(
            "/v1/structures",
            headers=admin,
            json={"siret": random_siret(), "name": text, "kind": "EI", "department": "29"},
        ),
        {201},
    )
    assert registry.get(f"/v1/structures/{made.json['id']}", headers=admin).json["name"] == text


@pytest.mark.parametrize("text", INJECTIONS)
def test_injections_in_event_strings_are_stored_verbatim_or_refused(
    pathways, structure, tally, text
):
    person = pathways.post("/v1/persons", headers=structure.headers, json=IDENTITY).json["id"]
    action = support()
    action["data"]["topic"] = text
    url = _append_url()
    answer = _sent(
        tally,
        pathways.post(
            url, headers=structure.headers, json={"events": [opening(structure, person), action]}
        ),
        {201, 422},
    )
    if answer.status_code == 201:
        stored = pathways.get(url, headers=structure.headers).json
        assert stored[1]["data"]["topic"] == text


@pytest.mark.parametrize("hours", [-1, 0, 1e308, 10**30, "NaN", "Infinity"])
def test_out_of_range_weekly_hours_are_a_422(pathways, structure, tally, hours):
    person = pathways.post("/v1/persons", headers=structure.headers, json=IDENTITY).json["id"]
    contract = {
        "id": str(uuid.uuid4()),
        "type": "contract_started",
        "occurred_on": opening(structure, person)["occurred_on"],
        "data": {
            "contract_id": str(uuid.uuid4()),
            "contract_type": "CDDI",
            "start_on": opening(structure, person)["occurred_on"],
            "weekly_hours": hours,
        },
    }
    _sent(
        tally,
        pathways.post(
            _append_url(),
            headers=structure.headers,
            json={"events": [opening(structure, person), contract]},
        ),
        {422},
    )


@pytest.mark.parametrize("version", [-1, 2**31, 2**70, "1", 1.5])
def test_out_of_range_expected_versions_are_refused(pathways, structure, tally, version):
    _sent(
        tally,
        pathways.post(
            _append_url(),
            headers=structure.headers,
            json={"expected_version": version, "events": [support()]},
        ),
        {409, 422},
    )


@pytest.mark.parametrize("on", ["0000-01-01", "99999-01-01", "2026-02-30", "2026-13-01", ""])
def test_dates_out_of_range_are_a_422(pathways, reporting, structure, tally, on):
    person = pathways.post("/v1/persons", headers=structure.headers, json=IDENTITY).json["id"]
    event = opening(structure, person)
    event["occurred_on"] = on
    _sent(
        tally,
        pathways.post(_append_url(), headers=structure.headers, json={"events": [event]}),
        {422},
    )
    _sent(
        tally,
        pathways.post(
            "/v1/persons", headers=structure.headers, json={**IDENTITY, "birth_date": on}
        ),
        {422},
    )
    _sent(
        tally,
        reporting.get("/v1/reports/outcomes", headers=structure.headers, query_string={"from": on}),
        {422},
    )


@pytest.mark.parametrize("value", ["-1", "99999999999999999999999", "abc"])
def test_out_of_range_feed_parameters_are_a_422(pathways, admin, tally, value):
    _sent(tally, pathways.get("/v1/feed", headers=admin, query_string={"after": value}), {422})
    _sent(tally, pathways.get("/v1/feed", headers=admin, query_string={"limit": value}), {422})
