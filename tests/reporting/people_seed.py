"""People of one structure for the « Mes salariés » tests, written through the real APIs: each
person has a name unique to the test session, so that a test can look for it anywhere."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from tests.reporting import dashboard_seed as seed
from tests.support import bearer

TODAY = date.today()
OPENED = TODAY.replace(day=1) - relativedelta(months=8)


@dataclass
class Person:
    pathway_id: str
    person_id: str
    name: str
    events: dict = field(default_factory=dict)
    version: int = 0
    position: int = 0


def new_person(pathways, structure: seed.Seeded, first: str | None = None) -> tuple[str, str]:
    """A person with a name no other test uses; (person id, « Prénom Nom »)."""
    first = first or "Prénom"
    last = f"Nomtest{uuid.uuid4().hex[:10]}"
    created = pathways.post(
        "/v1/persons",
        headers=bearer(structure.token),
        json={"first_name": first, "last_name": last, "birth_date": "1988-02-10", "sex": "F"},
    )
    assert created.status_code == 201, created.json
    return created.json["id"], f"{first} {last}"


def event(kind: str, on: date, data: dict) -> dict:
    return {"id": str(uuid.uuid4()), "type": kind, "occurred_on": on.isoformat(), "data": data}


def opening(person_id: str, structure: seed.Seeded, pass_start: date | None = None) -> dict:
    data = {
        "person_id": person_id,
        "structure_id": structure.structure_id,
        "orienteur": "03",
        "eligibility": {"diagnosed_by": "prescriber", "criteria": ["RSA", "DELD"]},
    }
    if pass_start:
        data["pass_iae"] = {"number": "999990000042", "start_on": pass_start.isoformat()}
    return event("pathway_opened", OPENED, data)


def contract(start: date, end: date | None, kind: str = "CDDI") -> dict:
    data = {
        "contract_id": str(uuid.uuid4()),
        "contract_type": kind,
        "start_on": start.isoformat(),
        "weekly_hours": 26,
    }
    if end:
        data["planned_end_on"] = end.isoformat()
    return event("contract_started", start, data)


def month_hours(months_ago: int, hours: float) -> dict:
    month = TODAY.replace(day=1) - relativedelta(months=months_ago)
    return event(
        "hours_worked_recorded",
        month + timedelta(days=27),
        {"month": month.strftime("%Y-%m"), "hours": hours},
    )


def append(pathways, structure: seed.Seeded, person: Person, events: list[dict]) -> Person:
    answer = pathways.post(
        f"/v1/pathways/{person.pathway_id}/events",
        headers=bearer(structure.token),
        json={"expected_version": person.version, "events": events},
    )
    assert answer.status_code == 201, answer.json
    person.version = answer.json["version"]
    person.position = answer.json["events"][-1]["position"]
    person.events.update({e["type"]: e["id"] for e in events})
    return person


def open_person(pathways, structure: seed.Seeded, *events: dict, pass_start=None) -> Person:
    person_id, name = new_person(pathways, structure)
    person = Person(str(uuid.uuid4()), person_id, name)
    return append(pathways, structure, person, [opening(person_id, structure, pass_start), *events])
