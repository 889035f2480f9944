"""Data for the dashboard's tests, written through the real HTTP APIs (registry, then pathways)."""

from __future__ import annotations

import random
import re
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from tests.support import bearer, run_worker


def luhn_siret() -> str:
    """A random SIRET with a valid Luhn key (docs/domain.md §2), unique per test session."""
    digits = [random.randint(0, 9) for _ in range(13)]
    for check in range(10):
        candidate = digits + [check]
        total = sum(_luhn_digit(d, i) for i, d in enumerate(reversed(candidate)))
        if total % 10 == 0:
            return "".join(map(str, candidate))
    raise AssertionError("unreachable: one key digit always satisfies Luhn")


def _luhn_digit(digit: int, index: int) -> int:
    if index % 2 == 0:
        return digit
    doubled = digit * 2
    return doubled - 9 if doubled > 9 else doubled


@dataclass
class Seeded:
    structure_id: str
    token: str
    name: str


def structure(registry, admin, *, kind: str = "ACI", department: str = "35") -> Seeded:
    """A new structure and a structure-scoped token for it."""
    name = f"{kind} test {uuid.uuid4().hex[:6]}"
    created = registry.post(
        "/v1/structures",
        headers=admin,
        json={"siret": luhn_siret(), "name": name, "kind": kind, "department": department},
    )
    assert created.status_code == 201, created.json
    structure_id = created.json["id"]
    secret = token(registry, admin, "structure", structure_id=structure_id)
    return Seeded(structure_id, secret, name)


def token(registry, admin, scope: str, **bound) -> str:
    answer = registry.post(
        "/v1/tokens", headers=admin, json={"scope": scope, "label": f"tableau {scope}", **bound}
    )
    assert answer.status_code == 201, answer.json
    return answer.json["token"]


def group(registry, admin) -> str:
    """A new GES (its token must be bound to a group the registry knows)."""
    created = registry.post(
        "/v1/groups", headers=admin, json={"name": f"GES {uuid.uuid4().hex[:6]}"}
    )
    assert created.status_code == 201, created.json
    return created.json["id"]


def person(pathways, seeded: Seeded) -> str:
    """A person created by the structure (the pathways service validates the identity)."""
    created = pathways.post(
        "/v1/persons",
        headers=bearer(seeded.token),
        json={
            "first_name": "Camille",
            "last_name": "Martin",
            "birth_date": "1990-04-12",
            "sex": "F",
        },
    )
    if created.status_code == 404:  # the foundation's pathways service has no identity vault yet
        return str(uuid.uuid4())
    assert created.status_code == 201, created.json
    return created.json["id"]


def pathway(
    pathways, seeded: Seeded, opened_on: date, exit_on: date | None = None, reason: str = "cdi"
) -> int:
    """Open a pathway (and exit it for `reason` when `exit_on` is given); the last position.

    An exiting person is hired at the opening and has the opening month's hours declared, so
    that the exit counts by the State's rule once 3 months have passed (docs/domain.md §8)."""
    events = [
        _event(
            "pathway_opened",
            opened_on,
            {
                "person_id": person(pathways, seeded),
                "structure_id": seeded.structure_id,
                "orienteur": "03",
                "eligibility": {"diagnosed_by": "prescriber", "criteria": ["RSA"]},
            },
        )
    ]
    if exit_on:
        contract = str(uuid.uuid4())
        events += [
            _event(
                "contract_started",
                opened_on,
                {
                    "contract_id": contract,
                    "contract_type": "CDDI",
                    "start_on": opened_on.isoformat(),
                    "planned_end_on": (opened_on + timedelta(days=364)).isoformat(),
                    "weekly_hours": 26,
                },
            ),
            _event(
                "hours_worked_recorded",
                opened_on + timedelta(days=20),
                {"month": opened_on.strftime("%Y-%m"), "hours": 80},
            ),
            _event(
                "contract_ended",
                exit_on,
                {"contract_id": contract, "ended_on": exit_on.isoformat(), "reason": "term"},
            ),
            _event("pathway_exited", exit_on, {"reason": reason}),
        ]
    answer = pathways.post(
        f"/v1/pathways/{uuid.uuid4()}/events",
        headers=bearer(seeded.token),
        json={"expected_version": 0, "events": events},
    )
    assert answer.status_code == 201, answer.json
    return answer.json["events"][-1]["position"]


def _event(kind: str, on: date, data: dict) -> dict:
    return {"id": str(uuid.uuid4()), "type": kind, "occurred_on": on.isoformat(), "data": data}


SETTLE_SECONDS = 60  # the feed holds events back while any older transaction of the server runs


def settle(settings, reporting, admin, position: int) -> None:
    """Serve the nudges, copy the registry's reference data, then catch up until the report
    API answers as of `position`."""
    from services.reporting.catchup import worker

    run_worker(settings)
    worker.sweep_once()
    deadline = time.monotonic() + SETTLE_SECONDS
    while _as_of(reporting, admin) < position:
        assert time.monotonic() < deadline, f"projections never reached position {position}"
        time.sleep(0.2)
        worker.sweep_once()


def _as_of(reporting, admin) -> int:
    answer = reporting.get("/v1/reports/outcomes", headers=admin)
    assert answer.status_code == 200, answer.json
    return answer.json["as_of_position"]


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def sign_in(client, token_value: str):
    """Sign a test client in through the real form, CSRF token included."""
    page = client.get("/")
    return client.post(
        "/sign-in", data={"token": token_value, "csrf_token": csrf_of(page.get_data(as_text=True))}
    )
