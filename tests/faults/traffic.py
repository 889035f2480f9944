"""What fault, isolation and load tests send and check, over HTTP only: structures with tokens,
persons, pathways of an opening plus support actions, and a ledger of what each request got."""

from __future__ import annotations

import subprocess
import sys
import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import requests

from tests.faults.live_system import wait_until
from tests.pathways.pathways_support import opened, random_siret, support
from tests.support import (
    admin_token,
    bearer,  # noqa: F401 (re-exported for the tests here)
)

PERIOD = {"from": f"{date.today().year - 1}-01-01", "to": date.today().isoformat()}
IDENTITY = {"first_name": "Camille", "last_name": "Martin", "birth_date": "1990-05-17", "sex": "F"}


@dataclass(frozen=True)
class Org:
    """A structure of the registry and a structure token for it."""

    id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


def created(response: requests.Response) -> dict:
    assert response.status_code == 201, (response.status_code, response.text)
    return response.json()


def make_token(registry_url: str, admin: dict, **scope) -> dict:
    return created(
        requests.post(
            f"{registry_url}/v1/tokens", headers=admin, timeout=10, json={"label": "essai", **scope}
        )
    )


def make_org(registry_url: str, admin: dict, kind: str = "ACI", department: str = "35") -> Org:
    structure = created(
        requests.post(
            f"{registry_url}/v1/structures",
            headers=admin,
            timeout=10,
            json={
                "siret": random_siret(),
                "name": f"Structure {kind}",
                "kind": kind,
                "department": department,
            },
        )
    )
    token = make_token(registry_url, admin, scope="structure", structure_id=structure["id"])
    return Org(structure["id"], token["token"])


def make_person(pathways_url: str, org: Org, **identity) -> str:
    return created(
        requests.post(
            f"{pathways_url}/v1/persons",
            headers=org.headers,
            timeout=10,
            json={**IDENTITY, **identity},
        )
    )["id"]


# The event builders of the pathways tests serve here too: one definition of a valid opening.
opening = opened


def new_pathway(org: Org, person_id: str, supports: int = 1) -> tuple[str, list[dict]]:
    """A fresh pathway id and the events of its first append: the opening and support actions."""
    return str(uuid.uuid4()), [opening(org, person_id)] + [support() for _ in range(supports)]


@dataclass
class Ledger:
    """Every append sent, and the events of the answers that were a success (2xx)."""

    sent: set[str] = field(default_factory=set)  # distinct event ids sent
    accepted: dict[str, dict] = field(default_factory=dict)  # event id → event
    pathways: set[str] = field(default_factory=set)
    statuses: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, pathway_id: str, events: list[dict], status: int | str) -> None:
        with self.lock:
            self.sent.update(e["id"] for e in events)
            self.statuses[status] += 1
            if isinstance(status, int) and 200 <= status < 300:
                self.accepted.update({e["id"]: e for e in events})
                self.pathways.add(pathway_id)

    def supports(self) -> int:
        return sum(e["type"] == "support_action_recorded" for e in self.accepted.values())


def post_append(
    pathways_url: str,
    org: Org,
    pathway_id: str,
    events: list[dict],
    ledger: Ledger | None = None,
    timeout: float = 15,
) -> int | str:
    """POST the events; the status, or the name of the client-side error."""
    try:
        status: int | str = requests.post(
            f"{pathways_url}/v1/pathways/{pathway_id}/events",
            headers=org.headers,
            json={"events": events},
            timeout=timeout,
        ).status_code
    except requests.RequestException as exc:
        status = type(exc).__name__
    if ledger is not None:
        ledger.record(pathway_id, events, status)
    return status


def logged_event_ids(system, structure_id: str) -> list[str]:
    rows = system.sql(
        "pathways", "SELECT event_id FROM events WHERE structure_id = :s", s=structure_id
    )
    return [str(r.event_id) for r in rows]


def outcome_report(reporting_url: str, headers: dict, structure_id: str) -> dict:
    params = {**PERIOD, "structure_id": structure_id}
    answer = requests.get(
        f"{reporting_url}/v1/reports/outcomes", headers=headers, params=params, timeout=30
    )
    assert answer.status_code == 200, (answer.status_code, answer.text)
    body = answer.json()
    body.pop("generated_at")
    return body


