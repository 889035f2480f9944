"""Appending events through the HTTP API, on real PostgreSQL: answers, rules, exactly-once."""

from __future__ import annotations

import uuid
from datetime import timedelta

from pathways_support import (
    IDENTITY,
    OPENED_ON,
    append,
    contract,
    create_person,
    event,
    open_pathway,
    opened,
    support,
)


def test_an_opening_answers_201_with_versions_positions_and_no_warning(pathways, org, person):
    pathway_id = str(uuid.uuid4())
    first, second = opened(org, person), support()
    answer = append(pathways, org, pathway_id, [first, second], expected=0)
    assert answer.status_code == 201, answer.json
    body = answer.json
    assert body["pathway_id"] == pathway_id and body["version"] == 2 and body["warnings"] == []
    assert [e["id"] for e in body["events"]] == [first["id"], second["id"]]
    assert [e["version"] for e in body["events"]] == [1, 2]
    assert body["events"][0]["position"] < body["events"][1]["position"]


def test_the_opening_is_stored_with_sex_and_age_band_but_no_identity(pathways, org, person):
    pathway_id, _ = open_pathway(pathways, org, person)
    stored = pathways.get(f"/v1/pathways/{pathway_id}/events", headers=org.headers).json[0]
    assert stored["data"]["sex"] == "F" and stored["data"]["age_band"] == "26_49"
    assert not {"first_name", "last_name", "birth_date", "nir"} & set(stored["data"])
    assert IDENTITY["last_name"] not in str(stored)


def test_a_legal_limit_at_risk_is_stored_with_a_warning(pathways, org, person):
    pathway_id, _ = open_pathway(pathways, org, person)
    answer = append(pathways, org, pathway_id, [contract(hours=12)], expected=1)
    assert answer.status_code == 201, answer.json
    assert answer.json["warnings"], "a CDDI under 20 h a week in an ACI is at risk"
    assert {"code", "message"} <= set(answer.json["warnings"][0])


def test_a_stale_expected_version_is_a_version_conflict_with_the_current_version(
    pathways, org, person
):
    pathway_id, _ = open_pathway(pathways, org, person)
    answer = append(pathways, org, pathway_id, [support()], expected=0)
    assert answer.status_code == 409
    assert answer.json["type"].endswith("version-conflict")
    assert answer.json["current_version"] == 1


def test_without_expected_version_the_append_is_not_checked(pathways, org, person):
    pathway_id, _ = open_pathway(pathways, org, person)
    answer = append(pathways, org, pathway_id, [support()])
    assert answer.status_code == 201 and answer.json["version"] == 2


def test_an_identical_retry_answers_200_with_the_original_answer(pathways, org, person):
    pathway_id = str(uuid.uuid4())
    events = [opened(org, person), contract(hours=12)]
    first = append(pathways, org, pathway_id, events, expected=0)
    retry = append(pathways, org, pathway_id, events, expected=0)
    assert first.status_code == 201 and retry.status_code == 200
    assert retry.json == first.json
    stream = pathways.get(f"/v1/pathways/{pathway_id}/events", headers=org.headers).json
    assert len(stream) == 2


def test_the_same_event_id_with_other_content_is_an_event_id_conflict(pathways, org, person):
    pathway_id, answer = open_pathway(pathways, org, person)
    changed = support()
    append(pathways, org, pathway_id, [changed], expected=1)
    changed["data"]["topic"] = "mobilite"
    again = append(pathways, org, pathway_id, [changed])
    assert again.status_code == 409
    assert again.json["type"].endswith("event-id-conflict")


def test_an_event_id_of_another_pathway_is_an_event_id_conflict(pathways, org, person):
    reused = opened(org, person)
    open_other = append(pathways, org, str(uuid.uuid4()), [reused], expected=0)
    answer = append(pathways, org, str(uuid.uuid4()), [reused], expected=0)
    assert open_other.status_code == 201
    assert answer.status_code == 409 and answer.json["type"].endswith("event-id-conflict")


