"""Hours declared per structure, measure and month (`measure_hours`): what the ETP report and
the outcome report's ETP read, so that neither scans pathways (docs/adr/0012-etp-attribution.md).

A pathway's measure is the one it names at opening, or `''` for its structure kind's default:
the kind is reference data, resolved when a report reads the cell, as the counted-exit basis is
(docs/adr/0006-projections.md). Which annexe a month belongs to is not stored here either
(`reference_data.annex_months`): an annexe created or amended later changes no derived row.
A batch takes away what the touched pathways added before and adds what they add after; amounts
are exact decimals and an emptied cell (`n = 0`) is deleted, so catch-up and rebuild agree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal

import orjson
from sqlalchemy import Connection, text

from shared.domain.pathway.state import PathwayState

TABLE = "measure_hours"
# The cells a batch changes, written as one JSON document: summed into existing cells.
UPSERT = """
INSERT INTO {s}.measure_hours AS t (structure_id, measure, month, hours, n)
SELECT structure_id, measure, month, hours, n
  FROM json_populate_recordset(NULL::{s}.measure_hours, CAST(:doc AS json))
ON CONFLICT (structure_id, month, measure)
DO UPDATE SET hours = t.hours + excluded.hours, n = t.n + excluded.n"""
PRUNE = """
DELETE FROM {s}.measure_hours AS t
 USING json_populate_recordset(NULL::{s}.measure_hours, CAST(:doc AS json)) AS d
 WHERE t.structure_id = d.structure_id AND t.month = d.month AND t.measure = d.measure
   AND t.n = 0"""
# The whole table from the pathway rows, for a rebuild (the same sums as a catch-up).
FILL = """
INSERT INTO {s}.measure_hours (structure_id, measure, month, hours, n)
SELECT p.structure_id, coalesce(p.measure, ''), h.month, sum(h.hours), count(*)
  FROM {s}.monthly_hours h JOIN {s}.pathways p USING (pathway_id)
 GROUP BY 1, 2, 3"""

Cell = tuple[str, str, str]


def cells(state: PathwayState | None) -> dict[Cell, Decimal]:
    """(structure, measure or '', month) → the hours a pathway adds there."""
    if state is None or state.opened_on is None or state.structure_id is None:
        return {}
    measure = state.measure or ""
    return {
        (state.structure_id, measure, f"{month}-01"): _dec(hours)
        for month, hours in state.hours_by_month.items()
    }


def write(
    conn: Connection,
    schema: str,
    before: Mapping[str, PathwayState],
    after: Mapping[str, PathwayState],
) -> None:
    """Add what the pathways contribute after the batch, take away what they did before."""
    hours: dict[Cell, Decimal] = defaultdict(Decimal)
    count: dict[Cell, int] = defaultdict(int)
    for pid in before.keys() | after.keys():
        was, now = before.get(pid), after.get(pid)
        if was is not None and now is not None and _same(was, now):
            continue
        for cell, amount in cells(was).items():
            hours[cell] -= amount
            count[cell] -= 1
        for cell, amount in cells(now).items():
            hours[cell] += amount
            count[cell] += 1
    rows = [
        {"structure_id": s, "measure": m, "month": month, "hours": str(hours[c]), "n": count[c]}
        for c in hours
        if (hours[c] or count[c])
        for s, m, month in (c,)
    ]
    if rows:
        doc = {"doc": orjson.dumps(rows).decode()}
        conn.execute(text(UPSERT.format(s=schema)), doc)
        conn.execute(text(PRUNE.format(s=schema)), doc)


def fill(conn: Connection, schema: str) -> None:
    """Sum the whole table from the pathway rows (a rebuild's tables are new and empty)."""
    conn.exec_driver_sql(FILL.format(s=schema))


def _same(was: PathwayState, now: PathwayState) -> bool:
    return (
        was.hours_by_month == now.hours_by_month
        and was.structure_id == now.structure_id
        and was.measure == now.measure
        and (was.opened_on is None) == (now.opened_on is None)
    )


def _dec(value: float) -> Decimal:
    """The decimal a float is written as (its shortest repr): exact, as in the JSON rows."""
    return Decimal(repr(float(value)))
