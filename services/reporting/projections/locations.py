"""Where each structure was located, by dates: `reference_data.locations`, kept from the
registry's structure changes in their order (docs/domain.md §6c).

A location holds from `located_on` to `until_on` (both inclusive; `-infinity` and NULL at the
ends), like a GES membership. The registry dates a change of département (`moved_on` in the
structure's change): the new location holds from that day on, and replaces whatever was recorded
from that day on (the latest statement about a date wins, so a replay gives the same history).
A change without `moved_on` (a creation, or a move published before moves were dated) places the
structure where it is from the beginning of time, unless it is there already.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

from shared.domain.territories import DEPARTMENT_REGION

TABLE = "locations"

# Undated: a structure not (or no longer) where the change says is placed there from the start.
_ELSEWHERE = """n.structure_id NOT IN (
    SELECT structure_id FROM {s}.locations
     WHERE until_on IS NULL AND department = n.department)"""
_UNDATED_DELETE = f"""
DELETE FROM {{s}}.locations l
 USING unnest(CAST(:id AS uuid[]), CAST(:department AS text[])) AS n(structure_id, department)
 WHERE l.structure_id = n.structure_id AND {_ELSEWHERE}"""
_UNDATED_INSERT = f"""
INSERT INTO {{s}}.locations (structure_id, located_on, until_on, department, region)
SELECT n.structure_id, '-infinity'::date, NULL, n.department, n.region
  FROM unnest(CAST(:id AS uuid[]), CAST(:department AS text[]), CAST(:region AS text[]))
       AS n(structure_id, department, region)
 WHERE {_ELSEWHERE}"""
# Dated: from `moved_on` on, the new location; the day before, whatever held then.
_DATED = """
DELETE FROM {s}.locations
 WHERE structure_id = CAST(:id AS uuid) AND located_on >= CAST(:moved_on AS date);
INSERT INTO {s}.locations (structure_id, located_on, until_on, department, region)
SELECT CAST(:id AS uuid),
       CASE WHEN EXISTS (SELECT 1 FROM {s}.locations WHERE structure_id = CAST(:id AS uuid))
            THEN CAST(:moved_on AS date) ELSE '-infinity'::date END,
       NULL, CAST(:department AS text), CAST(:region AS text)
 WHERE CAST(:department AS text) IS DISTINCT FROM (
       SELECT department FROM {s}.locations WHERE structure_id = CAST(:id AS uuid)
        ORDER BY located_on DESC LIMIT 1)"""
# Each location ends the day before the next one starts; the last one is open.
_UNTIL = """
UPDATE {s}.locations l SET until_on = x.until_on
  FROM (SELECT structure_id, located_on,
               lead(located_on) OVER (PARTITION BY structure_id ORDER BY located_on) - 1
               AS until_on
          FROM {s}.locations WHERE structure_id = ANY(CAST(:ids AS uuid[]))) x
 WHERE l.structure_id = x.structure_id AND l.located_on = x.located_on
   AND l.until_on IS DISTINCT FROM x.until_on"""


def apply(conn: Connection, items: list[dict[str, Any]], schema: str) -> None:
    """Record the locations of a page's structure changes, in the page's order."""
    touched: set[str] = set()
    undated: dict[str, tuple[str, str]] = {}
    for item in items:
        if item["entity"] != "structure":
            continue
        data, sid = item["data"], str(item["id"])
        department = data["department"]
        region = data.get("region") or DEPARTMENT_REGION.get(department, "")
        touched.add(sid)
        if not data.get("moved_on"):
            undated[sid] = (department, region)
            continue
        _undated(conn, undated, schema)
        undated = {}
        for sql in _DATED.format(s=schema).split(";"):
            conn.execute(
                text(sql),
                {
                    "id": sid,
                    "moved_on": data["moved_on"],
                    "department": department,
                    "region": region,
                },
            )
    _undated(conn, undated, schema)
    if touched:
        conn.execute(text(_UNTIL.format(s=schema)), {"ids": sorted(touched)})


def _undated(conn: Connection, found: dict[str, tuple[str, str]], schema: str) -> None:
    if not found:
        return
    params = {
        "id": list(found),
        "department": [d for d, _ in found.values()],
        "region": [r for _, r in found.values()],
    }
    conn.execute(text(_UNDATED_DELETE.format(s=schema)), params)
    conn.execute(text(_UNDATED_INSERT.format(s=schema)), params)
