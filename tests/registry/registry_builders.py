"""Builders for registry tests: random valid SIRETs, and structures, groups and scoped tokens
created through the HTTP API (a plain module, so that `conftest` stays the root one)."""

from __future__ import annotations

import random
import uuid

from shared.domain.identifiers import luhn_ok
from tests.support import bearer  # noqa: F401 (re-exported for the tests here)


def new_siret(prefix: str = "") -> str:
    """A random SIRET with a valid Luhn key (random, so tests never collide)."""
    body = prefix + "".join(random.choices("0123456789", k=13 - len(prefix)))
    return next(body + d for d in "0123456789" if luhn_ok(body + d))


def structure_body(**fields) -> dict:
    return {
        "siret": new_siret(),
        "name": f"Structure {uuid.uuid4().hex[:8]}",
        "kind": "ACI",
        "department": "35",
        **fields,
    }


def created(answer, status: int = 201) -> dict:
    assert answer.status_code == status, answer.json
    return answer.json


def new_structure(client, admin: dict, **fields) -> dict:
    return created(client.post("/v1/structures", headers=admin, json=structure_body(**fields)))


def new_group(client, admin: dict, name: str | None = None) -> dict:
    body = {"name": name or f"GES {uuid.uuid4().hex[:8]}"}
    return created(client.post("/v1/groups", headers=admin, json=body))


def new_token(client, admin: dict, scope: str, **ids) -> dict:
    """A fresh token of that scope: the whole creation answer (id, token, ...)."""
    body = {"scope": scope, "label": f"jeton {scope}", **{k: str(v) for k, v in ids.items()}}
    return created(client.post("/v1/tokens", headers=admin, json=body))


def headers_for(client, admin: dict, scope: str, **ids) -> dict:
    return bearer(new_token(client, admin, scope, **ids)["token"])


def join(client, admin: dict, group_id: str, structure_id: str, joined_on: str) -> dict:
    answer = client.put(
        f"/v1/groups/{group_id}/members/{structure_id}",
        headers=admin,
        json={"joined_on": joined_on},
    )
    return created(answer, 200)


def leave(client, admin: dict, group_id: str, structure_id: str, left_on: str) -> dict:
    answer = client.post(
        f"/v1/groups/{group_id}/members/{structure_id}/leave",
        headers=admin,
        json={"left_on": left_on},
    )
    return created(answer, 200)
