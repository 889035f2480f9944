"""The peer: the `eventsourcing` library's PostgreSQL store, driven like our command handlers
(load the pathway, decide, save one new event), on the same PostgreSQL server."""

from __future__ import annotations

import random
import uuid
from datetime import date
from typing import Any

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from sqlalchemy.engine import make_url

from bench import payloads

EVENTS_PER_PATHWAY = 20


class Pathway(Aggregate):
    """A pathway as the peer stores it: the same payloads as our log carries."""

    @event("Opened")
    def __init__(self, occurred_on: str, data: dict):
        self.opened_on = occurred_on
        self.events = 1

    @event("Recorded")
    def record(self, kind: str, occurred_on: str, data: dict) -> None:
        self.events += 1


class Pathways(Application):
    """One eventsourcing application, snapshots off, its tables in the peer's own database."""


def environment(url: str) -> dict[str, str]:
    parsed = make_url(url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": parsed.database or "postgres",
        "POSTGRES_HOST": parsed.host or "127.0.0.1",
        "POSTGRES_PORT": str(parsed.port or 5432),
        "POSTGRES_USER": parsed.username or "postgres",
        "POSTGRES_PASSWORD": parsed.password or "",
        "POSTGRES_POOL_SIZE": "2",
        "CREATE_TABLE": "y",
    }


def create_tables(url: str) -> None:
    """Let the library create its tables once, before writers race to do it."""
    Pathways(env=environment(url)).close()


def writer(index: int, url: str):
    """Open a pathway, then load it and save one event at a time, 20 events a pathway."""
    app, rng = Pathways(env={**environment(url), "CREATE_TABLE": "n"}), random.Random(index)
    state: dict[str, Any] = {"id": None, "events": EVENTS_PER_PATHWAY}
    structure_id = str(uuid.uuid4())

    def step() -> int:
        today = date.today()
        if state["events"] == EVENTS_PER_PATHWAY:
            opening = payloads.opened(structure_id, str(uuid.uuid4()), today, rng)
            pathway = Pathway(opening["occurred_on"], opening["data"])
            state.update(id=pathway.id, events=1)
        else:
            pathway = app.repository.get(state["id"])
            action = payloads.support_action(today)
            pathway.record(action["type"], action["occurred_on"], action["data"])
            state["events"] += 1
        app.save(pathway)
        return 1

    return step, app.close
