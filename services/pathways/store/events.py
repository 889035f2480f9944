"""The event log: read streams in one query, append with few statements, read the global feed."""

from __future__ import annotations

import uuid
import weakref
from dataclasses import dataclass
from datetime import date, datetime

import orjson
import psycopg
from psycopg.pq import ExecStatus
from psycopg.types.json import set_json_loads
from sqlalchemy import Connection, text

from services.pathways.store import sealed
from services.pathways.store.vault import Keyring
from shared.domain.events import SCHEMA_VERSION, SEALED_FIELDS, upcast, with_sealed


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
    schema_version: int  # of `data`'s shape, written with the event (shared/domain/events.py)


@dataclass(frozen=True)
class PathwayRow:
    """The listing row of a pathway after an append (pathways table)."""

    id: str
    structure_id: str
    person_id: str
    opened_on: date
    status: str
    version: int


# The hot statements run on the psycopg connection under SQLAlchemy's, in its transaction:
# prepared once per connection, and pipelined so that several cost one round trip.
Query = tuple[str, dict]

# The values sealed out of an event (store/sealed.py) come with it, with its person's key: read
# by the same query, opened only by a reader holding the KEK.
READ_SQL = """
    SELECT e.event_id, e.pathway_id, e.structure_id, e.version, e.position, e.type,
           e.occurred_on, e.recorded_at, e.schema_version, e.data, e.metadata -> 'append',
           s.person_id, s.nonce, s.ciphertext, k.kek_version, k.nonce, k.wrapped_key
      FROM events e
      LEFT JOIN (event_sealed_values s JOIN person_keys k ON k.person_id = s.person_id)
             ON s.event_id = e.event_id
     WHERE e.pathway_id = ANY(%(pathways)s::uuid[]) OR e.event_id = ANY(%(ids)s::uuid[])
     ORDER BY e.pathway_id, e.version
"""


_ORJSON_READY: weakref.WeakSet[psycopg.Connection] = weakref.WeakSet()


def driver(conn: Connection) -> psycopg.Connection:
    """The psycopg connection under `conn`, in the same transaction, parsing jsonb with orjson
    (the log's data is validated JSON: orjson reads it as json.loads would, faster)."""
    pg: psycopg.Connection = conn.connection.driver_connection  # type: ignore[assignment]
    if pg not in _ORJSON_READY:
        set_json_loads(orjson.loads, pg)
        _ORJSON_READY.add(pg)
    return pg


def round_trip(conn: Connection, queries: list[Query]) -> list[list[tuple]]:
    """The rows of each query (none for a write), all sent at once: one round trip."""
    pg = driver(conn)
    with pg.pipeline():
        cursors = [pg.execute(sql, params, prepare=True) for sql, params in queries]
    return [_rows(cursor) for cursor in cursors]


def _rows(cursor: psycopg.Cursor) -> list[tuple]:
    """What a query returned; nothing for a statement without RETURNING."""
    result = cursor.pgresult
    return cursor.fetchall() if result and result.status == ExecStatus.TUPLES_OK else []


def read_query(pathway_ids: list[str], event_ids: list[str]) -> Query:
    """The whole streams of `pathway_ids` and any event whose id is in `event_ids`."""
    return READ_SQL, {"pathways": pathway_ids, "ids": event_ids}


def stored_events(rows: list[tuple], kek: Keyring | None = None) -> list[StoredEvent]:
    """Rows of `read_query` (its columns in order), their data upcast to the current version.

    With the KEK, the values sealed out of the log are put back (None where they are gone:
    erased with the person); without it the data is as the log keeps it.
    """
    keys: dict = {}
    return [
        StoredEvent(
            str(r[0]),
            str(r[1]),
            str(r[2]),
            r[3],
            r[4],
            r[5],
            r[6],
            r[7],
            _data(kek, r, keys),
            r[10],
        )
        for r in rows
    ]


def _data(kek: Keyring | None, row: tuple, keys: dict) -> dict:
    data: dict = upcast(row[5], row[8], row[9])
    if kek is None or row[5] not in SEALED_FIELDS:
        return data
    values = sealed.reveal(kek, str(row[0]), row[11 : 11 + sealed.TAIL], keys)
    return with_sealed(row[5], data, values)


def read(
    conn: Connection, pathway_ids: list[str], event_ids: list[str], kek: Keyring | None = None
) -> list[StoredEvent]:
    """The whole streams of `pathway_ids` and any event whose id is in `event_ids`, one query."""
    return stored_events(round_trip(conn, [read_query(pathway_ids, event_ids)])[0], kek)


def stream(
    conn: Connection, pathway_id: uuid.UUID, kek: Keyring | None = None
) -> list[StoredEvent]:
    """One pathway's events in version order (with their sealed values given the KEK)."""
    return read(conn, [str(pathway_id)], [], kek)


