"""A small world for the isolation tests: structures A (member of group G, with an annexe
financière) and B, both in Ille-et-Vilaine (35), a token for every scope (a revoked one too, and
a territory token of another département), a person and a pathway of A, through the real APIs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from isolation_support import ANNEX_YEAR, annex_number
from sqlalchemy import create_engine, text

from shared.domain.identifiers import nir_key
from tests.faults.traffic import IDENTITY, Org, opening, random_siret, support

SCOPES = (
    "admin",
    "network",
    "group",
    "structure_a",
    "structure_b",
    "territory",
    "territory_far",
    "service",
    "bootstrap",
    "revoked",
    "expired",
    "none",
)


def valid_nir() -> str:
    """A NIR agreeing with IDENTITY (a woman born in May 1990), unique to this run."""
    stem = f"2900535{uuid.uuid4().int % 10**6:06d}"
    return stem + f"{nir_key(stem):02d}"


@dataclass
class World:
    clients: dict
    structure_a: str
    structure_b: str
    group: str
    person_a: str
    pathway_a: str
    joined_on: str
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    identity: dict = field(default_factory=dict)
    annex_a: str = ""

    def client(self, service: str):
        return self.clients[service]


def _created(response) -> dict:
    assert response.status_code == 201, (response.status_code, response.get_data(as_text=True))
    return response.json


def _structure(registry, admin) -> str:
    return _created(
        registry.post(
            "/v1/structures",
            headers=admin,
            json={"siret": random_siret(), "name": "Structure", "kind": "ACI", "department": "35"},
        )
    )["id"]


def _annex(registry, admin, structure_id: str) -> str:
    body = {
        "number": annex_number(),
        "measure": "ACI_DC",
        "state": "VALIDE",
        "starts_on": f"{ANNEX_YEAR}-01-01",
        "ends_on": f"{ANNEX_YEAR}-12-31",
        "etp_conventioned": 6,
    }
    path = f"/v1/structures/{structure_id}/annexes"
    return _created(registry.post(path, headers=admin, json=body))["id"]


def _token(registry, admin, **scope) -> tuple[str, str]:
    body = _created(registry.post("/v1/tokens", headers=admin, json={"label": "essai", **scope}))
    return body["id"], body["token"]


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _expired_token(settings, registry, admin, structure_id: str) -> str:
    """A structure token of A that expired today at 00:00 UTC: created for tomorrow (a past date
    is refused), then its date moved back in the registry's database."""
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    body = {"scope": "structure", "structure_id": structure_id, "expires_on": tomorrow}
    token_id, token = _token(registry, admin, **body)
    engine = create_engine(settings.database_url_for("registry"))
    try:
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE tokens SET expires_on = CURRENT_DATE - 1 WHERE id = :id"),
                {"id": token_id},
            )
    finally:
        engine.dispose()
    return token


def _staff_token(registry, admin, service, target: dict) -> str:
    """What the dashboard holds for a person signed in as a staff account of that scope: the
    token the registry mints for the account, at the reporting service's request."""
    email = f"agent.{uuid.uuid4().hex[:10]}@exemple.fr"
    account = _created(registry.post("/v1/staff", headers=admin, json={"email": email, **target}))
    path = f"/v1/staff/{account['id']}/tokens"
    return _created(registry.post(path, headers=service, json={"email": email}))["token"]


def _catch_up(settings) -> None:
    """What the reporting worker does on a nudge: copy the registry's data and the events."""
    from services.reporting.catchup import jobs

    jobs.configure(settings)
    jobs.catch_up("reference")
    jobs.catch_up("all")


@pytest.fixture(scope="session")
def world(settings, registry, pathways, reporting, admin) -> World:
    a, b = _structure(registry, admin), _structure(registry, admin)
    group = _created(registry.post("/v1/groups", headers=admin, json={"name": "GES"}))["id"]
    joined_on = (date.today() - timedelta(days=400)).isoformat()
    joined = registry.put(
        f"/v1/groups/{group}/members/{a}", headers=admin, json={"joined_on": joined_on}
    )
    assert joined.status_code == 200, joined.json
    tokens = {
        "network": _token(registry, admin, scope="network")[1],
        "group": _token(registry, admin, scope="group", group_id=group)[1],
        "structure_a": _token(registry, admin, scope="structure", structure_id=a)[1],
        "structure_b": _token(registry, admin, scope="structure", structure_id=b)[1],
        # A and B lie in Ille-et-Vilaine (35); the far territory sees neither.
        "territory": _token(registry, admin, scope="territory", department="35")[1],
        "territory_far": _token(registry, admin, scope="territory", department="29")[1],
    }
    revoked_id, tokens["revoked"] = _token(registry, admin, scope="structure", structure_id=a)
    assert registry.delete(f"/v1/tokens/{revoked_id}", headers=admin).status_code == 204
    tokens["expired"] = _expired_token(settings, registry, admin, a)
    tokens["service"] = settings.service_token
    tokens["bootstrap"] = settings.admin_token
    headers = {"admin": admin, "none": {}, **{k: _headers(v) for k, v in tokens.items()}}
    targets = {
        "admin": {"scope": "admin"},
        "network": {"scope": "network"},
        "group": {"scope": "group", "group_id": group},
        "structure_a": {"scope": "structure", "structure_id": a},
        "structure_b": {"scope": "structure", "structure_id": b},
        "territory": {"scope": "territory", "department": "35"},
        "territory_far": {"scope": "territory", "department": "29"},
    }
    for name, target in targets.items():
        headers[f"staff_{name}"] = _headers(
            _staff_token(registry, admin, headers["service"], target)
        )
    identity = {
        **IDENTITY,
        "first_name": "Zéphirine",
        "last_name": "Quintessa-Vauclair",
        "nir": valid_nir(),
    }
    person = _created(pathways.post("/v1/persons", headers=headers["structure_a"], json=identity))[
        "id"
    ]
    pathway = str(uuid.uuid4())
    org = Org(a, tokens["structure_a"])
    _created(
        pathways.post(
            f"/v1/pathways/{pathway}/events",
            headers=headers["structure_a"],
            json={"events": [opening(org, person), support()]},
        )
    )
    _catch_up(settings)
    clients = {"registry": registry, "pathways": pathways, "reporting": reporting}
    world = World(clients, a, b, group, person, pathway, joined_on, headers, identity)
    world.annex_a = _annex(registry, admin, a)
    return world
