"""Reading pathways: state, stream, the filtered listing, and the feed's shape."""

from __future__ import annotations

from datetime import timedelta

from pathways_support import (
    OPENED_ON,
    contract,
    create_person,
    event,
    open_pathway,
    poll_feed,
)


def test_the_state_of_a_pathway_shows_its_contracts_and_status(pathways, org, person):
    started = contract()
    pathway_id, _ = open_pathway(pathways, org, person, started)
    state = pathways.get(f"/v1/pathways/{pathway_id}", headers=org.headers)
    assert state.status_code == 200, state.json
    body = state.json
    assert body["id"] == pathway_id and body["status"] == "open" and body["version"] == 2
    assert body["person_id"] == person and body["structure_id"] == org.id
    assert body["opened_on"] == OPENED_ON.isoformat()
    assert [c["contract_id"] for c in body["contracts"]] == [started["data"]["contract_id"]]


def test_an_admin_reads_any_pathway(pathways, org, admin, person):
    pathway_id, _ = open_pathway(pathways, org, person)
    assert pathways.get(f"/v1/pathways/{pathway_id}", headers=admin).status_code == 200


def test_the_stream_lists_events_in_version_order_with_positions(pathways, org, person):
    pathway_id, answer = open_pathway(pathways, org, person, contract())
    stream = pathways.get(f"/v1/pathways/{pathway_id}/events", headers=org.headers).json
    assert [e["version"] for e in stream] == [1, 2]
    assert [e["position"] for e in stream] == [e["position"] for e in answer["events"]]
    assert stream[0]["recorded_at"].endswith("Z") and stream[0]["voided"] is False


def test_the_listing_filters_by_status_and_person(pathways, org, person):
    other = create_person(pathways, org)
    exited = event("pathway_exited", {"reason": "chomage"}, OPENED_ON + timedelta(days=3))
    open_id, _ = open_pathway(pathways, org, person)
    exited_id, _ = open_pathway(pathways, org, other, exited)
    mine = pathways.get("/v1/pathways?status=exited", headers=org.headers).json
    by_person = pathways.get(f"/v1/pathways?person_id={person}", headers=org.headers).json
    assert [p["id"] for p in mine["items"]] == [exited_id] and mine["total"] == 1
    assert [p["id"] for p in by_person["items"]] == [open_id]


def test_the_listing_filters_by_opening_dates_and_pages(pathways, org, person):
    ids = [open_pathway(pathways, org, person)[0] for _ in range(3)]
    page = pathways.get("/v1/pathways?page_size=2&page=2", headers=org.headers).json
    after = (OPENED_ON + timedelta(days=1)).isoformat()
    none = pathways.get(f"/v1/pathways?opened_from={after}", headers=org.headers).json
    assert page["total"] == 3 and len(page["items"]) == 1 and page["items"][0]["id"] in ids
    assert none == {"items": [], "page": 1, "page_size": 100, "total": 0}


def test_the_listing_never_shows_another_structures_pathways(pathways, org, other_org, person):
    open_pathway(pathways, org, person)
    assert pathways.get("/v1/pathways", headers=other_org.headers).json["total"] == 0


def test_the_feed_carries_the_contract_fields(pathways, org, person, network):
    pathway_id, answer = open_pathway(pathways, org, person)
    position = answer["events"][0]["position"]
    page = poll_feed(pathways, network, position - 1, limit=1)
    first = page["events"][0]
    assert set(first) == {
        "position",
        "pathway_id",
        "structure_id",
        "version",
        "id",
        "type",
        "schema_version",  # docs/api.md, schema versions
        "occurred_on",
        "recorded_at",
        "data",
    }
    assert first["pathway_id"] == pathway_id and page["last_position"] == position


def test_the_feed_shows_each_event_as_the_pathway_stream_does(pathways, org, person, network):
    pathway_id, answer = open_pathway(pathways, org, person, contract())
    positions = [e["position"] for e in answer["events"]]
    page = poll_feed(pathways, network, positions[0] - 1, limit=2)
    stream = pathways.get(f"/v1/pathways/{pathway_id}/events", headers=org.headers).json
    assert [e["position"] for e in page["events"]] == positions
    for fed, stored in zip(page["events"], stream, strict=True):
        shared = fed.keys() & stored.keys()
        assert {k: fed[k] for k in shared} == {k: stored[k] for k in shared}
        assert len(shared) == 8 and fed["pathway_id"] == pathway_id  # with schema_version
        assert fed["structure_id"] == org.id
        assert fed["recorded_at"].endswith("Z") and "+" not in fed["recorded_at"]


def test_an_empty_feed_page_keeps_the_position_asked(pathways, network):
    answer = pathways.get("/v1/feed?after=999999999&limit=5", headers=network)
    assert answer.status_code == 200
    assert answer.json == {"events": [], "last_position": 999999999}


def test_the_openapi_document_lists_every_pathways_route(pathways):
    paths = pathways.get("/openapi.json").json["paths"]
    assert {
        "/v1/pathways/{pathway_id}/events",
        "/v1/events/batch",
        "/v1/pathways/{pathway_id}",
        "/v1/pathways",
        "/v1/feed",
        "/v1/persons",
        "/v1/persons/{person_id}",
    } <= set(paths)
    assert "409" in paths["/v1/pathways/{pathway_id}/events"]["post"]["responses"]
