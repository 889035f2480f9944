"""Reading pathways: a pathway's stream and state for its structure, and the filtered listing."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

from sqlalchemy import Connection, text

from services.pathways.decide.pathway import fold, view
from services.pathways.store import events as store
from services.pathways.store.vault import Keyring
from shared.auth import Caller
from shared.domain.events import SCHEMA_VERSION, with_sealed
from shared.domain.pathway.state import Event, event_key
from shared.problems import Problem


def owned_stream(
    conn: Connection, caller: Caller, pathway_id: uuid.UUID, kek: Keyring
) -> list[store.StoredEvent]:
    """The pathway's events, if the caller may read them; 404 otherwise (existence not revealed).

    Only the structure that owns the pathway reads the values sealed out of the log (PASS IAE
    number, free texts: docs/domain.md §10); for an admin they read as None, as once erased.
    """
    events = store.stream(conn, pathway_id, None if caller.is_admin else kek)
    if not events or not (caller.is_admin or events[0].structure_id == caller.structure_id):
        raise Problem(404, "Parcours introuvable.")
    if caller.is_admin:
        return [replace(e, data=with_sealed(e.type, e.data, None)) for e in events]
    return events


def _events(stream: list[store.StoredEvent]) -> list[Event]:
    return [Event(e.id, e.type, e.occurred_on, e.data, e.version) for e in stream]


def stream(conn: Connection, caller: Caller, pathway_id: uuid.UUID, kek: Keyring) -> list[dict]:
    """The stream in version order, each event marked `voided` when a later event voids it."""
    events = owned_stream(conn, caller, pathway_id, kek)
    voided = fold(_events(events)).voided_ids
    return [
        {
            "id": e.id,
            "type": e.type,
            "schema_version": SCHEMA_VERSION[e.type],  # the data is upcast on read
            "occurred_on": e.occurred_on.isoformat(),
            "data": e.data,
            "version": e.version,
            "position": e.position,
            "recorded_at": store.timestamp(e.recorded_at),
            "voided": event_key(e.id) in voided,
        }
        for e in events
    ]


def state_view(events: list[store.StoredEvent], kind: str, pathway_id: str) -> dict:
    """The domain's view of the folded state (GET /v1/pathways/{id})."""
    return view(fold(_events(events)), kind, date.today(), pathway_id=pathway_id)


LIST_SQL = """
    SELECT id, structure_id, person_id, opened_on, status, version, count(*) OVER () AS total
      FROM pathways
     WHERE (CAST(:structure AS uuid) IS NULL OR structure_id = CAST(:structure AS uuid))
       AND (CAST(:status AS text) IS NULL OR status = CAST(:status AS text))
       AND (CAST(:person AS uuid) IS NULL OR person_id = CAST(:person AS uuid))
       AND (CAST(:opened_from AS date) IS NULL OR opened_on >= CAST(:opened_from AS date))
       AND (CAST(:opened_to AS date) IS NULL OR opened_on <= CAST(:opened_to AS date))
     ORDER BY opened_on, id
     LIMIT :limit OFFSET :offset
"""


def listing(conn: Connection, caller: Caller, args: dict) -> dict:
    """One page of the caller's pathways (every structure's for an admin), oldest opening first."""
    size = args["page_size"]
    rows = conn.execute(
        text(LIST_SQL),
        {
            "structure": None if caller.is_admin else caller.structure_id,
            "status": args.get("status"),
            "person": args.get("person_id"),
            "opened_from": args.get("opened_from"),
            "opened_to": args.get("opened_to"),
            "limit": size,
            "offset": (args["page"] - 1) * size,
        },
    ).all()
    items = [
        {
            "id": str(r.id),
            "structure_id": str(r.structure_id),
            "person_id": str(r.person_id),
            "opened_on": r.opened_on.isoformat(),
            "status": r.status,
            "version": r.version,
        }
        for r in rows
    ]
    total = rows[0].total if rows else _count(conn, caller, args)
    return {"items": items, "page": args["page"], "page_size": size, "total": total}


def _count(conn: Connection, caller: Caller, args: dict) -> int:
    """Total when the page is past the end (the window count is then unavailable)."""
    if args["page"] == 1:
        return 0
    return listing(conn, caller, {**args, "page": 1, "page_size": 1})["total"]
