"""Reports as they would have been computed when the log ended at a position (knowledge time).

Derived rows are a pure function of a pathway's stream, so a pathway without any event after
position N has, today, exactly the rows it had at N. An as-of report therefore reads the live
rows of every pathway but those of its scope that gained events after N (`touched`), and, for
those, rows derived again from reporting's copy of their stream truncated at N (a void recorded
after N is then ignored, one recorded before is applied). Both are put together, in the
report's own transaction, by temporary views named like the projection's tables
(`pg_temp.pathways` = the live rows of the untouched pathways + the re-derived rows), and the
report's SQL is read against them: `outcomes.<table>` becomes `pg_temp.<table>`. The
transaction is rolled back at the end; nothing is written. Whole-month tallies are not
re-derived: an as-of report with touched pathways is answered from the rows.

Every per-pathway table of `outcomes.DERIVED` is covered as it is added there; a table that
sums pathways (`measure_hours`) declares in `SUMMARIES` how to sum its changes from the
per-pathway rows (docs/adr/0016-knowledge-time.md).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any, cast

import orjson
from sqlalchemy import Connection, text
from sqlalchemy.sql.elements import TextClause

from services.reporting.projections import outcomes as projection
from services.reporting.projections import pathway_rows
from services.reporting.projections.derive import fold

SCHEMA = projection.SCHEMA
# The pathways of the scope that gained events after the position; every one if no scope.
TOUCHED_ALL = "SELECT DISTINCT pathway_id::text FROM outcomes.events WHERE position > :n"
TOUCHED_OF = """
SELECT p.pathway_id::text FROM outcomes.pathways p
 WHERE p.structure_id = ANY(CAST(:structures AS uuid[]))
   AND EXISTS (SELECT 1 FROM outcomes.events e
                WHERE e.pathway_id = p.pathway_id AND e.position > :n)"""
STREAMS = """
SELECT pathway_id::text AS pathway_id, position, event_id::text AS id, type, schema_version,
       occurred_on, data
  FROM outcomes.events
 WHERE pathway_id = ANY(CAST(:ids AS uuid[])) AND position <= :n
 ORDER BY pathway_id, position"""
TOUCHED_TABLE = """
CREATE TEMP TABLE asof_touched ON COMMIT DROP AS
SELECT CAST(id AS uuid) AS pathway_id FROM json_array_elements_text(CAST(:doc AS json)) AS id"""
ROWS_TABLE = "CREATE TEMP TABLE asof_{t} (LIKE outcomes.{t}) ON COMMIT DROP"
FILL_ROWS = (
    "INSERT INTO pg_temp.asof_{t}"
    " SELECT * FROM json_populate_recordset(NULL::outcomes.{t}, CAST(:doc AS json))"
)
# With a scope, the live rows kept are those of its untouched pathways (`asof_kept`, a few
# hundred for a structure: read by primary key); without, every untouched pathway's.
KEPT_TABLE = """
CREATE TEMP TABLE asof_kept ON COMMIT DROP AS
SELECT p.pathway_id FROM outcomes.pathways p
 WHERE p.structure_id = ANY(CAST(:structures AS uuid[]))
   AND NOT EXISTS (SELECT 1 FROM pg_temp.asof_touched a WHERE a.pathway_id = p.pathway_id)"""
ROWS_VIEW = """
CREATE TEMP VIEW {t} AS
SELECT x.* FROM outcomes.{t} x
 WHERE NOT EXISTS (SELECT 1 FROM pg_temp.asof_touched a WHERE a.pathway_id = x.pathway_id)
UNION ALL
SELECT * FROM pg_temp.asof_{t}"""
SCOPED_VIEW = """
CREATE TEMP VIEW {t} AS
SELECT x.* FROM pg_temp.asof_kept k JOIN outcomes.{t} x USING (pathway_id)
UNION ALL
SELECT * FROM pg_temp.asof_{t}"""
# Tables summing pathways: the live sums, less what the touched pathways add today, plus what
# they added at the position (the same sums as `measure_hours.FILL`, over the rows).
SUMMARIES = {
    "measure_hours": """
CREATE TEMP VIEW measure_hours AS
SELECT structure_id, measure, month, sum(hours) AS hours, CAST(sum(n) AS integer) AS n
  FROM (SELECT structure_id, measure, month, hours, n FROM outcomes.measure_hours
          WHERE {scope}
        UNION ALL
        SELECT p.structure_id, coalesce(p.measure, ''), h.month, -h.hours, -1
          FROM outcomes.monthly_hours h JOIN outcomes.pathways p USING (pathway_id)
          JOIN pg_temp.asof_touched a USING (pathway_id)
        UNION ALL
        SELECT p.structure_id, coalesce(p.measure, ''), h.month, h.hours, 1
          FROM pg_temp.asof_monthly_hours h JOIN pg_temp.asof_pathways p USING (pathway_id)
       ) AS cells
 GROUP BY structure_id, measure, month
