"""The event log: read streams in one query, append with few statements, read the global feed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

import orjson
from sqlalchemy import Connection, text

from shared.events import upcast


@dataclass(frozen=True)
class StoredEvent:
    """One row of the log, as the application needs it."""

    id: str
    pathway_id: str
    structure_id: str
    version: int
    position: int
    type: str
    occurred_on: date
    recorded_at: datetime
    data: dict
    append: dict | None  # on the first event of each append: {"count", "warnings"}


@dataclass(frozen=True)
class NewRow:
    """An event accepted for storage, with the version it takes in its pathway."""

    id: str
    pathway_id: str
    structure_id: str
    version: int
    type: str
    occurred_on: date
    data: dict
    metadata: dict


@dataclass(frozen=True)
class PathwayRow:
    """The listing row of a pathway after an append (pathways table)."""

    id: str
    structure_id: str
    person_id: str
    opened_on: date
    status: str
    version: int


READ = text(
    """
    SELECT event_id, pathway_id, structure_id, version, position, type, occurred_on,
           recorded_at, schema_version, data, metadata -> 'append' AS append
      FROM events
     WHERE pathway_id = ANY(CAST(:pathways AS uuid[])) OR event_id = ANY(CAST(:ids AS uuid[]))
     ORDER BY pathway_id, version
    """
)


def read(conn: Connection, pathway_ids: list[str], event_ids: list[str]) -> list[StoredEvent]:
    """The whole streams of `pathway_ids` and any event whose id is in `event_ids`, one query."""
    rows = conn.execute(READ, {"pathways": pathway_ids, "ids": event_ids})
    return [
        StoredEvent(
            str(r.event_id),
            str(r.pathway_id),
            str(r.structure_id),
            r.version,
            r.position,
            r.type,
            r.occurred_on,
            r.recorded_at,
            upcast(r.type, r.schema_version, r.data),
            r.append,
        )
        for r in rows
    ]


def stream(conn: Connection, pathway_id: uuid.UUID) -> list[StoredEvent]:
    """One pathway's events in version order."""
    return read(conn, [str(pathway_id)], [])


# One JSON document carries every row: one parameter to send, parsed once by PostgreSQL.
INSERT = text(
    """
    INSERT INTO events (position, event_id, pathway_id, version, structure_id, type,
                        occurred_on, data, metadata)
    SELECT r.position, r.event_id, r.pathway_id, r.version, r.structure_id, r.type,
           r.occurred_on, r.data, r.metadata
      FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(
           position bigint, event_id uuid, pathway_id uuid, version integer, structure_id uuid,
           type text, occurred_on date, data jsonb, metadata jsonb)
    """
)


def append(conn: Connection, rows: list[NewRow]) -> list[int]:
    """Insert `rows` in the caller's transaction; their positions, in order (docs/adr/0001).

    allocate_positions must be the transaction's FIRST write: it assigns the transaction id under
    the allocation lock, which is what keeps position order equal to transaction-id order.
    """
    positions = list(
        conn.execute(text("SELECT allocate_positions(:n)"), {"n": len(rows)}).scalars()
    )
    document = [
        {
            "position": p,
            "event_id": r.id,
            "pathway_id": r.pathway_id,
            "version": r.version,
            "structure_id": r.structure_id,
            "type": r.type,
            "occurred_on": r.occurred_on,
            "data": r.data,
            "metadata": r.metadata,
        }
        for p, r in zip(positions, rows, strict=True)
    ]
    conn.execute(INSERT, {"rows": orjson.dumps(document).decode()})
    return positions


UPSERT_PATHWAYS = text(
    """
    INSERT INTO pathways (id, structure_id, person_id, opened_on, status, version)
    SELECT * FROM unnest(CAST(:ids AS uuid[]), CAST(:structures AS uuid[]),
                         CAST(:persons AS uuid[]), CAST(:opened AS date[]),
                         CAST(:statuses AS text[]), CAST(:versions AS integer[]))
    ON CONFLICT (id) DO UPDATE SET status = excluded.status, version = excluded.version
    """
)


def index_pathways(conn: Connection, pathways: list[PathwayRow]) -> None:
    """Keep the listing table in step; called after `append`, in the same transaction."""
    conn.execute(
        UPSERT_PATHWAYS,
        {
            "ids": [p.id for p in pathways],
            "structures": [p.structure_id for p in pathways],
            "persons": [p.person_id for p in pathways],
            "opened": [p.opened_on for p in pathways],
            "statuses": [p.status for p in pathways],
            "versions": [p.version for p in pathways],
        },
    )


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
            "recorded_at": timestamp(r.recorded_at),
            "data": r.data,
        }
        for r in result
    ]


def timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with a Z, as api.md asks for every *_at."""
    return moment.isoformat().replace("+00:00", "Z")
