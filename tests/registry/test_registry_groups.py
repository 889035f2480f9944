"""GES groups and their dated memberships through the HTTP API."""

from __future__ import annotations

import uuid

from registry_builders import join, leave, new_group, new_structure


def members(answer: dict) -> list[tuple[str, str, str | None]]:
    return [(m["structure_id"], m["joined_on"], m["left_on"]) for m in answer["members"]]


def put_member(registry, admin, group_id, structure_id, joined_on):
    return registry.put(
        f"/v1/groups/{group_id}/members/{structure_id}",
        headers=admin,
        json={"joined_on": joined_on},
    )


def post_leave(registry, admin, group_id, structure_id, left_on):
    return registry.post(
        f"/v1/groups/{group_id}/members/{structure_id}/leave",
        headers=admin,
        json={"left_on": left_on},
    )


def test_a_new_group_has_no_member(registry, admin):
    answer = registry.post("/v1/groups", headers=admin, json={"name": "GES Bretagne"})
    assert answer.status_code == 201
    assert answer.json == {"id": answer.json["id"], "name": "GES Bretagne", "members": []}


def test_a_group_name_with_a_nul_character_is_refused(registry, admin):
    answer = registry.post("/v1/groups", headers=admin, json={"name": "GES\u0000"})
    assert answer.status_code == 422 and list(answer.json["errors"]) == ["name"]


def test_a_group_needs_a_name(registry, admin):
    answer = registry.post("/v1/groups", headers=admin, json={"name": ""})
    assert answer.status_code == 422 and list(answer.json["errors"]) == ["name"]


def test_a_joining_structure_is_listed_with_its_date(registry, admin):
    group, structure = new_group(registry, admin), new_structure(registry, admin)
    answer = join(registry, admin, group["id"], structure["id"], "2025-01-15")
    assert members(answer) == [(structure["id"], "2025-01-15", None)]


def test_a_leaving_structure_keeps_its_history(registry, admin):
    group, structure = new_group(registry, admin), new_structure(registry, admin)
    join(registry, admin, group["id"], structure["id"], "2025-01-15")
    answer = leave(registry, admin, group["id"], structure["id"], "2025-06-30")
    assert members(answer) == [(structure["id"], "2025-01-15", "2025-06-30")]


def test_a_structure_may_rejoin_after_leaving(registry, admin):
    group, structure = new_group(registry, admin), new_structure(registry, admin)
    join(registry, admin, group["id"], structure["id"], "2025-01-15")
    leave(registry, admin, group["id"], structure["id"], "2025-06-30")
    answer = join(registry, admin, group["id"], structure["id"], "2025-07-01")
    assert members(answer) == [
        (structure["id"], "2025-01-15", "2025-06-30"),
        (structure["id"], "2025-07-01", None),
    ]


def test_rejoining_on_the_day_of_leaving_overlaps_and_is_refused(registry, admin):
    group, structure = new_group(registry, admin), new_structure(registry, admin)
    join(registry, admin, group["id"], structure["id"], "2025-01-15")
    leave(registry, admin, group["id"], structure["id"], "2025-06-30")
    answer = put_member(registry, admin, group["id"], structure["id"], "2025-06-30")
    assert answer.status_code == 409 and answer.json["type"].endswith("membership-overlap")


def test_joining_again_while_a_member_is_refused(registry, admin):
    group, structure = new_group(registry, admin), new_structure(registry, admin)
    join(registry, admin, group["id"], structure["id"], "2025-01-15")
    answer = put_member(registry, admin, group["id"], structure["id"], "2025-03-01")
    assert answer.status_code == 409
    group_now = registry.get(f"/v1/groups/{group['id']}", headers=admin).json
    assert members(group_now) == [(structure["id"], "2025-01-15", None)]


def test_repeating_the_same_join_is_harmless(registry, admin):
    group, structure = new_group(registry, admin), new_structure(registry, admin)
    first = join(registry, admin, group["id"], structure["id"], "2025-01-15")
    again = join(registry, admin, group["id"], structure["id"], "2025-01-15")
    assert again == first


def test_leaving_when_not_a_member_is_refused_with_a_clear_message(registry, admin):
    group, structure = new_group(registry, admin), new_structure(registry, admin)
    answer = post_leave(registry, admin, group["id"], structure["id"], "2025-06-30")
    assert answer.status_code == 409 and answer.json["type"].endswith("not-a-member")
    assert "pas membre" in answer.json["detail"]