def head_position(system) -> int:
    return system.sql("pathways", "SELECT coalesce(max(position), 0) AS p FROM events")[0].p


def rebuild_outcomes(system) -> None:
    """The operator's rebuild command, run to its end."""
    done = subprocess.run(
        [sys.executable, "-m", "services.reporting.cli", "rebuild", "outcomes"],
        env=system.env,
        cwd=system.env["PYTHONPATH"],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-2000:]


def assert_log_holds_exactly(system, org: Org, ledger: Ledger, tally: Counter) -> None:
    """The log holds every event that got a 2xx, once, and nothing else of this structure."""
    logged = logged_event_ids(system, org.id)
    tally["sent"] += len(ledger.sent)
    tally["accepted"] += len(ledger.accepted)
    tally["in_log"] += len(logged)
    assert len(logged) == len(set(logged))
    assert sorted(logged) == sorted(ledger.accepted)


def caught_up_report(system, org: Org, timeout: float = 90) -> dict:
    """The structure's report once the projections include the whole log."""
    head, admin = head_position(system), bearer(admin_token(system.settings))
    url = system.url("reporting")
    found: dict = {}

    def caught_up() -> bool:
        found.update(outcome_report(url, admin, org.id))
        return found["as_of_position"] >= head

    wait_until(caught_up, timeout, f"reports at position {head}", every=0.5)
    return found


def assert_reports_match_log(system, org: Org, ledger: Ledger, tally: Counter) -> None:
    """Reports count every accepted event once, and equal a rebuild from the log."""
    report = caught_up_report(system, org)
    total = report["total"]
    tally["in_reports"] += total["entries"] + total["support_actions"]
    assert total["entries"] == len(ledger.pathways)
    assert total["support_actions"] == ledger.supports()
    rebuild_outcomes(system)
    assert caught_up_report(system, org) == report


class Ingest(threading.Thread):
    """Appends new pathways one after the other, from a thread, until stopped."""

    def __init__(self, pathways_url: str, org: Org, persons: list[str], ledger: Ledger):
        super().__init__(daemon=True)
        self.args = (pathways_url, org, persons, ledger)
        self.halt = threading.Event()
        self.failed: list[tuple[str, list[dict]]] = []  # appends without a 2xx, to retry

    def run(self) -> None:
        url, org, persons, ledger = self.args
        n = 0
        while not self.halt.is_set():
            pathway_id, events = new_pathway(org, persons[n % len(persons)], supports=2)
            status = post_append(url, org, pathway_id, events, ledger, timeout=10)
            if not (isinstance(status, int) and 200 <= status < 300):
                self.failed.append((pathway_id, events))
            n += 1

    def __enter__(self) -> Ingest:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.halt.set()
        self.join(30)


def post_batch(
    pathways_url: str,
    org: Org,
    items: list[tuple[str, list[dict]]],
    ledger: Ledger,
    timeout: float = 60,
) -> int:
    """POST /v1/events/batch; each item is recorded with its own status."""
    body = {"items": [{"pathway_id": p, "events": events} for p, events in items]}
    answer = requests.post(
        f"{pathways_url}/v1/events/batch", headers=org.headers, json=body, timeout=timeout
    )
    results = answer.json()["results"] if answer.status_code == 200 else []
    for (pathway_id, events), result in zip(items, results, strict=True):
        ledger.record(pathway_id, events, result["status"])
    return answer.status_code


def backlog(pathways_url: str, org: Org, persons: list[str], ledger: Ledger, n: int) -> None:
    """`n` new pathways appended in batches of 100, all accepted."""
    for start in range(0, n, 100):
        items = [
            new_pathway(org, persons[i % len(persons)], supports=2)
            for i in range(start, min(n, start + 100))
        ]
        assert post_batch(pathways_url, org, items, ledger) == 200
    assert set(ledger.statuses) == {201}, ledger.statuses


def checkpoint(system, name: str = "outcomes") -> int:
    rows = system.sql(
        "reporting", "SELECT position FROM projection_checkpoints WHERE name = :n", n=name
    )
    return rows[0].position
