"""The `outcomes` projection built in bulk, for a rebuild into empty tables.

Catch-up works page by page: each page's pathways are loaded, folded further and diffed against
their stored rows. A rebuild has nothing to diff against, so it goes another way (ADR 0006):
first the feed is copied as it comes (`COPY`, nothing derived), then the copied log is read back
pathway by pathway and each stream is folded once, its rows, state and tallies written with
`COPY`. Rows are the same pure functions of the stream as in catch-up (`derived_rows`,
`tallies.write`), so both give identical tables (tests/reporting/test_replay.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import groupby
from typing import Any

import orjson
from psycopg.types.json import set_json_loads
from sqlalchemy import Connection, Engine

from services.reporting.projections import tallies
from services.reporting.projections.derive import fold
from services.reporting.projections.outcomes import DERIVED, STATES, derived_rows

PATHWAYS_PER_CHUNK = 2_000
EVENT_COLUMNS = ("position", "pathway_id", "event_id", "type", "occurred_on", "data")
NEXT_PATHWAYS = """
SELECT pathway_id FROM (SELECT DISTINCT pathway_id FROM {s}.events WHERE pathway_id > %s) ids
 ORDER BY pathway_id LIMIT %s"""
STREAMS = """
SELECT pathway_id::text, position, event_id::text, type, occurred_on, data FROM {s}.events
 WHERE pathway_id BETWEEN %s AND %s ORDER BY pathway_id, position"""
STREAM_KEYS = ("position", "id", "type", "occurred_on", "data")
FIRST = "00000000-0000-0000-0000-000000000000"

Progress = Callable[[int], None]


def copy_page(conn: Connection, page: list[dict[str, Any]], schema: str) -> None:
    """Append a feed page to the copied log, as it comes (the tables are new and empty)."""
    with _driver(conn).cursor() as cur, cur.copy(_copy_sql(schema, "events", EVENT_COLUMNS)) as cp:
        for e in page:
            cp.write_row(
                (
                    e["position"],
                    e["pathway_id"],
                    e["id"],
                    e["type"],
                    e["occurred_on"],
                    orjson.dumps(e["data"]).decode(),
                )
            )


def derive_all(engine: Engine, schema: str, progress: Progress) -> int:
    """Fold every copied pathway once and write what it derives, a chunk per transaction
    (short transactions: a long one on the cluster would hold the feed back, ADR 0001)."""
    with engine.begin() as conn:
        conn.exec_driver_sql(f"ANALYZE {schema}.events")
    last, folded = FIRST, 0
    while True:
        with engine.begin() as conn:
            conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
            ids = _next_pathways(conn, schema, last)
            if not ids:
                return folded
            n = _derive_chunk(conn, schema, ids[0], ids[-1])
        last, folded = ids[-1], folded + n
        progress(n)


def _next_pathways(conn: Connection, schema: str, after: str) -> list[str]:
    with _driver(conn).cursor() as cur:
        cur.execute(NEXT_PATHWAYS.format(s=schema), (after, PATHWAYS_PER_CHUNK))
        return [str(row[0]) for row in cur]


def _derive_chunk(conn: Connection, schema: str, first: str, last: str) -> int:
    """Fold the streams of the pathways from `first` to `last`; events folded."""
    states, events = {}, 0
    for pid, stream in _streams(conn, schema, first, last):
        states[pid] = fold(stream)
        events += len(stream)
    rows = derived_rows(states)
    with _driver(conn).cursor() as cur:
        for table in DERIVED:
            if rows[table]:
                _copy_rows(cur, schema, table, rows[table])
        _copy_rows(
            cur,
            schema,
            STATES,
            [{"pathway_id": p, "state": orjson.dumps(s).decode()} for p, s in states.items()],
        )
    tallies.write(conn, schema, {}, states)
    return events


def _streams(conn: Connection, schema: str, first: str, last: str) -> Iterator[tuple[str, list]]:
    with _driver(conn).cursor() as cur:
        set_json_loads(orjson.loads, cur)
        cur.execute(STREAMS.format(s=schema), (first, last))
        for pid, rows in groupby(cur, key=lambda r: r[0]):
            yield pid, [dict(zip(STREAM_KEYS, r[1:], strict=True)) for r in rows]


def _copy_rows(cur, schema: str, table: str, rows: list[dict]) -> None:
    columns = tuple(rows[0])
    with cur.copy(_copy_sql(schema, table, columns)) as cp:
        for row in rows:
            cp.write_row(tuple(row.values()))


def _copy_sql(schema: str, table: str, columns: tuple[str, ...]) -> str:
    return f"COPY {schema}.{table} ({', '.join(columns)}) FROM STDIN"


def _driver(conn: Connection):
    """The psycopg connection under SQLAlchemy's, in the same transaction (for COPY)."""
    return conn.connection.driver_connection
