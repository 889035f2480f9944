"""The territory scope in the registry (docs/api.md, "Scopes"): a token bound to one département
or one region reads the structures located there, their annexes and, of the groups, only the
members in its area; never tokens, the audit or the changes feed."""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest
from registry_builders import bearer, created, join, new_group, new_structure, new_token

from shared.auth import Caller, registry_whoami


def annex(registry, admin, structure_id: str) -> dict:
    body = {
        "number": f"ACI{random.randrange(10**10):010d}A0M0",
        "measure": "ACI_DC",
        "state": "VALIDE",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "etp_conventioned": 4,
    }
    return created(
        registry.post(f"/v1/structures/{structure_id}/annexes", headers=admin, json=body)
    )


@dataclass
class World:
    rennes: dict  # Ille-et-Vilaine (35), Bretagne (53)
    brest: dict  # Finistère (29), Bretagne
    lyon: dict  # Rhône (69), Auvergne-Rhône-Alpes (84)
    annexes: dict
    shared_group: dict
    far_group: dict
    department: dict
    region: dict


@pytest.fixture(scope="module")
def world(registry, admin) -> World:
    rennes = new_structure(registry, admin, department="35")
    brest = new_structure(registry, admin, department="29")
    lyon = new_structure(registry, admin, department="69")
    shared_group, far_group = new_group(registry, admin), new_group(registry, admin)
    for structure in (rennes, lyon):
        join(registry, admin, shared_group["id"], structure["id"], "2025-01-01")
    join(registry, admin, far_group["id"], lyon["id"], "2025-01-01")
    annexes = {s["department"]: annex(registry, admin, s["id"]) for s in (rennes, brest, lyon)}
    department = new_token(registry, admin, "territory", department="35")
    region = new_token(registry, admin, "territory", region="53")
    return World(rennes, brest, lyon, annexes, shared_group, far_group, department, region)


def headers(token: dict) -> dict:
    return bearer(token["token"])


def test_a_territory_token_carries_its_department_or_region(world):
    assert (world.department["department"], world.department["region"]) == ("35", None)
    assert (world.region["department"], world.region["region"]) == (None, "53")


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"department", "region"}),
        ({"department": "35", "region": "53"}, {"department", "region"}),
        ({"department": "975"}, {"department"}),
        ({"region": "99"}, {"region"}),
        ({"department": "35", "structure_id": "00000000-0000-4000-8000-000000000000"}, None),
    ],
)
def test_a_territory_token_names_exactly_one_known_area(registry, admin, body, fields):
    answer = registry.post(
        "/v1/tokens", headers=admin, json={"scope": "territory", "label": "DDETS", **body}
    )
    assert answer.status_code == 422, answer.json
    assert set(answer.json["errors"]) == (fields or {"structure_id"})


def test_other_scopes_cannot_name_an_area(registry, admin):
    answer = registry.post(
        "/v1/tokens", headers=admin, json={"scope": "network", "label": "x", "region": "53"}
    )
    assert answer.status_code == 422
    assert "Interdit" in answer.json["errors"]["region"][0]


def test_whoami_answers_the_area(registry, world):
    answer = registry.get("/v1/whoami", headers=headers(world.region)).json
    assert answer == {
        "scope": "territory",
        "structure_id": None,
        "group_id": None,
        "token_id": world.region["id"],
        "department": None,
        "region": "53",
        "expires_on": None,
        "staff_id": None,
        "expires_at": None,
    }


def test_other_services_learn_the_area_through_whoami(settings, world):
    verify = registry_whoami(settings.registry_url, 5.0)
    assert verify(world.department["token"]) == Caller(
        "territory", world.department["id"], department="35"
    )


def visible_ids(registry, token: dict, path: str) -> set[str]:
    answer = registry.get(path, headers=headers(token), query_string={"limit": 1000})
    assert answer.status_code == 200, answer.json
    return {item["id"] for item in answer.json}


def test_a_department_reads_only_the_structures_located_there(registry, world):
    seen = visible_ids(registry, world.department, "/v1/structures")
    assert world.rennes["id"] in seen
    assert not seen & {world.brest["id"], world.lyon["id"]}
    own = registry.get(f"/v1/structures/{world.rennes['id']}", headers=headers(world.department))
    other = registry.get(f"/v1/structures/{world.brest['id']}", headers=headers(world.department))
    assert (own.status_code, other.status_code) == (200, 403)


def test_a_region_reads_every_department_of_it(registry, world):
    seen = visible_ids(registry, world.region, "/v1/structures")
    assert {world.rennes["id"], world.brest["id"]} <= seen
    assert world.lyon["id"] not in seen


def test_a_territory_reads_the_annexes_of_its_area_only(registry, world):
    own, far = world.annexes["35"]["id"], world.annexes["69"]["id"]
    token = headers(world.department)
    assert own in visible_ids(registry, world.department, "/v1/annexes")
    assert far not in visible_ids(registry, world.department, "/v1/annexes")
    assert registry.get(f"/v1/annexes/{own}", headers=token).status_code == 200
    assert registry.get(f"/v1/annexes/{far}", headers=token).status_code == 403
    listed = registry.get(f"/v1/structures/{world.rennes['id']}/annexes", headers=token)
    assert [a["id"] for a in listed.json] == [own]
    other = registry.get(f"/v1/structures/{world.lyon['id']}/annexes", headers=token)
    assert other.status_code == 403


def test_a_territory_sees_a_group_s_members_in_its_area_only(registry, world):
    token = headers(world.department)
    assert visible_ids(registry, world.department, "/v1/groups") >= {world.shared_group["id"]}
    assert world.far_group["id"] not in visible_ids(registry, world.department, "/v1/groups")
    group = registry.get(f"/v1/groups/{world.shared_group['id']}", headers=token).json
    assert [m["structure_id"] for m in group["members"]] == [world.rennes["id"]]
    assert registry.get(f"/v1/groups/{world.far_group['id']}", headers=token).status_code == 403


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/tokens"),
        ("GET", "/v1/audit"),
        ("GET", "/v1/changes"),
        ("POST", "/v1/structures"),
        ("POST", "/v1/groups"),
        ("POST", "/v1/tokens"),
    ],
)
def test_a_territory_never_reads_tokens_audit_or_changes_nor_writes(registry, world, method, path):
    answer = registry.open(path, method=method, headers=headers(world.region), json={})
    assert answer.status_code == 403, answer.json


def test_a_territory_cannot_write_annexes(registry, world):
    token = headers(world.department)
    own = world.annexes["35"]["id"]
    patched = registry.patch(f"/v1/annexes/{own}", headers=token, json={"state": "ANNULE"})
    made = registry.post(f"/v1/structures/{world.rennes['id']}/annexes", headers=token, json={})
    assert (patched.status_code, made.status_code) == (403, 403)
