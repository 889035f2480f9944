"""The sums the ETP report, the outcome report's ETP and the annexe alerts read: hours, funded
and realised ETP-months by row key, from `outcomes.measure_hours` and
`reference_data.annex_months` (docs/adr/0012-etp-attribution.md). Scoping and filters are
`where` alone, so that territory scoping can extend one function."""

from __future__ import annotations

from sqlalchemy import Connection, text

from services.reporting.reports.rows import DEFAULT_MEASURES as _DEFAULTS
from services.reporting.reports.rows import Query
from shared.domain.measures import MEASURES, USUAL_REFERENCE_HOURS

# Each measure's reference hours, as an SQL table (each kind's default measure: `_DEFAULTS`).
_REFERENCES = ", ".join(f"('{m.code}', {m.reference_hours})" for m in MEASURES.values())
# Column of each dimension in the joined cells (`c`), and of its structure (`s`).
_KEYS = {
    "annex": "c.annex_id::text",
    "structure": "c.structure_id::text",
    "group": "g.group_id::text",
    "kind": "s.kind",
    "department": "s.department",
    "region": "s.region",
    "measure": "c.measure",
    "month": "to_char(c.month, 'YYYY-MM')",
}
CELLS = f"""
WITH hours AS (
  SELECT h.structure_id, coalesce(nullif(h.measure, ''), d.measure) AS measure, h.month,
         h.hours
    FROM outcomes.measure_hours h
    JOIN reference_data.structures s ON s.id = h.structure_id
    LEFT JOIN (VALUES {_DEFAULTS}) AS d (kind, measure) ON d.kind = s.kind
   WHERE h.month BETWEEN :first AND :last {{where}}
), funded AS (
  SELECT a.structure_id, a.measure, a.month, a.annex_id, a.etp_conventioned, a.reference_hours
    FROM reference_data.annex_months a
    JOIN reference_data.structures s ON s.id = a.structure_id
   WHERE a.month BETWEEN :first AND :last {{where}}
), cells AS (
  SELECT coalesce(h.structure_id, f.structure_id) AS structure_id,
         coalesce(h.measure, f.measure) AS measure, coalesce(h.month, f.month) AS month,
         f.annex_id, coalesce(f.etp_conventioned, 0) AS funded, coalesce(h.hours, 0) AS hours,
         coalesce(h.hours, 0) * 12
           / coalesce(f.reference_hours, r.hours, {USUAL_REFERENCE_HOURS}) AS etp
    FROM hours h
    FULL JOIN funded f
      ON f.structure_id = h.structure_id AND f.measure = h.measure AND f.month = h.month
    LEFT JOIN (VALUES {_REFERENCES}) AS r (measure, hours)
      ON r.measure = coalesce(h.measure, f.measure)
)
SELECT {{keys}} sum(c.funded) AS funded, sum(c.etp) AS etp, sum(c.hours) AS hours,
       sum(c.hours) FILTER (WHERE c.annex_id IS NULL) AS outside
  FROM cells c JOIN reference_data.structures s ON s.id = c.structure_id {{groups}}
 {{group_by}}"""
# A month counts for a group when the structure was a member on one of its days (both ends
# inclusive), as hours do in the outcome report (docs/adr/0006-projections.md).
MEMBERS = """
  JOIN (SELECT DISTINCT group_id, structure_id, joined_on, left_on
          FROM reference_data.memberships {only}) AS g
    ON g.structure_id = c.structure_id AND g.joined_on < c.month + interval '1 month'
   AND coalesce(g.left_on, 'infinity'::date) >= c.month"""


def where_of(q: Query) -> tuple[str, dict]:
    """The filters every cell passes (scope included), on the structure `s`."""
    sql, params = "", {}
    if q.structure_id:
        sql += " AND s.id = CAST(:structure_id AS uuid)"
        params["structure_id"] = q.structure_id
    for name in ("kind", "department", "region"):
        if getattr(q, name):
            sql += f" AND s.{name} = :{name}"
            params[name] = getattr(q, name)
    return sql, params


def sums(conn: Connection, q: Query) -> dict[tuple, tuple[float, ...]]:
    """(funded ETP-months, realised ETP-months, hours, hours outside) by row key."""
    where, params = where_of(q)
    groups = ""
    if q.by_group:
        only = "WHERE group_id = CAST(:group_id AS uuid)" if q.group_id else ""
        groups = MEMBERS.format(only=only)
        params["group_id"] = q.group_id
    keys = "".join(f"{_KEYS[d]} AS k{i}, " for i, d in enumerate(q.dims))
    group_by = ("GROUP BY " + ", ".join(f"k{i}" for i in range(len(q.dims)))) if q.dims else ""
    sql = CELLS.format(where=where, keys=keys, groups=groups, group_by=group_by)
    first, last = q.start.replace(day=1), q.end.replace(day=1)
    params.update(first=first, last=last)
    found = {}
    for row in conn.execute(text(sql), params):
        key, values = tuple(row[: len(q.dims)]), row[len(q.dims) :]
        found[key] = tuple(float(v or 0) for v in values)
    return found


# Whether any month of the window has a reference other than the usual one: only then does the
# outcome report's ETP need the hours apart by annexe (every default measure has the usual one,
# tests/shared/test_shared_measures.py).
OWN_REFERENCE = f"""
SELECT EXISTS (SELECT 1 FROM reference_data.annex_months
                WHERE month BETWEEN :first AND :last AND reference_hours <> {USUAL_REFERENCE_HOURS})
"""
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


def realised_etp_months(conn: Connection, q: Query) -> dict[tuple, float] | None:
    """Σ over the months of each row of the outcome report of hours × 12 / the month's reference
    (the annexe's, else the measure's), by row key; None when every month of the window has the
    usual reference, so that the report's own hours already give it."""
    first, last = q.start.replace(day=1), q.end.replace(day=1)
    window = {"first": first, "last": last}
    if not conn.execute(text(OWN_REFERENCE), window).scalar_one():
        return None
    if not any(d in PERSON_KEYS for d in q.dims):
        return {k: v[1] for k, v in sums(conn, q).items()}
    where, params = where_of(q)
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