# One statement, hence one implicit transaction on an autocommit connection: no BEGIN nor
# COMMIT to send. Each JSON document carries its rows: one parameter, parsed once by PostgreSQL.
# The positions are allocated before any row is written (docs/adr/0001): the events' insert
# reads them, and the index upsert runs only once the insert is done (its one-time filter on
# `inserted`), so that no write precedes the allocation. The values sealed out of the events
# (store/sealed.py) are inserted by the same statement; an empty list costs no round trip.
APPEND_SQL = """
    WITH allocated AS (
        SELECT a.position, a.n
          FROM allocate_positions(%(count)s) WITH ORDINALITY AS a(position, n)
    ), inserted AS (
        INSERT INTO events (position, event_id, pathway_id, version, structure_id, type,
                            schema_version, occurred_on, data, metadata)
        SELECT p.position, r.event_id, r.pathway_id, r.version, r.structure_id, r.type,
               r.schema_version, r.occurred_on, r.data, r.metadata
          FROM jsonb_to_recordset(%(rows)s::jsonb) AS r(
               n bigint, event_id uuid, pathway_id uuid, version integer, structure_id uuid,
               type text, schema_version smallint, occurred_on date, data jsonb, metadata jsonb)
          JOIN allocated p ON p.n = r.n
        RETURNING event_id, position
    ), indexed AS (
        INSERT INTO pathways (id, structure_id, person_id, opened_on, status, version)
        SELECT r.id, r.structure_id, r.person_id, r.opened_on, r.status, r.version
          FROM jsonb_to_recordset(%(pathways)s::jsonb) AS r(
               id uuid, structure_id uuid, person_id uuid, opened_on date, status text,
               version integer)
         WHERE EXISTS (SELECT FROM inserted)
        ON CONFLICT (id) DO UPDATE SET status = excluded.status, version = excluded.version
    ), sealed AS (
        INSERT INTO event_sealed_values (event_id, person_id, nonce, ciphertext)
        SELECT r.event_id, r.person_id, decode(r.nonce, 'hex'), decode(r.ciphertext, 'hex')
          FROM jsonb_to_recordset(%(sealed)s::jsonb) AS r(
               event_id uuid, person_id uuid, nonce text, ciphertext text)
         WHERE EXISTS (SELECT FROM inserted)
    )
    SELECT event_id, position FROM inserted
"""


def append(
    conn: Connection,
    rows: list[NewRow],
    pathways: list[PathwayRow],
    sealed_rows: list[sealed.SealedRow] | None = None,
) -> list[int]:
    """Insert `rows`, the values sealed out of them and update the listing of `pathways` in one
    statement, committed on its own: `conn` is in autocommit mode. The rows' positions, in
    order."""
    pg = driver(conn)
    assert pg.autocommit, "store.append commits its own statement: autocommit connection only"
    document = [
        {
            "n": n,
            "event_id": r.id,
            "pathway_id": r.pathway_id,
            "version": r.version,
            "structure_id": r.structure_id,
            "type": r.type,
            "schema_version": r.schema_version,
            "occurred_on": r.occurred_on,
            "data": r.data,
            "metadata": r.metadata,
        }
        for n, r in enumerate(rows, start=1)
    ]
    params = {
        "count": len(rows),
        "rows": orjson.dumps(document).decode(),
        "pathways": orjson.dumps(pathways).decode(),
        "sealed": orjson.dumps(sealed.document(sealed_rows or [])).decode(),
    }
    inserted = pg.execute(APPEND_SQL, params, prepare=True).fetchall()
    positions = {str(event_id): position for event_id, position in inserted}
    return [positions[str(uuid.UUID(r.id))] for r in rows]


# The page is written by PostgreSQL as the response's JSON text: the payloads stay as stored,
# never decoded into Python objects only to be encoded again, unless one of them was written in
# an older schema version (`stale`): that page is decoded and upcast (shared/domain/events.py),
# so that the feed always answers the current shape. recorded_at as `timestamp`.
FEED_SQL = text(
    """
    SELECT coalesce(json_agg(json_build_object(
               'position', position, 'pathway_id', pathway_id, 'structure_id', structure_id,
               'version', version, 'id', event_id, 'type', type,
               'schema_version', schema_version, 'occurred_on', occurred_on,
               'recorded_at', to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
                   || CASE WHEN date_trunc('second', recorded_at) = recorded_at THEN ''
                           ELSE to_char(recorded_at AT TIME ZONE 'UTC', '.US') END || 'Z',
               'data', data) ORDER BY position), '[]')::text AS events,
           max(position) AS last,
           coalesce(bool_or(schema_version
                            < coalesce((CAST(:current AS jsonb) ->> type)::int, 0)), false) AS stale
      FROM (SELECT * FROM events
             WHERE position > :after
               AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
             ORDER BY position
             LIMIT :limit) AS page
    """
)


def feed(conn: Connection, after: int, limit: int) -> tuple[str, int]:
    """Committed events after `after`, in position order, never skipping one (docs/adr/0001):
    the page as JSON text, and the last position it holds (`after` when empty).

    Only events whose transaction is older than every transaction still running are returned;
    since positions are allocated in transaction-id order, what is returned is always a prefix
    of what will ever be committed after `after`.
    """
    current = orjson.dumps(SCHEMA_VERSION).decode()
    row = conn.execute(FEED_SQL, {"after": after, "limit": limit, "current": current}).one()
    events = _upcast_page(row.events) if row.stale else row.events
    return events, row.last if row.last is not None else after


def _upcast_page(page: str) -> str:
    """A feed page whose events of an older schema version are brought to the current one."""
    events = orjson.loads(page)
    for e in events:
        current = SCHEMA_VERSION.get(e["type"], e["schema_version"])
        if e["schema_version"] < current:
            e["data"] = upcast(e["type"], e["schema_version"], e["data"])
            e["schema_version"] = current
    return orjson.dumps(events).decode()


def timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with a Z, as docs/api.md asks for every *_at."""
    return moment.isoformat().replace("+00:00", "Z")