def test_leaving_twice_is_refused(registry, admin):
    group, structure = new_group(registry, admin), new_structure(registry, admin)
    join(registry, admin, group["id"], structure["id"], "2025-01-15")
    leave(registry, admin, group["id"], structure["id"], "2025-06-30")
    answer = post_leave(registry, admin, group["id"], structure["id"], "2025-07-30")
    assert answer.status_code == 409


def test_leaving_before_joining_is_refused_on_the_date_field(registry, admin):
    group, structure = new_group(registry, admin), new_structure(registry, admin)
    join(registry, admin, group["id"], structure["id"], "2025-01-15")
    answer = post_leave(registry, admin, group["id"], structure["id"], "2025-01-14")
    assert answer.status_code == 422 and list(answer.json["errors"]) == ["left_on"]


def test_leaving_on_the_day_of_joining_is_accepted(registry, admin):
    group, structure = new_group(registry, admin), new_structure(registry, admin)
    join(registry, admin, group["id"], structure["id"], "2025-01-15")
    answer = leave(registry, admin, group["id"], structure["id"], "2025-01-15")
    assert members(answer) == [(structure["id"], "2025-01-15", "2025-01-15")]


def test_a_join_date_must_be_a_date(registry, admin):
    group, structure = new_group(registry, admin), new_structure(registry, admin)
    answer = put_member(registry, admin, group["id"], structure["id"], "15/01/2025")
    assert answer.status_code == 422 and list(answer.json["errors"]) == ["joined_on"]


def test_joining_an_unknown_group_answers_404(registry, admin):
    structure = new_structure(registry, admin)
    answer = put_member(registry, admin, uuid.uuid4(), structure["id"], "2025-01-15")
    assert answer.status_code == 404


def test_joining_an_unknown_structure_answers_404(registry, admin):
    group = new_group(registry, admin)
    answer = put_member(registry, admin, group["id"], uuid.uuid4(), "2025-01-15")
    assert answer.status_code == 404


def test_members_on_a_date_count_both_ends_inclusive(registry, admin):
    group = new_group(registry, admin)
    left, stays, later = (new_structure(registry, admin) for _ in range(3))
    join(registry, admin, group["id"], left["id"], "2025-01-01")
    leave(registry, admin, group["id"], left["id"], "2025-06-30")
    join(registry, admin, group["id"], stays["id"], "2025-06-30")
    join(registry, admin, group["id"], later["id"], "2025-07-01")
    on = registry.get(f"/v1/groups/{group['id']}?on=2025-06-30", headers=admin).json
    assert {m["structure_id"] for m in on["members"]} == {left["id"], stays["id"]}


def test_members_on_a_date_exclude_the_day_after_leaving(registry, admin):
    group, structure = new_group(registry, admin), new_structure(registry, admin)
    join(registry, admin, group["id"], structure["id"], "2025-01-01")
    leave(registry, admin, group["id"], structure["id"], "2025-06-30")
    on = registry.get(f"/v1/groups/{group['id']}?on=2025-07-01", headers=admin).json
    assert on["members"] == []


def test_the_group_list_applies_the_date_to_every_group(registry, admin):
    group, structure = new_group(registry, admin), new_structure(registry, admin)
    join(registry, admin, group["id"], structure["id"], "2025-03-01")
    groups = registry.get("/v1/groups?on=2025-02-28&limit=1000", headers=admin).json
    assert next(g for g in groups if g["id"] == group["id"])["members"] == []


def test_an_invalid_date_filter_is_refused(registry, admin):
    group = new_group(registry, admin)
    answer = registry.get(f"/v1/groups/{group['id']}?on=yesterday", headers=admin)
    assert answer.status_code == 422 and list(answer.json["errors"]) == ["on"]


def test_an_unknown_group_answers_404(registry, admin):
    assert registry.get(f"/v1/groups/{uuid.uuid4()}", headers=admin).status_code == 404


def test_the_group_list_is_paginated_with_a_total(registry, admin):
    for _ in range(2):
        new_group(registry, admin)
    first = registry.get("/v1/groups?limit=1", headers=admin)
    second = registry.get("/v1/groups?limit=1&offset=1", headers=admin)
    assert len(first.json) == len(second.json) == 1 and first.json != second.json
    assert int(first.headers["X-Total-Count"]) >= 2
