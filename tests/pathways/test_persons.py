"""Persons: validated, encrypted at rest, visible to their structures only, erasable for good."""

from __future__ import annotations

import uuid

import pytest
from pathways_support import IDENTITY, append, create_person, open_pathway, opened
from sqlalchemy import create_engine, text

# A NIR consistent with IDENTITY (woman born in May 1990): key = 97 - (2900575123456 mod 97).
NIR = "2900575123456" + f"{97 - 2900575123456 % 97:02d}"


@pytest.fixture
def raw_engine(settings):
    engine = create_engine(settings.database_url_for("pathways"))
    yield engine
    engine.dispose()


def test_a_created_person_is_read_back_by_its_structure(pathways, org):
    person_id = create_person(pathways, org, nir=NIR)
    read = pathways.get(f"/v1/persons/{person_id}", headers=org.headers)
    assert read.status_code == 200
    assert read.json == {"id": person_id, **IDENTITY, "nir": NIR}


def test_a_nir_with_a_wrong_key_is_refused(pathways, org):
    wrong = NIR[:13] + f"{(int(NIR[13:]) + 1) % 97:02d}"
    answer = pathways.post("/v1/persons", headers=org.headers, json={**IDENTITY, "nir": wrong})
    assert answer.status_code == 422 and "nir" in answer.json["errors"]


def test_a_nir_disagreeing_with_the_declared_sex_is_refused(pathways, org):
    answer = pathways.post(
        "/v1/persons", headers=org.headers, json={**IDENTITY, "sex": "M", "nir": NIR}
    )
    assert answer.status_code == 422 and "nir" in answer.json["errors"]


def test_a_person_under_16_is_refused(pathways, org):
    answer = pathways.post(
        "/v1/persons", headers=org.headers, json={**IDENTITY, "birth_date": "2024-01-01"}
    )
    assert answer.status_code == 422 and "birth_date" in answer.json["errors"]


def test_an_unknown_field_of_a_person_is_refused(pathways, org):
    answer = pathways.post("/v1/persons", headers=org.headers, json={**IDENTITY, "age": 30})
    assert answer.status_code == 422 and "age" in answer.json["errors"]


def test_another_structures_person_answers_404(pathways, org, other_org, person):
    assert pathways.get(f"/v1/persons/{person}", headers=other_org.headers).status_code == 404


def test_a_network_token_cannot_read_persons(pathways, person, network):
    assert pathways.get(f"/v1/persons/{person}", headers=network).status_code == 403


def test_the_identity_is_stored_encrypted(pathways, org, raw_engine):
    person_id = create_person(pathways, org, last_name="Zébulon-Unique")
    with raw_engine.connect() as conn:
        row = conn.execute(
            text("SELECT identity FROM persons WHERE id = :id"), {"id": person_id}
        ).scalar_one()
    assert b"Zebulon" not in row and "Zébulon".encode() not in row
    assert b"1990-05-17" not in row


def test_an_erased_person_answers_404_and_leaves_events_unchanged(pathways, org, raw_engine):
    person_id = create_person(pathways, org, last_name="Effacée")
    pathway_id, _ = open_pathway(pathways, org, person_id)
    before = pathways.get(f"/v1/pathways/{pathway_id}/events", headers=org.headers).json
    erased = pathways.delete(f"/v1/persons/{person_id}", headers=org.headers)
    assert erased.status_code == 204
    assert pathways.get(f"/v1/persons/{person_id}", headers=org.headers).status_code == 404
    after = pathways.get(f"/v1/pathways/{pathway_id}/events", headers=org.headers).json
    assert after == before
    with raw_engine.connect() as conn:
        left = conn.execute(
            text(
                "SELECT (SELECT count(*) FROM persons WHERE id = :id)"
                " + (SELECT count(*) FROM person_keys WHERE person_id = :id)"
            ),
            {"id": person_id},
        ).scalar_one()
        names = conn.execute(
            text(
                "SELECT count(*) FROM events WHERE data::text LIKE '%Effac%'"
                " OR metadata::text LIKE '%Effac%'"
            )
        ).scalar_one()
    assert left == 0 and names == 0


def test_an_opening_for_an_erased_person_is_refused(pathways, org):
    person_id = create_person(pathways, org)
    assert pathways.delete(f"/v1/persons/{person_id}", headers=org.headers).status_code == 204
    answer = append(pathways, org, str(uuid.uuid4()), [opened(org, person_id)], expected=0)
    assert answer.status_code == 422 and "events.0.data.person_id" in answer.json["errors"]


def test_another_structure_cannot_erase_a_person(pathways, org, other_org, person):
    assert pathways.delete(f"/v1/persons/{person}", headers=other_org.headers).status_code == 404
    assert pathways.get(f"/v1/persons/{person}", headers=org.headers).status_code == 200


def test_an_admin_may_erase_a_person(pathways, org, admin, person):
    assert pathways.delete(f"/v1/persons/{person}", headers=admin).status_code == 204
    assert pathways.get(f"/v1/persons/{person}", headers=org.headers).status_code == 404


def test_the_application_role_cannot_update_or_delete_events(services, pathways, org, person):
    open_pathway(pathways, org, person)
    engine = services["pathways"].app.extensions["iae_engine"]
    for statement in ("UPDATE events SET type = 'x'", "DELETE FROM events"):
        with engine.connect() as conn, pytest.raises(Exception, match="permission denied"):
            conn.execute(text(statement))


def test_several_persons_are_read_in_one_call_by_their_structure(pathways, org, other_org):
    mine = [create_person(pathways, org) for _ in range(3)]
    theirs = create_person(pathways, other_org)
    assert pathways.delete(f"/v1/persons/{mine[2]}", headers=org.headers).status_code == 204
    ids = [*mine, theirs, mine[0]]
    answer = pathways.get("/v1/persons?" + "&".join(f"id={i}" for i in ids), headers=org.headers)
    assert answer.status_code == 200
    assert sorted(p["id"] for p in answer.json["items"]) == sorted(mine[:2])
    assert {p["last_name"] for p in answer.json["items"]} == {IDENTITY["last_name"]}
    # Erased, or another structure's: missing alike (their existence is not revealed).
    assert answer.json["missing"] == [mine[2], theirs]


def test_a_batch_read_takes_at_most_100_ids_and_only_from_a_structure(pathways, org, network):
    many = "&".join(f"id={uuid.uuid4()}" for _ in range(101))
    answer = pathways.get(f"/v1/persons?{many}", headers=org.headers)
    assert answer.status_code == 422 and "100" in str(answer.json["errors"])
    assert pathways.get("/v1/persons?id=nope", headers=org.headers).status_code == 422
    assert pathways.get(f"/v1/persons?id={uuid.uuid4()}", headers=network).status_code == 403
