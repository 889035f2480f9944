"""Tokens through the HTTP API: shown once, stored hashed, bound to what exists, revocable."""

from __future__ import annotations

import uuid

import pytest
from registry_builders import bearer, new_group, new_structure, new_token
from sqlalchemy import text


def test_a_new_token_is_shown_once_with_its_scope(registry, admin):
    structure = new_structure(registry, admin)
    answer = registry.post(
        "/v1/tokens",
        headers=admin,
        json={"scope": "structure", "structure_id": structure["id"], "label": "logiciel"},
    )
    assert answer.status_code == 201
    assert answer.json["token"].startswith("iae_" + uuid.UUID(answer.json["id"]).hex + "_")
    assert {k: answer.json[k] for k in ("scope", "structure_id", "group_id", "label")} == {
        "scope": "structure",
        "structure_id": structure["id"],
        "group_id": None,
        "label": "logiciel",
    }


def test_the_token_list_never_shows_a_secret(registry, admin):
    token = new_token(registry, admin, "network")
    listed = registry.get("/v1/tokens?limit=1000", headers=admin)
    assert listed.status_code == 200
    entry = next(t for t in listed.json if t["id"] == token["id"])
    assert "token" not in entry and token["token"] not in listed.get_data(as_text=True)


def test_only_a_hash_of_the_secret_is_stored(registry, admin, services):
    token = new_token(registry, admin, "network")
    with services["registry"].app.extensions["iae_engine"].connect() as conn:
        stored = conn.execute(
            text("SELECT secret_hash FROM tokens WHERE id = :i"), {"i": token["id"]}
        ).scalar_one()
    assert stored.startswith("$argon2id$") and token["token"].split("_", 2)[2] not in stored


@pytest.mark.parametrize("scope", ["admin", "network"])
def test_whoami_answers_an_unbound_token(registry, admin, scope):
    token = new_token(registry, admin, scope)
    answer = registry.get("/v1/whoami", headers=bearer(token["token"]))
    assert answer.json == {
        "scope": scope,
        "structure_id": None,
        "group_id": None,
        "token_id": token["id"],
        "department": None,
        "region": None,
        "expires_on": None,
        "staff_id": None,
        "expires_at": None,
    }


def test_whoami_answers_a_group_token_with_its_group(registry, admin):
    group = new_group(registry, admin)
    token = new_token(registry, admin, "group", group_id=group["id"])
    answer = registry.get("/v1/whoami", headers=bearer(token["token"]))
    assert (answer.json["scope"], answer.json["group_id"]) == ("group", group["id"])


def test_a_structure_token_needs_a_structure(registry, admin):
    answer = registry.post("/v1/tokens", headers=admin, json={"scope": "structure", "label": "x"})
    assert answer.status_code == 422 and list(answer.json["errors"]) == ["structure_id"]


def test_a_token_bound_to_an_unknown_structure_is_refused(registry, admin):
    answer = registry.post(
        "/v1/tokens",
        headers=admin,
        json={"scope": "structure", "structure_id": str(uuid.uuid4()), "label": "x"},
    )
    assert answer.status_code == 422 and list(answer.json["errors"]) == ["structure_id"]


def test_a_token_bound_to_an_unknown_group_is_refused(registry, admin):
    answer = registry.post(
        "/v1/tokens",
        headers=admin,
        json={"scope": "group", "group_id": str(uuid.uuid4()), "label": "x"},
    )
    assert answer.status_code == 422 and list(answer.json["errors"]) == ["group_id"]


def test_a_network_token_cannot_be_bound_to_a_group(registry, admin):
    group = new_group(registry, admin)
    answer = registry.post(
        "/v1/tokens",
        headers=admin,
        json={"scope": "network", "group_id": group["id"], "label": "x"},
    )
    assert answer.status_code == 422 and list(answer.json["errors"]) == ["group_id"]


def test_a_label_with_a_nul_character_is_refused(registry, admin):
    answer = registry.post(
        "/v1/tokens", headers=admin, json={"scope": "network", "label": "\u0000"}
    )
    assert answer.status_code == 422 and list(answer.json["errors"]) == ["label"]


def test_an_unknown_scope_is_refused(registry, admin):
    answer = registry.post("/v1/tokens", headers=admin, json={"scope": "root", "label": "x"})
    assert answer.status_code == 422 and list(answer.json["errors"]) == ["scope"]


def test_a_revoked_token_is_refused_by_the_registry_at_once(registry, admin):
    token = new_token(registry, admin, "network")
    headers = bearer(token["token"])
    assert registry.get("/v1/whoami", headers=headers).status_code == 200
    assert registry.delete(f"/v1/tokens/{token['id']}", headers=admin).status_code == 204
    assert registry.get("/v1/whoami", headers=headers).status_code == 401


def test_a_revoked_token_is_listed_with_its_revocation_time(registry, admin):
    token = new_token(registry, admin, "network")
    registry.delete(f"/v1/tokens/{token['id']}", headers=admin)
    listed = registry.get("/v1/tokens?limit=1000", headers=admin).json
    assert next(t for t in listed if t["id"] == token["id"])["revoked_at"] is not None


def test_revoking_twice_is_harmless(registry, admin):
    token = new_token(registry, admin, "network")
    registry.delete(f"/v1/tokens/{token['id']}", headers=admin)
    assert registry.delete(f"/v1/tokens/{token['id']}", headers=admin).status_code == 204


def test_revoking_an_unknown_token_answers_404(registry, admin):
    assert registry.delete(f"/v1/tokens/{uuid.uuid4()}", headers=admin).status_code == 404


def test_a_token_with_a_wrong_secret_is_refused(registry, admin):
    token = new_token(registry, admin, "admin")
    forged = token["token"][:-4] + ("AAAA" if not token["token"].endswith("AAAA") else "BBBB")
    assert registry.get("/v1/whoami", headers=bearer(forged)).status_code == 401


@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer iae_zz_zz", "Basic abc", ""])
def test_a_malformed_or_unknown_token_answers_401(registry, header):
    answer = registry.get("/v1/whoami", headers={"Authorization": header} if header else {})
    assert answer.status_code == 401 and answer.mimetype == "application/problem+json"
