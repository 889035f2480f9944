"""Monthly tallies summed over structures of like attributes: national reports read a few
thousand rows (or a few hundred) instead of one per structure (× sex × age band, × criterion).

The base tally is rolled up per kind, département and region; the finer grains per kind only
(per département they would stay large). These attributes are reference data, which the
registry may change or deliver after the pathways (another projection, another transaction).
So each structure's tallies are rolled up under the attributes recorded for it in `ATTRIBUTES`,
written in the transaction that writes the tallies: a rollup cell always equals the sum of the
tally cells of the structures recorded under its key. While a recorded attribute differs from
the reference data, reports read the tallies (`services/reporting/reports/tallied.py`), and the next
batch moves the stale structures' sums under their current attributes. See
docs/adr/0006-projections.md.
"""

from __future__ import annotations

import orjson
from sqlalchemy import Connection, text

from services.reporting.projections.tally_layout import (
    ATTRIBUTES,
    BY,
    CURRENT,
    GRAINS,
    METRICS,
    OF,
    RECORDED,
    STALE,
    keys,
)

# A structure is recorded while it has tally cells: `n` sums their contributions.
RECORD = f"""
INSERT INTO {{s}}.{ATTRIBUTES} AS t (structure_id, {", ".join(RECORDED)}, n)
SELECT d.structure_id, {CURRENT}, sum(coalesce(d.n, 0))
  FROM json_populate_recordset(NULL::{{s}}.tally, CAST(:doc AS json)) d
  LEFT JOIN reference_data.structures s ON s.id = d.structure_id
 GROUP BY d.structure_id, {", ".join(f"s.{a}" for a in RECORDED)}
ON CONFLICT (structure_id) DO UPDATE SET n = t.n + excluded.n"""
FORGET = f"DELETE FROM {{s}}.{ATTRIBUTES} WHERE n = 0"
ADD = f"""
INSERT INTO {{s}}.{{r}} AS t ({{keys}}, {{metrics}})
SELECT {{x_by}}, {{d_keys}}, {{d_sums}}
  FROM json_populate_recordset(NULL::{{s}}.{{t}}, CAST(:doc AS json)) d
  JOIN {{s}}.{ATTRIBUTES} x USING (structure_id)
 GROUP BY {{x_by}}, {{d_keys}}
ON CONFLICT ({{keys}}) DO UPDATE SET {{sums}}"""
PRUNE = "DELETE FROM {s}.{r} WHERE n = 0"
MOVED = "json_to_recordset(CAST(:doc AS json)) AS m(structure_id uuid, {columns})".format(
    columns=", ".join(f"{p}{a} text" for p in ("old_", "") for a in RECORDED)
)
MOVE = f"""
INSERT INTO {{s}}.{{r}} AS t ({{keys}}, {{metrics}})
SELECT {{x_by}}, {{d_keys}}, {{d_sums}}
  FROM {{s}}.{{t}} d
  JOIN (SELECT structure_id, {", ".join(f"old_{a} AS {a}" for a in RECORDED)}, -1 AS sign
          FROM {MOVED}
        UNION ALL SELECT structure_id, {", ".join(RECORDED)}, 1 FROM {MOVED}) x
       USING (structure_id)
 WHERE d.structure_id = ANY(CAST(:ids AS uuid[]))
 GROUP BY {{x_by}}, {{d_keys}}
ON CONFLICT ({{keys}}) DO UPDATE SET {{sums}}"""


FILL_RECORDED = f"""
INSERT INTO {{s}}.{ATTRIBUTES} (structure_id, {", ".join(RECORDED)}, n)
SELECT t.structure_id, {CURRENT}, sum(t.n) FROM {{s}}.tally t
  LEFT JOIN reference_data.structures s ON s.id = t.structure_id
 GROUP BY t.structure_id, {", ".join(f"s.{a}" for a in RECORDED)}"""
FILL = f"""
INSERT INTO {{s}}.{{r}} ({{keys}}, {{metrics}})
SELECT {{x_by}}, {{d_keys}}, {{d_sums}}
  FROM {{s}}.{{t}} d JOIN {{s}}.{ATTRIBUTES} x USING (structure_id)
 GROUP BY {{x_by}}, {{d_keys}}"""


def add(conn: Connection, schema: str, grain: str, doc: dict, emptied: bool) -> None:
    """Add the tally deltas `doc` (rows of `grain`) to the rollup of each structure's recorded
    attributes; `emptied`: some cells may have lost their last contribution. Before revision
    0005 (migration 0004 tallies through this code) there is nothing to add to; 0005 then fills
    the rollups from the tallies."""
    if grain not in OF or not _exists(conn, schema):
        return
    if grain == "tally":  # any structure with cells of a finer grain has tally cells too
        conn.execute(text(RECORD.format(s=schema)), doc)
    # Tally deltas carry their non-zero amounts only.
    conn.execute(text(_sql(ADD, schema, grain, sum_of="coalesce(d.{m}, 0)")), doc)
    if emptied:
        conn.execute(text(PRUNE.format(s=schema, r=OF[grain])))


def fill(conn: Connection, schema: str) -> None:
    """Empty rollups summed from whole tallies (a migration, a bulk rebuild), each structure
    under its current attributes."""
    conn.execute(text(FILL_RECORDED.format(s=schema)))
    for grain in OF:
        conn.execute(text(_sql(FILL, schema, grain, sum_of="d.{m}")))


def repair(conn: Connection, schema: str) -> None:
    """Forget the structures left without tally cells (after every grain took its deltas),
    and move the sums of those whose attributes changed (or arrived) to their current ones."""
    if not _exists(conn, schema):
        return
    conn.execute(text(FORGET.format(s=schema)))
    stale = [dict(r) for r in conn.execute(text(STALE.format(s=schema))).mappings()]
    if not stale:
        return
    # The ids as an array too: the planner then reads the moved structures' cells by primary
    # key, where it guessed a hundred structures from the JSON and read a whole tally (a
    # second or more at national scale, inside the catch-up's transaction).
    doc = {
        "doc": orjson.dumps(stale, default=str).decode(),
        "ids": [str(s["structure_id"]) for s in stale],
    }
    for grain in OF:
        conn.execute(text(_sql(MOVE, schema, grain, sum_of="x.sign * d.{m}")), doc)
        conn.execute(text(PRUNE.format(s=schema, r=OF[grain])))
    conn.execute(
        text(
            f"UPDATE {schema}.{ATTRIBUTES} k"
            f" SET {', '.join(f'{a} = m.{a}' for a in RECORDED)} FROM {MOVED}"
            " WHERE k.structure_id = m.structure_id"
        ),
        doc,
    )


def _sql(template: str, schema: str, grain: str, sum_of: str) -> str:
    return template.format(
        s=schema,
        r=OF[grain],
        t=grain,
        keys=", ".join(keys(grain)),
        metrics=", ".join(METRICS),
        x_by=", ".join(f"x.{a}" for a in BY[grain]),
        d_keys=", ".join(f"d.{c}" for c in GRAINS[grain][1:]),
        d_sums=", ".join(f"sum({sum_of.format(m=m)})" for m in METRICS),
        sums=", ".join(f"{m} = t.{m} + excluded.{m}" for m in METRICS),
    )


def _exists(conn: Connection, schema: str) -> bool:
    return conn.execute(
        text("SELECT to_regclass(:t) IS NOT NULL"), {"t": f"{schema}.{ATTRIBUTES}"}
    ).scalar_one()
