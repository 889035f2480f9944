"""The event log: append with optimistic concurrency, read a stream, read the global feed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import orjson
from sqlalchemy import Connection, text


@dataclass(frozen=True)
class NewEvent:
    id: uuid.UUID
    type: str
    occurred_on: date
    data: dict


@dataclass(frozen=True)
class Appended:
    id: str
    version: int
    position: int


class VersionConflict(Exception):
    def __init__(self, current_version: int):
        super().__init__(f"current version is {current_version}")
        self.current_version = current_version


def current_version(conn: Connection, pathway_id: uuid.UUID) -> int:
    return conn.execute(
        text("SELECT coalesce(max(version), 0) FROM events WHERE pathway_id = :p"),
        {"p": pathway_id},
    ).scalar_one()


def append(
    conn: Connection,
    pathway_id: uuid.UUID,
    structure_id: uuid.UUID,
    events: list[NewEvent],
    expected_version: int,
    metadata: dict,
) -> list[Appended]:
    """Insert `events` after `expected_version`; the caller's transaction commits them."""
    positions = conn.execute(text("SELECT allocate_positions(:n)"), {"n": len(events)}).scalars()
    rows = [
        {
            "position": position,
            "event_id": e.id,
            "pathway_id": pathway_id,
            "version": expected_version + i + 1,
            "structure_id": structure_id,
            "type": e.type,
            "occurred_on": e.occurred_on,
            "data": orjson.dumps(e.data).decode(),
            "metadata": orjson.dumps(metadata).decode(),
        }
        for i, (e, position) in enumerate(zip(events, positions, strict=True))
    ]
    conn.execute(
        text(
            "INSERT INTO events (position, event_id, pathway_id, version, structure_id, type,"
            " occurred_on, data, metadata) VALUES (:position, :event_id, :pathway_id, :version,"
            " :structure_id, :type, :occurred_on, CAST(:data AS jsonb), CAST(:metadata AS jsonb))"
        ),
        rows,
    )
    return [Appended(str(r["event_id"]), r["version"], r["position"]) for r in rows]


FEED_SQL = text(
    """
    SELECT position, pathway_id, structure_id, version, event_id, type, occurred_on,
           recorded_at, data
      FROM events
     WHERE position > :after
       AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
     ORDER BY position
     LIMIT :limit
    """
)


def feed(conn: Connection, after: int, limit: int) -> list[dict]:
    """Committed events after `after`, in position order, never skipping one (docs/adr/0001).

    Only events whose transaction is older than every transaction still running are returned;
    since positions are allocated in transaction-id order, what is returned is always a prefix
    of what will ever be committed after `after`.
    """
    result = conn.execute(FEED_SQL, {"after": after, "limit": limit})
    return [
        {
            "position": r.position,
            "pathway_id": str(r.pathway_id),
            "structure_id": str(r.structure_id),
            "version": r.version,
            "id": str(r.event_id),
            "type": r.type,
            "occurred_on": r.occurred_on.isoformat(),
            "recorded_at": r.recorded_at.isoformat().replace("+00:00", "Z"),
            "data": r.data,
        }
        for r in result
    ]
