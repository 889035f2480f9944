"""What each scope may do in the registry (docs/api.md, "Scopes"), allowed and denied."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from registry_builders import bearer, headers_for, join, new_group, new_structure, new_token


@dataclass
class World:
    group: dict
    other_group: dict
    member: dict
    outsider: dict
    tokens: dict


@pytest.fixture(scope="module")
def world(registry, admin) -> World:
    """A group with one member, another group, a structure outside both, a token per scope."""
    group, other_group = new_group(registry, admin), new_group(registry, admin)
    member, outsider = new_structure(registry, admin), new_structure(registry, admin)
    join(registry, admin, group["id"], member["id"], "2025-01-01")
    join(registry, admin, other_group["id"], outsider["id"], "2025-01-01")
    revoked = new_token(registry, admin, "network")
    registry.delete(f"/v1/tokens/{revoked['id']}", headers=admin)
    tokens = {
        "admin": headers_for(registry, admin, "admin"),
        "network": headers_for(registry, admin, "network"),
        "group": headers_for(registry, admin, "group", group_id=group["id"]),
        "structure": headers_for(registry, admin, "structure", structure_id=member["id"]),
        "revoked": bearer(revoked["token"]),
        "none": {},
    }
    return World(group, other_group, member, outsider, tokens)


def admin_only_requests(w: World) -> list[tuple[str, str, dict | None]]:
    g, s = w.group["id"], w.member["id"]
    return [
        (
            "POST",
            "/v1/structures",
            {"siret": "73282932000074", "name": "X", "kind": "AI", "department": "35"},
        ),
        ("PATCH", f"/v1/structures/{s}", {"name": "Autre nom"}),
        ("POST", "/v1/groups", {"name": "GES"}),
        ("PUT", f"/v1/groups/{g}/members/{s}", {"joined_on": "2026-01-01"}),
        ("POST", f"/v1/groups/{g}/members/{s}/leave", {"left_on": "2026-01-01"}),
        ("POST", "/v1/tokens", {"scope": "network", "label": "x"}),
        ("GET", "/v1/tokens", None),
        ("DELETE", f"/v1/tokens/{uuid.uuid4()}", None),
        ("GET", "/v1/audit", None),
    ]


def call(registry, method: str, url: str, headers: dict, body: dict | None):
    return registry.open(url, method=method, headers=headers, json=body)


@pytest.mark.parametrize("scope", ["network", "group", "structure"])
def test_admin_operations_are_forbidden_to_other_scopes(registry, world, scope):
    statuses = {
        url: call(registry, m, url, world.tokens[scope], body).status_code
        for m, url, body in admin_only_requests(world)
    }
    assert set(statuses.values()) == {403}, statuses


@pytest.mark.parametrize("scope", ["revoked", "none"])
def test_every_endpoint_refuses_a_missing_or_revoked_token(registry, world, scope):
    reads = [
        ("GET", "/v1/structures", None),
        ("GET", f"/v1/groups/{world.group['id']}", None),
        ("GET", "/v1/whoami", None),
        ("GET", "/v1/changes", None),
    ]
    statuses = {
        url: call(registry, m, url, world.tokens[scope], body).status_code
        for m, url, body in admin_only_requests(world) + reads
    }
    assert set(statuses.values()) == {401}, statuses


def test_the_scope_is_checked_before_the_body(registry, world):
    answer = registry.post("/v1/structures", headers=world.tokens["network"], json={"x": 1})
    assert answer.status_code == 403


def test_a_created_admin_token_may_manage_structures(registry, world):
    answer = registry.patch(
        f"/v1/structures/{world.outsider['id']}",
        headers=world.tokens["admin"],
        json={"sectors": ["bâtiment"]},
    )
    assert answer.status_code == 200


def ids(answer) -> set[str]:
    assert answer.status_code == 200, answer.json
    return {item["id"] for item in answer.json}


def test_network_reads_every_structure(registry, world):
    listed = ids(registry.get("/v1/structures?limit=1000", headers=world.tokens["network"]))
    assert {world.member["id"], world.outsider["id"]} <= listed


def test_network_reads_every_group_with_its_members(registry, world):
    answer = registry.get(f"/v1/groups/{world.other_group['id']}", headers=world.tokens["network"])
    assert [m["structure_id"] for m in answer.json["members"]] == [world.outsider["id"]]


def test_a_group_lists_only_its_member_structures(registry, world):
    assert ids(registry.get("/v1/structures", headers=world.tokens["group"])) == {
        world.member["id"]
    }


def test_a_group_reads_its_member_structure(registry, world):
    answer = registry.get(f"/v1/structures/{world.member['id']}", headers=world.tokens["group"])
    assert answer.status_code == 200


def test_a_group_cannot_see_a_structure_outside_it(registry, world):
    answer = registry.get(f"/v1/structures/{world.outsider['id']}", headers=world.tokens["group"])
    assert answer.status_code == 403


def test_a_group_lists_only_itself(registry, world):
    assert ids(registry.get("/v1/groups", headers=world.tokens["group"])) == {world.group["id"]}


def test_a_group_cannot_see_another_group(registry, world):
    answer = registry.get(f"/v1/groups/{world.other_group['id']}", headers=world.tokens["group"])
    assert answer.status_code == 403


def test_a_structure_lists_only_itself(registry, world):
    assert ids(registry.get("/v1/structures", headers=world.tokens["structure"])) == {
        world.member["id"]
    }


def test_a_structure_reads_itself(registry, world):
    answer = registry.get(f"/v1/structures/{world.member['id']}", headers=world.tokens["structure"])
    assert answer.status_code == 200 and answer.json["id"] == world.member["id"]


def test_another_structure_is_out_of_a_structure_tokens_scope(registry, world):
    answer = registry.get(
        f"/v1/structures/{world.outsider['id']}", headers=world.tokens["structure"]
    )
    assert answer.status_code == 403


def test_an_unknown_structure_is_404_for_every_scope(registry, world):
    unknown = "00000000-0000-4000-8000-000000000000"
    for token in (world.tokens["structure"], world.tokens["network"]):
        assert registry.get(f"/v1/structures/{unknown}", headers=token).status_code == 404


def test_a_structure_sees_its_own_groups_and_only_its_own_membership(registry, admin, world):
    other = new_structure(registry, admin)
    join(registry, admin, world.group["id"], other["id"], "2025-02-01")
    answer = registry.get("/v1/groups", headers=world.tokens["structure"])
    assert [(g["id"], [m["structure_id"] for m in g["members"]]) for g in answer.json] == [
        (world.group["id"], [world.member["id"]])
    ]


def test_a_structure_cannot_see_a_group_it_never_joined(registry, world):
    answer = registry.get(
        f"/v1/groups/{world.other_group['id']}", headers=world.tokens["structure"]
    )
    assert answer.status_code == 403


@pytest.mark.parametrize(
    ("scope", "status"), [("admin", 200), ("network", 200), ("group", 403), ("structure", 403)]
)
def test_the_change_feed_is_for_admin_and_network(registry, world, scope, status):
    assert registry.get("/v1/changes", headers=world.tokens[scope]).status_code == status


@pytest.mark.parametrize("scope", ["admin", "network", "group", "structure"])
def test_every_scope_may_ask_who_it_is(registry, world, scope):
    answer = registry.get("/v1/whoami", headers=world.tokens[scope])
    assert answer.status_code == 200 and answer.json["scope"] == scope
