"""HTTP load clients (one per process, keep-alive sessions on loopback) and their pathways."""

from __future__ import annotations

import itertools
import random
import uuid
from datetime import date

import requests

from bench import payloads

EVENTS_PER_PATHWAY = 20


class PathwayWriter:
    """Writes pathways of 20 events in order: an opening, then support actions, all today."""

    def __init__(self, seed: int, structure_id: str, person_id=None):
        self.rng = random.Random(seed)
        self.structure_id = structure_id
        self.person_id = person_id or (lambda: str(uuid.uuid4()))
        self.pathway_id, self.version = str(uuid.uuid4()), 0

    def next_request(self) -> tuple[str, dict]:
        """The pathway id and body of the next single-event append."""
        if self.version == EVENTS_PER_PATHWAY:
            self.pathway_id, self.version = str(uuid.uuid4()), 0
        today = date.today()
        if self.version == 0:
            event = payloads.opened(self.structure_id, self.person_id(), today, self.rng)
        else:
            event = payloads.support_action(today)
        body = {"expected_version": self.version, "events": [event]}
        self.version += 1
        return self.pathway_id, body

    def batch(self, items: int) -> dict:
        """A batch body of `items` new pathways, each opened and given one support action."""
        today = date.today()
        return {
            "items": [
                {
                    "pathway_id": str(uuid.uuid4()),
                    "expected_version": 0,
                    "events": [
                        payloads.opened(self.structure_id, self.person_id(), today, self.rng),
                        payloads.support_action(today),
                    ],
                }
                for _ in range(items)
            ]
        }


def session(token: str | None) -> requests.Session:
    s = requests.Session()
    if token:
        s.headers["Authorization"] = f"Bearer {token}"
    return s


def check(response: requests.Response, expected: int) -> requests.Response:
    """Every load request must succeed: a fast error is not a measurement."""
    if response.status_code != expected:
        raise RuntimeError(
            f"{response.request.method} {response.url} answered "
            f"{response.status_code}: {response.text[:300]}"
        )
    return response


def bare_client(index: int, base_url: str, structure_id: str):
    """POST one event per request to the bare app."""
    s, writer = session(None), PathwayWriter(index, structure_id)
    s.headers["X-Structure-Id"] = structure_id  # stands for the token's structure

    def step() -> int:
        pathway_id, body = writer.next_request()
        check(s.post(f"{base_url}/events/{pathway_id}", json=body, timeout=30), 201)
        return 1

    return step, s.close


def person_pool(s: requests.Session, pathways_url: str, count: int, seed: int):
    """Persons created before the measured window (random ids when the API has no persons)."""
    rng, ids = random.Random(seed), []
    for _ in range(count):
        body = {
            "first_name": "Camille",
            "last_name": "Martin",
            "sex": rng.choice("FM"),
            "birth_date": f"19{rng.randrange(60, 99)}-0{rng.randrange(1, 10)}-1{rng.randrange(10)}",
        }
        r = s.post(f"{pathways_url}/v1/persons", json=body, timeout=30)
        ids.append(r.json()["id"] if r.status_code == 201 else str(uuid.uuid4()))
    cycle = itertools.cycle(ids)
    return lambda: next(cycle)


def append_client(index: int, pathways_url: str, token: str, structure_id: str, persons: int):
    """POST /v1/pathways/{id}/events, one event per request, as a structure's software does."""
    s = session(token)
    people = person_pool(s, pathways_url, persons, index)
    writer = PathwayWriter(index, structure_id, people)

    def step() -> int:
        pathway_id, body = writer.next_request()
        check(s.post(f"{pathways_url}/v1/pathways/{pathway_id}/events", json=body, timeout=30), 201)
        return 1

    return step, s.close


def batch_client(index: int, pathways_url: str, token: str, structure_id: str, events: int):
    """POST /v1/events/batch with `events` events per request (new pathways of two events)."""
    s = session(token)
    writer = PathwayWriter(index, structure_id, person_pool(s, pathways_url, 50, index))

    def step() -> int:
        body = writer.batch(events // 2)
        answer = check(s.post(f"{pathways_url}/v1/events/batch", json=body, timeout=120), 200)
        failed = [r for r in answer.json()["results"] if r["status"] != 201]
        if failed:
            raise RuntimeError(f"batch items refused: {failed[:2]}")
        return events

    return step, s.close
