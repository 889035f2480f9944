"""Structures through the HTTP API: validation, uniqueness, regions, update, listing."""

from __future__ import annotations

import uuid

import pytest
from registry_builders import join, leave, new_group, new_siret, new_structure, structure_body

from shared.domain.codes import STRUCTURE_KINDS

PROBLEM = "application/problem+json"


def post(registry, admin, **fields):
    return registry.post("/v1/structures", headers=admin, json=structure_body(**fields))


@pytest.mark.parametrize("kind", sorted(STRUCTURE_KINDS))
def test_a_structure_of_each_kind_is_created_with_its_label(registry, admin, kind):
    answer = post(registry, admin, kind=kind)
    assert answer.status_code == 201, answer.json
    assert (answer.json["kind"], answer.json["kind_label"]) == (kind, STRUCTURE_KINDS[kind])


def test_a_created_structure_is_answered_with_every_field(registry, admin):
    body = structure_body(convention_number="ACI-035-2025-001", sectors=["espaces verts"])
    answer = registry.post("/v1/structures", headers=admin, json=body)
    assert answer.status_code == 201, answer.json
    assert {k: answer.json[k] for k in body} == body
    assert uuid.UUID(answer.json["id"]) and answer.json["created_at"]


def test_a_created_structure_can_be_read_back(registry, admin):
    structure = new_structure(registry, admin)
    answer = registry.get(f"/v1/structures/{structure['id']}", headers=admin)
    assert answer.status_code == 200 and answer.json == structure


@pytest.mark.parametrize(
    "siret",
    ["73282932000075", "7328293200007", "732829320000745", "7328293200007A", "", "35600000049838"],
)
def test_an_invalid_siret_is_refused_with_a_field_error(registry, admin, siret):
    answer = post(registry, admin, siret=siret)
    assert answer.status_code == 422 and answer.mimetype == PROBLEM
    assert list(answer.json["errors"]) == ["siret"]


def test_a_la_poste_siret_failing_luhn_is_accepted_when_its_digits_sum_to_a_multiple_of_5(
    registry, admin
):
    answer = post(registry, admin, siret="35600000049837", kind="AI")
    assert answer.status_code == 201, answer.json


def test_a_siret_typed_with_spaces_is_stored_without_them(registry, admin):
    siret = new_siret()
    answer = post(registry, admin, siret=f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}")
    assert answer.status_code == 201 and answer.json["siret"] == siret


@pytest.mark.parametrize(
    ("department", "region"),
    [("35", "53"), ("2A", "94"), ("2b", "94"), ("974", "04"), ("75", "11"), ("01", "84")],
)
def test_the_region_is_derived_from_the_department(registry, admin, department, region):
    answer = post(registry, admin, department=department)
    assert answer.status_code == 201, answer.json
    assert (answer.json["department"], answer.json["region"]) == (department.upper(), region)


@pytest.mark.parametrize("department", ["20", "00", "96", "977", "2C", "3 5", "Bretagne"])
def test_an_unknown_department_is_refused(registry, admin, department):
    answer = post(registry, admin, department=department)
    assert answer.status_code == 422 and list(answer.json["errors"]) == ["department"]


def test_an_unknown_kind_is_refused(registry, admin):
    answer = post(registry, admin, kind="GES")
    assert answer.status_code == 422 and list(answer.json["errors"]) == ["kind"]


def test_an_unknown_field_is_refused_rather_than_dropped(registry, admin):
    answer = post(registry, admin, website="https://example.org")
    assert answer.status_code == 422 and "website" in answer.json["errors"]


def test_missing_fields_are_each_reported(registry, admin):
    answer = registry.post("/v1/structures", headers=admin, json={})
    assert answer.status_code == 422
    assert set(answer.json["errors"]) == {"siret", "name", "kind", "department"}


def test_malformed_json_answers_400(registry, admin):
    answer = registry.post(
        "/v1/structures", headers=admin, data="{", content_type="application/json"
    )
    assert answer.status_code == 400 and answer.mimetype == PROBLEM


def test_a_second_structure_with_the_same_siret_and_kind_is_refused(registry, admin):
    first = new_structure(registry, admin, kind="EI")
    answer = post(registry, admin, siret=first["siret"], kind="EI")
    assert answer.status_code == 409 and answer.json["type"].endswith("duplicate-structure")


def test_a_refused_twin_leaves_nothing_behind(registry, admin):
    first = new_structure(registry, admin, kind="EI")
    post(registry, admin, siret=first["siret"], kind="EI", name="Jumelle")
    listed = registry.get("/v1/structures?kind=EI&limit=1000", headers=admin).json
    assert [s["name"] for s in listed if s["siret"] == first["siret"]] == [first["name"]]


def test_one_siret_may_carry_several_kinds(registry, admin):
    first = new_structure(registry, admin, kind="AI")
    answer = post(registry, admin, siret=first["siret"], kind="ACI")
    assert answer.status_code == 201, answer.json


def test_an_unknown_structure_answers_404(registry, admin):
    answer = registry.get(f"/v1/structures/{uuid.uuid4()}", headers=admin)
    assert answer.status_code == 404 and answer.mimetype == PROBLEM


def test_a_malformed_structure_id_answers_404(registry, admin):
    assert registry.get("/v1/structures/not-a-uuid", headers=admin).status_code == 404


