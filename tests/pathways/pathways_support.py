"""Helpers of the pathways integration tests: structures with their tokens, persons, builders of
request bodies, all through the real HTTP APIs of the live services."""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from shared.domain.identifiers import luhn_ok
from tests.support import bearer  # noqa: F401 (re-exported for the tests here)

OPENED_ON = date.today() - timedelta(days=200)


@dataclass(frozen=True)
class Org:
    """A structure of the registry and a structure token for it."""

    id: str
    kind: str
    headers: dict[str, str]


def random_siret() -> str:
    """A valid SIRET nobody else uses (Luhn key found by trying the last digit)."""
    stem = "".join(random.choice("0123456789") for _ in range(13))
    return next(stem + d for d in "0123456789" if luhn_ok(stem + d))


def make_org(registry, admin, kind: str = "ACI") -> Org:
    created = registry.post(
        "/v1/structures",
        headers=admin,
        json={
            "siret": random_siret(),
            "name": f"Structure {kind}",
            "kind": kind,
            "department": "35",
        },
    )
    assert created.status_code == 201, created.json
    structure_id = created.json["id"]
    token = registry.post(
        "/v1/tokens",
        headers=admin,
        json={"scope": "structure", "structure_id": structure_id, "label": "logiciel"},
    )
    assert token.status_code == 201, token.json
    return Org(structure_id, kind, bearer(token.json["token"]))


IDENTITY = {"first_name": "Camille", "last_name": "Martin", "birth_date": "1990-05-17", "sex": "F"}


def create_person(pathways, org: Org, **identity) -> str:
    created = pathways.post("/v1/persons", headers=org.headers, json={**IDENTITY, **identity})
    assert created.status_code == 201, created.json
    return created.json["id"]


def event(event_type: str, data: dict, on: date = OPENED_ON, id: str | None = None) -> dict:
    return {
        "id": id or str(uuid.uuid4()),
        "type": event_type,
        "occurred_on": on.isoformat(),
        "data": data,
    }


def opened(org: Org, person_id: str, on: date = OPENED_ON, **data) -> dict:
    return event(
        "pathway_opened",
        {
            "person_id": person_id,
            "structure_id": org.id,
            "orienteur": "03",
            "eligibility": {"diagnosed_by": "prescriber", "criteria": ["RSA"]},
            **data,
        },
        on,
    )


def support(on: date = OPENED_ON + timedelta(days=1)) -> dict:
    return event(
        "support_action_recorded",
        {"domain": "social", "topic": "logement", "delivery": "internal"},
        on,
    )


def contract(start_on: date = OPENED_ON + timedelta(days=2), hours: float = 26) -> dict:
    return event(
        "contract_started",
        {
            "contract_id": str(uuid.uuid4()),
            "contract_type": "CDDI",
            "start_on": start_on.isoformat(),
            "planned_end_on": (start_on + timedelta(days=180)).isoformat(),
            "weekly_hours": hours,
        },
        start_on,
    )


def append(pathways, org: Org, pathway_id: str, events: list[dict], expected=None):
    body: dict = {"events": events}
    if expected is not None:
        body["expected_version"] = expected
    return pathways.post(f"/v1/pathways/{pathway_id}/events", headers=org.headers, json=body)


def open_pathway(pathways, org: Org, person_id: str, *more: dict) -> tuple[str, dict]:
    """A new pathway for the person, opened (and given `more` events); its id and answer."""
    pathway_id = str(uuid.uuid4())
    answer = append(pathways, org, pathway_id, [opened(org, person_id), *more], expected=0)
    assert answer.status_code == 201, answer.json
    return pathway_id, answer.json


def poll_feed(pathways, headers, after: int, limit: int = 1000) -> dict:
    """The first non-empty feed page after `after` (other transactions may delay it a little)."""
    deadline = time.monotonic() + 30
    page = pathways.get(f"/v1/feed?after={after}&limit={limit}", headers=headers).json
    while not page["events"] and time.monotonic() < deadline:
        time.sleep(0.05)
        page = pathways.get(f"/v1/feed?after={after}&limit={limit}", headers=headers).json
    return page
