"""Monthly tallies summed over the structures of each kind: national reports read a few hundred
rows instead of one per structure (× sex × age band, × criterion).

A structure's kind is reference data, which the registry may change or deliver after the
pathways (another projection, another transaction). So each structure's tallies are rolled up
under the kind recorded for it in `tally_kinds`, written in the transaction that writes the
tallies: a rollup cell always equals the sum of the tally cells of the structures recorded
under its kind. When the recorded kinds no longer match the reference data, reports read the
tallies (`services/reporting/tallied.py`), and the next batch moves the stale structures' sums
to their current kind. See docs/adr/0006-projections.md.
"""

from __future__ import annotations

import orjson
from sqlalchemy import Connection, text

from services.reporting.projections import tallies

# The rollup of each tally grain: the same keys, the structure replaced by its kind.
OF = {
    "tally": "tally_kind",
    "tally_people": "tally_kind_people",
    "tally_criteria": "tally_kind_criteria",
}
KINDS = "tally_kinds"
TABLES = (*OF.values(), KINDS)
# '' when the reference data does not know the structure yet (a key column cannot be NULL).
CURRENT_KIND = "coalesce(s.kind, '')"
RECORD = f"""
INSERT INTO {{s}}.{KINDS} (structure_id, kind)
SELECT DISTINCT d.structure_id, {CURRENT_KIND}
  FROM json_populate_recordset(NULL::{{s}}.{{t}}, CAST(:doc AS json)) d
  LEFT JOIN reference_data.structures s ON s.id = d.structure_id
ON CONFLICT (structure_id) DO NOTHING"""
ADD = """
INSERT INTO {s}.{r} AS t ({keys}, {metrics})
SELECT k.kind, {d_keys}, {d_sums}
  FROM json_populate_recordset(NULL::{s}.{t}, CAST(:doc AS json)) d
  JOIN {s}.tally_kinds k USING (structure_id)
 GROUP BY k.kind, {d_keys}
ON CONFLICT ({keys}) DO UPDATE SET {sums}"""
PRUNE = "DELETE FROM {s}.{r} WHERE n = 0"
STALE = f"""
SELECT k.structure_id, k.kind AS old, {CURRENT_KIND} AS new FROM {{s}}.{KINDS} k
  LEFT JOIN reference_data.structures s ON s.id = k.structure_id
 WHERE k.kind <> {CURRENT_KIND}"""
MOVE = """
WITH moved AS (SELECT * FROM json_to_recordset(CAST(:doc AS json))
                          AS m(structure_id uuid, old text, new text))
INSERT INTO {s}.{r} AS t ({keys}, {metrics})
SELECT x.kind, {d_keys}, {d_sums}
  FROM {s}.{t} d JOIN (SELECT structure_id, old AS kind, -1 AS sign FROM moved
                       UNION ALL SELECT structure_id, new, 1 FROM moved) x USING (structure_id)
 GROUP BY x.kind, {d_keys}
ON CONFLICT ({keys}) DO UPDATE SET {sums}"""


def keys(grain: str) -> tuple[str, ...]:
    """The rollup's key columns: the tally's, with the kind for the structure."""
    return ("kind", *tallies.GRAINS[grain][1:])


def add(conn: Connection, schema: str, grain: str, doc: dict, emptied: bool) -> None:
    """Add the tally deltas `doc` (rows of `grain`) to the rollup of each structure's kind;
    `emptied`: some cells may have lost their last contribution. Before revision 0005
    (migration 0004 tallies through this code) there is nothing to add to; 0005 then fills
    the rollups from the tallies."""
    if not _exists(conn, schema):
        return
    conn.execute(text(RECORD.format(s=schema, t=grain)), doc)
    conn.execute(text(_sql(ADD, schema, grain, sum_of="d.{m}")), doc)
    if emptied:
        conn.execute(text(PRUNE.format(s=schema, r=OF[grain])))


def repair(conn: Connection, schema: str) -> None:
    """Move the sums of structures whose kind changed (or arrived) to their current kind."""
    if not _exists(conn, schema):
        return
    stale = [dict(r) for r in conn.execute(text(STALE.format(s=schema))).mappings()]
    if not stale:
        return
    doc = {"doc": _json(stale)}
    for grain in OF:
        conn.execute(text(_sql(MOVE, schema, grain, sum_of="x.sign * d.{m}")), doc)
        conn.execute(text(PRUNE.format(s=schema, r=OF[grain])))
    conn.execute(
        text(
            f"UPDATE {schema}.{KINDS} k SET kind = m.new"
            " FROM json_to_recordset(CAST(:doc AS json)) AS m(structure_id uuid, new text)"
            " WHERE k.structure_id = m.structure_id"
        ),
        doc,
    )


def fresh(conn: Connection, schema: str = "outcomes") -> bool:
    """Whether every structure's sums lie under its current kind (the rollups answer)."""
    return conn.execute(text(f"SELECT NOT EXISTS ({STALE.format(s=schema)})")).scalar_one()


def _sql(template: str, schema: str, grain: str, sum_of: str) -> str:
    d_keys = ", ".join(f"d.{c}" for c in tallies.GRAINS[grain][1:])
    return template.format(
        s=schema,
        r=OF[grain],
        t=grain,
        keys=", ".join(keys(grain)),
        metrics=", ".join(tallies.METRICS),
        d_keys=d_keys,
        d_sums=", ".join(f"sum({sum_of.format(m=m)})" for m in tallies.METRICS),
        sums=", ".join(f"{m} = t.{m} + excluded.{m}" for m in tallies.METRICS),
    )


def _exists(conn: Connection, schema: str) -> bool:
    return conn.execute(
        text("SELECT to_regclass(:t) IS NOT NULL"), {"t": f"{schema}.{KINDS}"}
    ).scalar_one()


def _json(rows: list[dict]) -> str:
    return orjson.dumps(rows, default=str).decode()