HAVING sum(n) <> 0""",
}
NAMES = (*pathway_rows.DERIVED, *SUMMARIES)
_QUALIFIED = re.compile(rf"\b{SCHEMA}\.({'|'.join(NAMES)})\b")


class AsOf:
    """A connection whose report statements read the tables as known at `position`."""

    def __init__(self, conn: Connection, position: int):
        self.connection = conn
        self.position = position

    def execute(self, statement: Any, parameters: Any = None, **kwargs: Any) -> Any:
        if isinstance(statement, TextClause):
            statement = text(_QUALIFIED.sub(r"pg_temp.\1", statement.text))
        return self.connection.execute(statement, parameters, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.connection, name)


def rows_only(conn: Connection) -> bool:
    """Whether `conn` reads re-derived rows, which have no tallies: the rows must answer."""
    return isinstance(conn, AsOf)


@contextmanager
def known_at(conn: Connection, position: int, structures: list[str] | None) -> Iterator[Connection]:
    """`conn` (no transaction begun, or only reads) reading the projection as it stood at
    `position`, for the pathways of `structures` (every structure when None: the report's SQL
    still filters; a scope larger than the report's only costs time). Rolled back on exit."""
    if conn.in_transaction():
        conn.rollback()
    # One snapshot for the touched pathways, their streams and the report's reads: an event
    # copied meanwhile must not reach the live rows of a pathway thought untouched.
    conn.execution_options(isolation_level="REPEATABLE READ")
    try:
        ids = touched(conn, position, structures)
        if not ids:  # nothing known since: the live tables, tallies included, are exact
            yield conn
            return
        _materialize(conn, position, ids, structures)
        yield cast(Connection, AsOf(conn, position))
    finally:
        conn.rollback()
        conn.execution_options(isolation_level=conn.default_isolation_level or "READ COMMITTED")


def touched(conn: Connection, position: int, structures: list[str] | None) -> list[str]:
    """The pathways of `structures` (all when None) that gained events after `position`. A
    pathway's structure is the one it opened in, and an opening cannot be voided: a pathway
    known at the position has its live row, under that structure."""
    if structures is None:
        found = conn.execute(text(TOUCHED_ALL), {"n": position}).scalars()
    else:
        found = conn.execute(text(TOUCHED_OF), {"n": position, "structures": structures}).scalars()
    return sorted(found)


def _materialize(
    conn: Connection, position: int, touched: list[str], structures: list[str] | None
) -> None:
    """Re-derive the touched pathways at `position` into temporary tables, and the views."""
    streams: dict[str, list[dict]] = {pid: [] for pid in touched}
    for row in conn.execute(text(STREAMS), {"ids": touched, "n": position}).mappings():
        streams[row["pathway_id"]].append(dict(row))
    # A pathway that cannot be derived at the position has no rows, as a parked pathway has
    # none in the live tables (docs/adr/0015-parked-pathways.md).
    folds = {pid: partial(fold, s) for pid, s in streams.items() if s}
    _, rows, _unreadable = projection.derive_each(folds, {})
    conn.execute(text(TOUCHED_TABLE), _doc(touched))
    conn.execute(text("ANALYZE pg_temp.asof_touched"))
    if structures is not None:
        conn.execute(text(KEPT_TABLE), {"structures": structures})
        conn.execute(text("ANALYZE pg_temp.asof_kept"))
    for table in pathway_rows.DERIVED:
        conn.execute(text(ROWS_TABLE.format(t=table)))
        if rows[table]:
            conn.execute(text(FILL_ROWS.format(t=table)), _doc(rows[table]))
        conn.execute(text(f"ANALYZE pg_temp.asof_{table}"))
        view = ROWS_VIEW if structures is None else SCOPED_VIEW
        conn.execute(text(view.format(t=table)))
    for summary in SUMMARIES.values():
        conn.execute(text(summary.format(scope=_scope(structures))))


def _scope(structures: list[str] | None) -> str:
    """The scope as SQL a view can keep (no parameter): ids checked as UUIDs, then written."""
    if structures is None:
        return "true"
    ids = ",".join(str(uuid.UUID(s)) for s in structures)
    return f"structure_id = ANY(CAST('{{{ids}}}' AS uuid[]))"


def _doc(rows: list) -> dict[str, str]:
    return {"doc": orjson.dumps(rows, default=str).decode()}
