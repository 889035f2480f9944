"""Staff accounts: created, listed and removed by admins; looked up and acted for by a `service`
token only, through short-lived tokens bound to the account; every step audited."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import requests
from registry_builders import bearer, created, headers_for, new_group, new_structure
from sqlalchemy import text


def email() -> str:
    return f"Agent.{uuid.uuid4().hex[:10]}@Exemple.FR"


def new_staff(registry, admin, address: str, scope: str, **target) -> dict:
    body = {"email": address, "scope": scope, **{k: str(v) for k, v in target.items()}}
    return created(registry.post("/v1/staff", headers=admin, json=body))


@pytest.fixture(scope="module")
def service(registry, admin):
    return headers_for(registry, admin, "service")


def audit_of(services, entity_id: str) -> list[tuple[str, dict]]:
    with services["registry"].app.extensions["iae_engine"].connect() as conn:
        rows = conn.execute(
            text("SELECT action, changes FROM audit_log WHERE entity_id = :i ORDER BY id"),
            {"i": entity_id},
        )
        return [(r.action, r.changes) for r in rows]


def test_an_account_is_stored_with_its_email_trimmed_and_lower_cased(registry, admin):
    structure = new_structure(registry, admin)
    address = email()
    account = new_staff(registry, admin, f"  {address} ", "structure", structure_id=structure["id"])
    assert account["email"] == address.lower()
    assert (account["scope"], account["structure_id"]) == ("structure", structure["id"])
    assert account["target_name"] == structure["name"]
    listed = registry.get("/v1/staff", headers=admin, query_string={"email": address.upper()})
    assert [a["id"] for a in listed.json] == [account["id"]]
    assert listed.headers["X-Total-Count"] == "1"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"email": "pas-une-adresse", "scope": "network"}, "email"),
        ({"email": "a@b.fr", "scope": "structure"}, "structure_id"),
        ({"email": "a@b.fr", "scope": "network", "department": "35"}, "department"),
        ({"email": "a@b.fr", "scope": "service"}, "scope"),
        (
            {"email": "a@b.fr", "scope": "structure", "structure_id": str(uuid.uuid4())},
            "structure_id",
        ),
    ],
)
def test_a_bad_account_is_refused_field_by_field_and_nothing_is_stored(
    registry, admin, body, field
):
    answer = registry.post("/v1/staff", headers=admin, json=body)
    assert answer.status_code == 422 and field in answer.json["errors"]
    assert answer.content_type == "application/problem+json"
    listed = registry.get("/v1/staff", headers=admin, query_string={"email": "a@b.fr"})
    assert listed.json == []


def test_one_person_may_hold_two_accounts_but_not_the_same_twice(registry, admin):
    first, second = new_structure(registry, admin), new_structure(registry, admin)
    address = email()
    new_staff(registry, admin, address, "structure", structure_id=first["id"])
    new_staff(registry, admin, address, "structure", structure_id=second["id"])
    again = registry.post(
        "/v1/staff",
        headers=admin,
        json={"email": address, "scope": "structure", "structure_id": first["id"]},
    )
    assert again.status_code == 409
    listed = registry.get("/v1/staff", headers=admin, query_string={"email": address})
    assert sorted(a["structure_id"] for a in listed.json) == sorted([first["id"], second["id"]])


@pytest.mark.parametrize("scope", ["network", "structure", "territory", "service"])
def test_only_admins_manage_accounts(registry, admin, scope):
    structure = new_structure(registry, admin)
    ids = {"structure": {"structure_id": structure["id"]}, "territory": {"department": "35"}}
    headers = headers_for(registry, admin, scope, **ids.get(scope, {}))
    body = {"email": email(), "scope": "network"}
    assert registry.post("/v1/staff", headers=headers, json=body).status_code == 403
    assert registry.get("/v1/staff", headers=headers).status_code == 403
    assert registry.delete(f"/v1/staff/{uuid.uuid4()}", headers=headers).status_code == 403


def test_the_service_token_finds_an_emails_accounts_and_mints_a_token_of_the_chosen_one(
    registry, admin, service, services
):
    group = new_group(registry, admin)
    structure = new_structure(registry, admin)
    address = email()
    as_group = new_staff(registry, admin, address, "group", group_id=group["id"])
    new_staff(registry, admin, address, "structure", structure_id=structure["id"])

    found = registry.post("/v1/staff/lookup", headers=service, json={"email": address.upper()})
    assert found.status_code == 200
    assert [a["scope"] for a in found.json["accounts"]] == ["group", "structure"]

    before = datetime.now(UTC)
    minted = registry.post(
        f"/v1/staff/{as_group['id']}/tokens",
        headers=service,
        json={"email": address, "minutes": 30, "acr": "eidas1", "amr": ["pwd"]},
    )
    assert minted.status_code == 201, minted.json
    expires_at = datetime.fromisoformat(minted.json["expires_at"])
    assert before + timedelta(minutes=29) < expires_at <= datetime.now(UTC) + timedelta(minutes=30)
    who = registry.get("/v1/whoami", headers=bearer(minted.json["token"]))
    assert who.status_code == 200
    assert (who.json["scope"], who.json["group_id"], who.json["staff_id"]) == (
        "group",
        group["id"],
        as_group["id"],
    )
    [(action, changes)] = audit_of(services, minted.json["id"])
    assert action == "mint" and changes["staff_id"] == as_group["id"]
    assert (changes["acr"], changes["amr"]) == ("eidas1", ["pwd"])
    assert address.lower() not in str(changes)


def test_a_minted_token_lives_no_longer_than_the_setting(registry, admin, service, settings):
    address = email()
    account = new_staff(registry, admin, address, "network")
    minted = registry.post(
        f"/v1/staff/{account['id']}/tokens",
        headers=service,
        json={"email": address, "minutes": 1440},
    )
    expires_at = datetime.fromisoformat(minted.json["expires_at"])
    assert expires_at <= datetime.now(UTC) + timedelta(minutes=settings.staff_token_minutes)


def test_minting_needs_the_accounts_email_and_the_service_scope(registry, admin, service):
    address = email()
    account = new_staff(registry, admin, address, "network")
    path = f"/v1/staff/{account['id']}/tokens"
    wrong = registry.post(path, headers=service, json={"email": email()})
    assert wrong.status_code == 404
    assert registry.post(path, headers=admin, json={"email": address}).status_code == 403
    assert (
        registry.post("/v1/staff/lookup", headers=admin, json={"email": address}).status_code == 403
    )
    unknown = registry.post(
        f"/v1/staff/{uuid.uuid4()}/tokens", headers=service, json={"email": address}
    )
    assert unknown.status_code == 404


def test_removing_an_account_revokes_its_tokens_and_refuses_new_ones(
    registry, admin, service, services
):
    address = email()
    account = new_staff(registry, admin, address, "network")
    path = f"/v1/staff/{account['id']}/tokens"
    minted = created(registry.post(path, headers=service, json={"email": address}))
    assert registry.get("/v1/whoami", headers=bearer(minted["token"])).status_code == 200

    assert registry.delete(f"/v1/staff/{account['id']}", headers=admin).status_code == 204
    assert registry.delete(f"/v1/staff/{account['id']}", headers=admin).status_code == 204

    assert registry.get("/v1/whoami", headers=bearer(minted["token"])).status_code == 401
    assert registry.post(path, headers=service, json={"email": address}).status_code == 404
    found = registry.post("/v1/staff/lookup", headers=service, json={"email": address})
    assert found.json == {"accounts": []}
    assert [a for a, _ in audit_of(services, account["id"])] == ["create", "remove"]
    assert registry.delete(f"/v1/staff/{uuid.uuid4()}", headers=admin).status_code == 404


def test_the_service_token_revokes_a_minted_token_and_nothing_else(registry, admin, service):
    address = email()
    account = new_staff(registry, admin, address, "network")
    minted = created(
        registry.post(f"/v1/staff/{account['id']}/tokens", headers=service, json={"email": address})
    )
    other = headers_for(registry, admin, "network")
    other_id = registry.get("/v1/whoami", headers=other).json["token_id"]

    assert registry.delete(f"/v1/staff/tokens/{other_id}", headers=service).status_code == 404
    assert registry.get("/v1/whoami", headers=other).status_code == 200
    assert registry.delete(f"/v1/staff/tokens/{minted['id']}", headers=service).status_code == 204
    assert registry.get("/v1/whoami", headers=bearer(minted["token"])).status_code == 401
    listed = registry.get("/v1/tokens?limit=1000", headers=admin).json
    [revoked] = [t for t in listed if t["id"] == minted["id"]]
    assert revoked["staff_id"] == account["id"] and revoked["revoked_at"] is not None


def test_the_staff_of_a_closed_structure_can_no_longer_sign_in(registry, admin, service):
    structure = new_structure(registry, admin)
    address = email()
    account = new_staff(registry, admin, address, "structure", structure_id=structure["id"])
    path = f"/v1/staff/{account['id']}/tokens"
    minted = created(registry.post(path, headers=service, json={"email": address}))

    today = datetime.now(UTC).date().isoformat()
    closing = registry.patch(
        f"/v1/structures/{structure['id']}", headers=admin, json={"closed_on": today}
    )
    assert closing.status_code == 200, closing.json

    assert registry.get("/v1/whoami", headers=bearer(minted["token"])).status_code == 401
    found = registry.post("/v1/staff/lookup", headers=service, json={"email": address})
    assert found.json == {"accounts": []}
    assert registry.post(path, headers=service, json={"email": address}).status_code == 404


def test_the_same_account_added_at_once_by_two_admins_is_stored_once(registry, admin, settings):
    structure = new_structure(registry, admin)
    address = email()
    body = {"email": address, "scope": "structure", "structure_id": structure["id"]}

    def add(_: int) -> int:
        answer = requests.post(
            f"{settings.registry_url}/v1/staff", headers=admin, json=body, timeout=30
        )
        return answer.status_code

    with ThreadPoolExecutor(8) as pool:
        answers = sorted(pool.map(add, range(8)))
    assert answers == [201] + [409] * 7
    listed = registry.get("/v1/staff", headers=admin, query_string={"email": address})
    assert len(listed.json) == 1
