"""Every 4xx of the pathways contract, as problem+json, and no input ever answered with a 500."""

from __future__ import annotations

import uuid

import pytest
from pathways_support import append, open_pathway, opened, support

PROBLEM = "application/problem+json"


def events_url() -> str:
    return f"/v1/pathways/{uuid.uuid4()}/events"


def test_malformed_json_answers_400(pathways, org):
    answer = pathways.post(
        events_url(),
        headers={**org.headers, "Content-Type": "application/json"},
        data=b'{"events": [',
    )
    assert answer.status_code == 400 and answer.mimetype == PROBLEM


def test_a_missing_token_answers_401_whatever_the_body(pathways):
    answer = pathways.post(events_url(), json={"nonsense": True})
    assert answer.status_code == 401 and answer.mimetype == PROBLEM


def test_an_unknown_token_answers_401(pathways):
    answer = pathways.get("/v1/feed", headers={"Authorization": "Bearer nope"})
    assert answer.status_code == 401


def test_a_network_token_cannot_append(pathways, network, org, person):
    answer = pathways.post(events_url(), headers=network, json={"events": [opened(org, person)]})
    assert answer.status_code == 403 and answer.mimetype == PROBLEM


def test_a_structure_token_cannot_read_the_feed(pathways, org):
    assert pathways.get("/v1/feed", headers=org.headers).status_code == 403


def test_a_body_over_the_limit_answers_413(pathways, org, settings):
    huge = b'{"events": ["' + b"x" * settings.max_body_bytes + b'"]}'
    answer = pathways.post(
        events_url(), headers={**org.headers, "Content-Type": "application/json"}, data=huge
    )
    assert answer.status_code == 413 and answer.mimetype == PROBLEM


def test_an_unknown_body_field_answers_422(pathways, org, person):
    answer = pathways.post(
        events_url(), headers=org.headers, json={"events": [opened(org, person)], "force": True}
    )
    assert answer.status_code == 422 and "force" in answer.json["errors"]


def test_a_negative_expected_version_answers_422(pathways, org, person):
    answer = append(pathways, org, str(uuid.uuid4()), [opened(org, person)], expected=-1)
    assert answer.status_code == 422 and "expected_version" in answer.json["errors"]


def test_duplicate_event_ids_in_one_request_answer_422(pathways, org, person):
    first = opened(org, person)
    twin = {**support(), "id": first["id"]}
    answer = append(pathways, org, str(uuid.uuid4()), [first, twin], expected=0)
    assert answer.status_code == 422 and "events.1.id" in answer.json["errors"]


def test_a_feed_page_over_5000_answers_422(pathways, network):
    assert pathways.get("/v1/feed?limit=5001", headers=network).status_code == 422


def test_another_structures_pathway_is_not_readable(pathways, org, other_org, person):
    pathway_id, _ = open_pathway(pathways, org, person)
    assert pathways.get(f"/v1/pathways/{pathway_id}", headers=other_org.headers).status_code == 404
    events = pathways.get(f"/v1/pathways/{pathway_id}/events", headers=other_org.headers)
    assert events.status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        [],
        "text",
        42,
        None,
        {"events": None},
        {"events": [None]},
        {"events": [{}]},
        {
            "events": [
                {
                    "id": str(uuid.uuid4()),
                    "type": "pathway_opened",
                    "occurred_on": "2026-13-45",
                    "data": [],
                }
            ]
        },
        {
            "events": [
                {
                    "id": str(uuid.uuid4()),
                    "type": "support_action_recorded",
                    "occurred_on": "2025-01-01",
                    "data": {"domain": 7, "topic": [], "delivery": {}},
                }
            ]
        },
        {"expected_version": "1", "events": [1, 2, 3]},
        {"expected_version": 10**30, "events": [{"id": 1}]},
    ],
)
def test_no_malformed_append_answers_500(pathways, org, body):
    answer = pathways.post(events_url(), headers=org.headers, json=body)
    assert answer.status_code == 422 and answer.mimetype == PROBLEM


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"items": None},
        {"items": [None, 1, "x", []]},
        {"items": [{"pathway_id": "x", "events": "y"}]},
    ],
)
def test_no_malformed_batch_answers_500(pathways, org, body):
    answer = pathways.post("/v1/events/batch", headers=org.headers, json=body)
    assert answer.status_code in (200, 422)
    if answer.status_code == 200:
        assert {r["status"] for r in answer.json["results"]} == {422}


@pytest.mark.parametrize("query", ["after=-1", "after=x", "limit=0", "after=99999999999999999999"])
def test_no_malformed_feed_query_answers_500(pathways, network, query):
    assert pathways.get(f"/v1/feed?{query}", headers=network).status_code == 422


@pytest.mark.parametrize(
    "path",
    [
        "/v1/pathways/not-a-uuid",
        "/v1/persons/123",
        "/v1/pathways?status=closed",
        "/v1/pathways?opened_from=x",
    ],
)
def test_no_malformed_read_answers_500(pathways, org, path):
    assert pathways.get(path, headers=org.headers).status_code in (404, 422)
