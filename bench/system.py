"""The project's own write path, in-process: the pathways store, one event per transaction."""

from __future__ import annotations

import random
import uuid
from datetime import date

from bench import clients
from services.pathways import store
from shared import db


def _new_event(event: dict) -> store.NewEvent:
    return store.NewEvent(
        uuid.UUID(event["id"]),
        event["type"],
        date.fromisoformat(event["occurred_on"]),
        event["data"],
    )


def store_writer(index: int, url: str):
    """Read the pathway's version, append one event after it, commit: the API's unit of work."""
    engine = db.make_engine(url, pool_size=1)
    structure_id = uuid.uuid4()
    writer = clients.PathwayWriter(random.Random(index).randrange(10**9), str(structure_id))
    metadata = {"token_id": str(uuid.uuid4()), "request_id": "bench"}

    def step() -> int:
        pathway_id, body = writer.next_request()
        pid = uuid.UUID(pathway_id)
        with engine.begin() as conn:
            current = store.current_version(conn, pid)
            store.append(
                conn, pid, structure_id, [_new_event(e) for e in body["events"]], current, metadata
            )
        return 1

    return step, engine.dispose
