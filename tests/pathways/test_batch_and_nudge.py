"""Batch appends (each item atomic on its own, answering its own status) and after-commit nudges."""

from __future__ import annotations

import uuid
from dataclasses import replace

from pathways_support import create_person, open_pathway, opened, support

from services.pathways.app import create_app
from shared import queues
from tests.support import dispose_engines


def batch(pathways, org, items: list[dict]):
    return pathways.post("/v1/events/batch", headers=org.headers, json={"items": items})


def test_each_batch_item_answers_the_status_it_would_have_alone(pathways, org, other_org, person):
    mine, first = open_pathway(pathways, org, person)
    theirs, _ = open_pathway(pathways, other_org, create_person(pathways, other_org))
    new_id = str(uuid.uuid4())
    items = [
        {"pathway_id": new_id, "expected_version": 0, "events": [opened(org, person)]},
        {"pathway_id": mine, "expected_version": 0, "events": [support()]},
        {"pathway_id": theirs, "events": [support()]},
        {"pathway_id": mine, "events": [{"id": "pas-un-uuid"}]},
        {"pathway_id": mine, "expected_version": 0, "events": [first_event(pathways, org, mine)]},
        {"pathway_id": mine, "expected_version": 1, "events": [support()]},
    ]
    answer = batch(pathways, org, items)
    assert answer.status_code == 200, answer.json
    results = answer.json["results"]
    assert [r["status"] for r in results] == [201, 409, 404, 422, 200, 201]
    assert results[1]["current_version"] == 1 and "events.0.id" in results[3]["errors"]
    assert results[4]["events"] == first["events"] and results[5]["version"] == 2


def first_event(pathways, org, pathway_id: str) -> dict:
    """The stored opening of a pathway, as its client sent it (to retry it)."""
    stored = pathways.get(f"/v1/pathways/{pathway_id}/events", headers=org.headers).json[0]
    data = {k: v for k, v in stored["data"].items() if k not in ("sex", "age_band")}
    return {
        "id": stored["id"],
        "type": stored["type"],
        "occurred_on": stored["occurred_on"],
        "data": data,
    }


def test_two_items_of_one_batch_may_follow_each_other_on_one_pathway(pathways, org, person):
    pathway_id = str(uuid.uuid4())
    items = [
        {"pathway_id": pathway_id, "expected_version": 0, "events": [opened(org, person)]},
        {"pathway_id": pathway_id, "expected_version": 1, "events": [support()]},
    ]
    results = batch(pathways, org, items).json["results"]
    assert [r["status"] for r in results] == [201, 201]
    assert results[1]["events"][0]["version"] == 2


def test_a_batch_of_more_than_1000_items_is_refused(pathways, org):
    item = {"pathway_id": str(uuid.uuid4()), "events": [support()]}
    answer = batch(pathways, org, [item] * 1001)
    assert answer.status_code == 422 and "items" in answer.json["errors"]


def test_a_network_token_cannot_append_in_batch(pathways, network):
    answer = pathways.post("/v1/events/batch", headers=network, json={"items": [{}]})
    assert answer.status_code == 403


def test_an_append_enqueues_one_nudge_after_commit(settings, redis_conn, pathways, org, person):
    q = queues.queue(redis_conn, settings.queue_prefix)
    q.empty()
    redis_conn.delete(queues.nudge_key(settings.queue_prefix, "all"))
    open_pathway(pathways, org, person)
    open_pathway(pathways, org, person)
    assert q.count == 1


def test_an_append_succeeds_when_redis_is_down(settings, services, org, person):
    app = create_app(replace(settings, redis_url="redis://127.0.0.1:1/0"))
    try:
        client = app.test_client()
        answer = client.post(
            f"/v1/pathways/{uuid.uuid4()}/events",
            headers=org.headers,
            json={"expected_version": 0, "events": [opened(org, person)]},
        )
        assert answer.status_code == 201, answer.json
    finally:
        dispose_engines(app)
        app.extensions["iae_redis"].close()
