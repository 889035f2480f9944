"""The sums the ETP report, the outcome report's ETP and the annexe alerts read: hours, funded
and realised ETP-months by row key, from `outcomes.measure_hours` and
`reference_data.annex_months` (docs/adr/0012-etp-attribution.md). Scoping and filters are
`where` alone, so that territory scoping can extend one function."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import Connection, text

from services.reporting.reports.rows import DEFAULT_MEASURES as _DEFAULTS
from services.reporting.reports.rows import Query, located_sql
from shared.domain.measures import MEASURES, USUAL_REFERENCE_HOURS

# Each measure's reference hours, as an SQL table (each kind's default measure: `_DEFAULTS`).
_REFERENCES = ", ".join(f"('{m.code}', {m.reference_hours})" for m in MEASURES.values())
# Column of each dimension in the cells (`c`), and of its structure (`s`), grouped on as they
# are stored (uuids, dates: faster to hash and sort than their text), then shown as text.
_KEYS = {
    "annex": "c.annex_id",
    "structure": "c.structure_id",
    "group": "g.group_id",
    "kind": "s.kind",
    "department": "s.department",
    "region": "s.region",
    "measure": "c.measure",
    "month": "c.month",
}
_SHOWN = {"annex": "{k}::text", "structure": "{k}::text", "group": "{k}::text"}
_SHOWN["month"] = "to_char({k}, 'YYYY-MM')"
# Structure attributes: the cells join the structures again only when a row key reads one.
_ATTRIBUTES = frozenset({"kind", "department", "region"})
# Each (structure, measure, month) is one row of `measure_hours` (its measure resolved) and at
# most one of `annex_months`, both read over the period's months only: one full join of the
# two (≈ structures × months nationally), realised ETP in floating point.
CELLS = f"""
WITH hours AS (
  SELECT h.structure_id, coalesce(nullif(h.measure, ''), d.measure) AS measure, h.month,
         h.hours
    FROM outcomes.measure_hours h
    JOIN reference_data.structures s ON s.id = h.structure_id
    LEFT JOIN (VALUES {_DEFAULTS}) AS d (kind, measure) ON d.kind = s.kind
   WHERE h.month BETWEEN :first AND :last {{where_h}}
), funded AS (
  SELECT a.structure_id, a.measure, a.month, a.annex_id, a.etp_conventioned, a.reference_hours
    FROM reference_data.annex_months a {{structures_a}}
   WHERE a.month BETWEEN :first AND :last {{where_a}}
), cells AS (
  SELECT coalesce(h.structure_id, f.structure_id) AS structure_id,
         coalesce(h.measure, f.measure) AS measure, coalesce(h.month, f.month) AS month,
         f.annex_id, f.etp_conventioned AS funded, h.hours,
         h.hours::float8 * 12 / coalesce(f.reference_hours::float8, r.hours,
                                         {USUAL_REFERENCE_HOURS}) AS etp
    FROM hours h
    FULL JOIN funded f
      ON f.structure_id = h.structure_id AND f.measure = h.measure AND f.month = h.month
    LEFT JOIN (VALUES {_REFERENCES}) AS r (measure, hours)
      ON r.measure = coalesce(h.measure, f.measure)
)
SELECT {{shown}} coalesce(funded, 0)::float8, coalesce(etp, 0)::float8,
       coalesce(hours, 0)::float8, coalesce(outside, 0)::float8 {{names}} FROM (
  SELECT {{keys}} sum(c.funded) AS funded, sum(c.etp) AS etp, sum(c.hours) AS hours,
         sum(c.hours) FILTER (WHERE c.annex_id IS NULL) AS outside
    FROM cells c {{structures}} {{groups}}
   {{group_by}}) x {{named}}"""
# The names rows are labelled with (an annexe's number), joined to the few rows, not looked up.
_NAMES = {
    "annex": ("annexes", "number"),
    "structure": ("structures", "name"),
    "group": ("groups", "name"),
}
# A month counts for a group when the structure was a member on one of its days (both ends
# inclusive), as hours do in the outcome report (docs/adr/0006-projections.md).
MEMBERS = """
  JOIN (SELECT DISTINCT group_id, structure_id, joined_on, left_on
          FROM reference_data.memberships {only}) AS g
    ON g.structure_id = c.structure_id AND g.joined_on < c.month + interval '1 month'
   AND coalesce(g.left_on, 'infinity'::date) >= c.month"""


# A cell's month counts for an area when its structure was located there on one of its days.
MONTH_END = "({month} + interval '1 month' - interval '1 day')::date"
# Set in a query's `params`: only the structures located in the area on that day (alerts).
PRESENT_ON = "present_on"


def where_of(q: Query, cell: str = "c", structure: str = "") -> tuple[str, dict]:
    """The filters every cell `cell` (its structure: `structure`) passes, scope included, on
    the structure `s`; an area (a territory's scope) by the structure's dated locations over
    the cell's month, as the outcome report reads it (services/reporting/reports/rows.py)."""
    sql = ""
    params: dict[str, object] = {}
    if q.structure_id:
        sql += " AND s.id = CAST(:structure_id AS uuid)"
        params["structure_id"] = q.structure_id
    if q.kind:
        sql += " AND s.kind = :kind"
        params["kind"] = q.kind
    if q.located:
        present_on = q.params.get(PRESENT_ON)
        first, last = (
            ("CAST(:present_on AS date)",) * 2
            if present_on
            else (f"{cell}.month", MONTH_END.format(month=f"{cell}.month"))
        )
        sql += " AND " + located_sql(structure or f"{cell}.structure_id", first, last)
        params.update(department=q.department, region=q.region, present_on=present_on)
    return sql, params


def sums(conn: Connection, q: Query) -> dict[tuple, tuple[float, ...]]:
    """(funded ETP-months, realised ETP-months, hours, hours outside) by row key."""
    return sums_and_total(conn, q)[0]


def sums_and_total(
    conn: Connection, q: Query, names: dict[str, dict] | None = None
) -> tuple[dict[tuple, tuple[float, ...]], tuple[float, ...]]:
    """The sums by row key and over every row, from one reading of the cells; `names`, when
    given, gets the name of each structure, group and annexe the rows name, by dimension."""
    where_h, params = where_of(q, "h")
    where_a, _ = where_of(q, "a")
    groups = ""
    if q.by_group:
        only = "WHERE group_id = CAST(:group_id AS uuid)" if q.group_id else ""
        groups = MEMBERS.format(only=only)
        params["group_id"] = q.group_id
    width = len(q.dims)
    keys = "".join(f"{_KEYS[d]} AS k{i}, " for i, d in enumerate(q.dims))
    shown = "".join(
        _SHOWN.get(d, "{k}").format(k=f"k{i}") + f" AS k{i}, " for i, d in enumerate(q.dims)
    )
    group_by = ""
    if q.dims:
        ks = ", ".join(_KEYS[d] for d in q.dims)
        group_by = f"GROUP BY GROUPING SETS (({ks}), ())"
        keys += f"GROUPING({ks}) AS total, "
        shown += "total, "
    named = [(i, d) for i, d in enumerate(q.dims) if names is not None and d in _NAMES]
    joined = "".join(
        f" LEFT JOIN reference_data.{_NAMES[d][0]} n{i} ON n{i}.id = x.k{i}" for i, d in named
    )
    labels = "".join(f", n{i}.{_NAMES[d][1]}" for i, d in named)
    structures = ""
    if _ATTRIBUTES & set(q.dims):
        structures = "JOIN reference_data.structures s ON s.id = c.structure_id"
    sql = CELLS.format(
        where_h=where_h,
        where_a=where_a,
        keys=keys,
        shown=shown,
        structures=structures,
        groups=groups,
        group_by=group_by,
        names=labels,
        named=joined,
        # The registry publishes an annexe after its structure: joined only to be filtered.
        structures_a="JOIN reference_data.structures s ON s.id = a.structure_id" if where_a else "",
    )
    first, last = q.start.replace(day=1), q.end.replace(day=1)
    params.update(first=first, last=last)
    found: dict[tuple, tuple[float, ...]] = {}
    total: tuple[float, ...] = (0.0, 0.0, 0.0, 0.0)
    count = len(named)
    for row in conn.execute(text(sql), params).all():
        values = tuple(row[len(row) - 4 - count : len(row) - count])
        if q.dims and row[width]:  # every key grouped away: the total
            total = values
        elif not q.dims:
            found[()] = total = values
        else:
            found[tuple(row[:width])] = values
            for j, (i, d) in enumerate(named):
                if row[i] is not None:
                    names[d][row[i]] = row[len(row) - count + j]  # type: ignore[index]
    return found, total


# Whether any month of the window has a reference other than the usual one: only then does the
# outcome report's ETP need the hours apart by annexe (every default measure has the usual one,
# tests/shared/test_shared_measures.py). A structure's own report looks at its annexes only
# (by primary key): the live report a structure polls does not read every annexe month.
OWN_REFERENCE = f"""
SELECT EXISTS (SELECT 1 FROM reference_data.annex_months
                WHERE month BETWEEN :first AND :last AND reference_hours <> {USUAL_REFERENCE_HOURS}
                      {{only}})
"""
OF_STRUCTURE = "AND structure_id = CAST(:structure_id AS uuid)"
PERSON_KEYS = {"criterion": "cr.criterion", "sex": "p.sex", "age_band": "p.age_band"}
PATHWAY_ETP = f"""
SELECT {{keys}} sum(h.hours * 12 / coalesce(a.reference_hours, r.hours, {USUAL_REFERENCE_HOURS}))
  FROM outcomes.monthly_hours h JOIN outcomes.pathways p USING (pathway_id)
  JOIN reference_data.structures s ON s.id = p.structure_id
  LEFT JOIN (VALUES {_DEFAULTS}) AS d (kind, measure) ON d.kind = s.kind
  LEFT JOIN reference_data.annex_months a ON a.structure_id = p.structure_id
   AND a.measure = coalesce(p.measure, d.measure) AND a.month = h.month
  LEFT JOIN (VALUES {_REFERENCES}) AS r (measure, hours)
    ON r.measure = coalesce(p.measure, d.measure)
  {{joins}}
 WHERE h.month BETWEEN :first AND :last {{where}}
 {{group_by}}"""


def realised_etp_months(conn: Connection, q: Query) -> tuple[dict[tuple, float], float] | None:
    """Σ over the months of each row of the outcome report of hours × 12 / the month's reference
    (the annexe's, else the measure's), by row key, and over the whole report; None when every
    month of the window has the usual reference, so that the report's own hours already give it."""
    first, last = q.start.replace(day=1), q.end.replace(day=1)
    window = {"first": first, "last": last}
    only = OF_STRUCTURE if q.structure_id else ""
    own = text(OWN_REFERENCE.format(only=only))
    if not conn.execute(own, {**window, "structure_id": q.structure_id}).scalar_one():
        return None
    if not any(d in PERSON_KEYS for d in q.dims):
        by_key, total = sums_and_total(conn, q)  # one reading of the cells for both
        return {k: v[1] for k, v in by_key.items()}, total[1]
    return _by_person_keys(conn, q, window), sums_and_total(conn, replace(q, dims=()))[1][1]


def _by_person_keys(conn: Connection, q: Query, window: dict) -> dict[tuple, float]:
    """Realised ETP-months by row keys that name the people's attributes: from pathway rows."""
    where, params = where_of(q, "h", "p.structure_id")
    keys = {**_KEYS, **PERSON_KEYS, "structure": "p.structure_id::text"}
    joins = " JOIN outcomes.criteria cr USING (pathway_id)" if "criterion" in q.dims else ""
    if q.by_group:
        only = "WHERE group_id = CAST(:group_id AS uuid)" if q.group_id else ""
        joins += (
            MEMBERS.format(only=only)
            .replace("c.", "h.")
            .replace("h.structure_id", "p.structure_id")
        )
        params["group_id"] = q.group_id
    columns = "".join(
        f"{keys[d].replace('c.month', 'h.month')} AS k{i}, " for i, d in enumerate(q.dims)
    )
    group_by = ("GROUP BY " + ", ".join(f"k{i}" for i in range(len(q.dims)))) if q.dims else ""
    sql = PATHWAY_ETP.format(keys=columns, joins=joins, where=where, group_by=group_by)
    rows = conn.execute(text(sql), {**params, **window})
    return {tuple(r[:-1]): float(r[-1] or 0) for r in rows}
