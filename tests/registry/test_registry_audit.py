"""The audit trail: who created or changed what, and when, readable by admins only."""

from __future__ import annotations

from datetime import date

from registry_builders import (
    bearer,
    headers_for,
    join,
    leave,
    new_group,
    new_structure,
    new_token,
    structure_body,
)


def entries(registry, admin, query: str = "") -> list[dict]:
    answer = registry.get(f"/v1/audit?limit=1000{query}", headers=admin)
    assert answer.status_code == 200, answer.json
    return answer.json


def test_a_creation_is_audited_with_the_acting_token(registry, admin):
    actor = new_token(registry, admin, "admin")
    answer = registry.post(
        "/v1/structures", headers=bearer(actor["token"]), json=structure_body(kind="EI")
    )
    [entry] = entries(registry, admin, f"&entity_id={answer.json['id']}")
    assert (entry["actor_token_id"], entry["action"], entry["entity"]) == (
        actor["id"],
        "create",
        "structure",
    )
    assert entry["changes"]["siret"] == answer.json["siret"] and entry["at"]


def test_an_update_records_only_the_changed_fields_with_before_and_after(registry, admin):
    structure = new_structure(registry, admin, department="35")
    registry.patch(
        f"/v1/structures/{structure['id']}",
        headers=admin,
        json={"department": "29", "name": structure["name"]},
    )
    latest = entries(registry, admin, f"&entity_id={structure['id']}")[0]
    # A change of département is a dated move (docs/domain.md §6c): the audit says from when.
    assert (latest["action"], latest["changes"]) == (
        "update",
        {
            "department": {"from": "35", "to": "29"},
            "moved_on": {"from": None, "to": date.today().isoformat()},
        },
    )


def test_joining_and_leaving_are_audited_on_the_membership(registry, admin):
    group, structure = new_group(registry, admin), new_structure(registry, admin)
    join(registry, admin, group["id"], structure["id"], "2025-01-01")
    leave(registry, admin, group["id"], structure["id"], "2025-03-31")
    left, joined = entries(registry, admin, "&entity=membership")[:2]
    assert (joined["action"], joined["changes"]["group_id"]) == ("join", group["id"])
    assert (left["action"], left["entity_id"]) == ("leave", joined["entity_id"])
    assert left["changes"] == {"left_on": {"from": None, "to": "2025-03-31"}}


def test_token_creation_and_revocation_are_audited_without_the_secret(registry, admin):
    token = new_token(registry, admin, "network")
    registry.delete(f"/v1/tokens/{token['id']}", headers=admin)
    answer = registry.get(f"/v1/audit?entity_id={token['id']}", headers=admin)
    assert [e["action"] for e in answer.json] == ["revoke", "create"]
    secret = token["token"].split("_", 2)[2]
    assert secret not in answer.get_data(as_text=True)


def test_a_refused_write_leaves_no_audit_entry(registry, admin):
    structure = new_structure(registry, admin)
    before = registry.get("/v1/audit", headers=admin).headers["X-Total-Count"]
    registry.post(
        "/v1/structures",
        headers=admin,
        json=structure_body(siret=structure["siret"], kind=structure["kind"]),
    )
    assert registry.get("/v1/audit", headers=admin).headers["X-Total-Count"] == before


def test_the_audit_is_newest_first_and_paginated(registry, admin):
    for _ in range(2):
        new_group(registry, admin)
    first = registry.get("/v1/audit?limit=1", headers=admin).json
    second = registry.get("/v1/audit?limit=1&offset=1", headers=admin).json
    assert first[0]["id"] > second[0]["id"]


def test_the_audit_is_refused_to_network(registry, admin):
    network = headers_for(registry, admin, "network")
    assert registry.get("/v1/audit", headers=network).status_code == 403