def test_a_rejected_request_appends_none_of_its_events(pathways, org, person):
    pathway_id, _ = open_pathway(pathways, org, person)
    late = support(on=OPENED_ON - timedelta(days=3))
    answer = append(pathways, org, pathway_id, [support(), late], expected=1)
    assert answer.status_code == 422
    assert "events.1.occurred_on" in answer.json["errors"]
    stream = pathways.get(f"/v1/pathways/{pathway_id}/events", headers=org.headers).json
    assert len(stream) == 1


def test_the_first_event_must_be_an_opening(pathways, org):
    answer = append(pathways, org, str(uuid.uuid4()), [support()], expected=0)
    assert answer.status_code == 422
    assert "events.0.type" in answer.json["errors"]


def test_bad_data_is_refused_with_its_full_field_path(pathways, org, person):
    pathway_id, _ = open_pathway(pathways, org, person)
    answer = append(pathways, org, pathway_id, [contract(hours=60)], expected=1)
    assert answer.status_code == 422
    assert "events.0.data.weekly_hours" in answer.json["errors"]


def test_an_unknown_field_in_data_is_refused(pathways, org, person):
    pathway_id, _ = open_pathway(pathways, org, person)
    bad = support()
    bad["data"]["colour"] = "bleu"
    answer = append(pathways, org, pathway_id, [bad], expected=1)
    assert answer.status_code == 422
    assert "events.0.data.colour" in answer.json["errors"]


def test_an_unknown_envelope_field_is_refused(pathways, org, person):
    bad = {**opened(org, person), "note": "x"}
    answer = append(pathways, org, str(uuid.uuid4()), [bad], expected=0)
    assert answer.status_code == 422
    assert "events.0.note" in answer.json["errors"]


def test_an_unknown_event_type_is_refused(pathways, org, person):
    answer = append(pathways, org, str(uuid.uuid4()), [event("pathway_paused", {})], expected=0)
    assert answer.status_code == 422
    assert "events.0.type" in answer.json["errors"]


def test_an_opening_for_another_structure_is_refused(pathways, org, other_org, person):
    foreign = opened(org, person)
    foreign["data"]["structure_id"] = other_org.id
    answer = append(pathways, org, str(uuid.uuid4()), [foreign], expected=0)
    assert answer.status_code == 422
    assert "events.0.data.structure_id" in answer.json["errors"]


def test_an_opening_for_a_person_of_another_structure_is_refused(pathways, org, other_org):
    stranger = create_person(pathways, other_org)
    answer = append(pathways, org, str(uuid.uuid4()), [opened(org, stranger)], expected=0)
    assert answer.status_code == 422
    assert "events.0.data.person_id" in answer.json["errors"]


def test_another_structures_pathway_answers_404(pathways, org, other_org, person):
    pathway_id, _ = open_pathway(pathways, org, person)
    answer = append(pathways, other_org, pathway_id, [support()])
    assert answer.status_code == 404


def test_after_the_exit_only_a_void_is_accepted_and_voiding_the_exit_reopens(pathways, org, person):
    exit_on = OPENED_ON + timedelta(days=5)
    exited = event("pathway_exited", {"reason": "cdi"}, exit_on)
    pathway_id, _ = open_pathway(pathways, org, person, exited)
    refused = append(pathways, org, pathway_id, [support(on=exit_on)], expected=2)
    void = event("event_voided", {"event_id": exited["id"], "reason": "saisie erronée"}, exit_on)
    voided = append(pathways, org, pathway_id, [void], expected=2)
    assert refused.status_code == 422 and voided.status_code == 201, voided.json
    state = pathways.get(f"/v1/pathways/{pathway_id}", headers=org.headers).json
    assert state["status"] == "open" and state["exit"] is None
    stream = pathways.get(f"/v1/pathways/{pathway_id}/events", headers=org.headers).json
    assert [e["voided"] for e in stream] == [False, True, False]