def test_patch_changes_only_the_given_fields(registry, admin):
    structure = new_structure(registry, admin)
    answer = registry.patch(
        f"/v1/structures/{structure['id']}",
        headers=admin,
        json={"name": "Nouveau nom", "sectors": ["recyclage"]},
    )
    assert answer.status_code == 200, answer.json
    assert answer.json == {
        **structure,
        "name": "Nouveau nom",
        "sectors": ["recyclage"],
        "updated_at": answer.json["updated_at"],
    }


def test_patching_the_department_moves_the_region(registry, admin):
    structure = new_structure(registry, admin, department="35")
    answer = registry.patch(
        f"/v1/structures/{structure['id']}", headers=admin, json={"department": "2A"}
    )
    assert (answer.json["department"], answer.json["region"]) == ("2A", "94")


def test_patch_validates_like_creation(registry, admin):
    structure = new_structure(registry, admin)
    answer = registry.patch(
        f"/v1/structures/{structure['id']}",
        headers=admin,
        json={"siret": "73282932000075", "kind": "XX", "name": None},
    )
    assert answer.status_code == 422 and set(answer.json["errors"]) == {"siret", "kind", "name"}
    assert registry.get(f"/v1/structures/{structure['id']}", headers=admin).json == structure


def test_patch_refuses_unknown_fields(registry, admin):
    structure = new_structure(registry, admin)
    answer = registry.patch(
        f"/v1/structures/{structure['id']}", headers=admin, json={"region": "11"}
    )
    assert answer.status_code == 422 and "region" in answer.json["errors"]


def test_patch_can_clear_the_convention_number(registry, admin):
    structure = new_structure(registry, admin, convention_number="C-1")
    answer = registry.patch(
        f"/v1/structures/{structure['id']}", headers=admin, json={"convention_number": None}
    )
    assert answer.status_code == 200 and answer.json["convention_number"] is None


def test_patch_into_a_twin_is_refused(registry, admin):
    first = new_structure(registry, admin, kind="ETTI")
    second = new_structure(registry, admin, kind="ETTI")
    answer = registry.patch(
        f"/v1/structures/{second['id']}", headers=admin, json={"siret": first["siret"]}
    )
    assert answer.status_code == 409


def test_patch_of_an_unknown_structure_answers_404(registry, admin):
    answer = registry.patch(f"/v1/structures/{uuid.uuid4()}", headers=admin, json={"name": "X"})
    assert answer.status_code == 404


def test_the_list_filters_by_kind_and_department(registry, admin):
    wanted = new_structure(registry, admin, kind="EITI", department="973")
    new_structure(registry, admin, kind="EITI", department="972")
    new_structure(registry, admin, kind="OSP", department="973")
    answer = registry.get("/v1/structures?kind=EITI&department=973", headers=admin)
    assert answer.status_code == 200 and [s["id"] for s in answer.json] == [wanted["id"]]


def test_the_list_filters_by_group_and_by_membership_date(registry, admin):
    group = new_group(registry, admin)
    past, current = new_structure(registry, admin), new_structure(registry, admin)
    join(registry, admin, group["id"], past["id"], "2024-01-01")
    leave(registry, admin, group["id"], past["id"], "2024-12-31")
    join(registry, admin, group["id"], current["id"], "2025-01-01")
    ever = registry.get(f"/v1/structures?group_id={group['id']}", headers=admin).json
    on = registry.get(f"/v1/structures?group_id={group['id']}&on=2025-03-01", headers=admin).json
    assert {s["id"] for s in ever} == {past["id"], current["id"]}
    assert [s["id"] for s in on] == [current["id"]]


def test_an_invalid_filter_is_refused(registry, admin):
    answer = registry.get("/v1/structures?kind=XX", headers=admin)
    assert answer.status_code == 422 and "kind" in answer.json["errors"]


def test_the_list_is_paginated_with_limit_offset_and_a_total(registry, admin):
    for _ in range(3):
        new_structure(registry, admin, kind="OSP", department="976")
    url = "/v1/structures?kind=OSP&department=976"
    whole = registry.get(url, headers=admin)
    first = registry.get(url + "&limit=2", headers=admin)
    rest = registry.get(url + "&limit=2&offset=2", headers=admin)
    assert whole.headers["X-Total-Count"] == first.headers["X-Total-Count"] == "3"
    assert [s["id"] for s in first.json + rest.json] == [s["id"] for s in whole.json]


def test_a_page_size_above_the_cap_is_reduced_to_the_cap(registry, admin, settings):
    answer = registry.get("/v1/structures?limit=100000", headers=admin)
    assert answer.status_code == 200 and len(answer.json) <= settings.max_page_size


def test_a_page_size_of_zero_is_refused(registry, admin):
    assert registry.get("/v1/structures?limit=0", headers=admin).status_code == 422


@pytest.mark.parametrize("field", ["name", "convention_number"])
def test_a_nul_character_is_refused_rather_than_failing_the_database(registry, admin, field):
    answer = post(registry, admin, **{field: "AI du Val\u0000"})
    assert answer.status_code == 422 and list(answer.json["errors"]) == [field]


def test_a_nul_character_in_a_sector_is_refused_on_update(registry, admin):
    structure = new_structure(registry, admin)
    answer = registry.patch(
        f"/v1/structures/{structure['id']}", headers=admin, json={"sectors": ["tri\u0000"]}
    )
    assert answer.status_code == 422 and list(answer.json["errors"]) == ["sectors.0"]


def test_an_offset_beyond_any_database_row_is_refused(registry, admin):
    answer = registry.get("/v1/structures?offset=99999999999999999999", headers=admin)
    assert answer.status_code == 422 and list(answer.json["errors"]) == ["offset"]
