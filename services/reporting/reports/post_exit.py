"""The post-exit report: what became of the people who exited in a period (docs/domain.md §8).

Each row is an exit cohort (the exits of the period, by the outcome report's dimensions and
filters, dated by the exit): how many were followed 1, 3 and 6 months after, and how many were
in employment 6 months after (a situation in `emploi_durable` or `emploi_transition`). Outside
the structure itself, a row of fewer than 5 exits is suppressed, whatever the dimension, with
the complementary cells that would let it be recomputed.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from marshmallow import fields
from sqlalchemy import Connection

from services.reporting.catchup import checkpoints
from services.reporting.reports import asof, exports
from services.reporting.reports import outcomes as base
from services.reporting.reports import rows as sql
from shared.auth import Caller
from shared.domain.disclosure import Hidden, hidden_cells
from shared.domain.limits import MIN_CELL
from shared.domain.post_exit import EMPLOYMENT_MONTHS, FOLLOWED_MONTHS

METRICS = (
    "exits",
    *(f"followed_{m}" for m in FOLLOWED_MONTHS),
    f"in_employment_{EMPLOYMENT_MONTHS}_months",
)
RATE = f"rate_in_employment_{EMPLOYMENT_MONTHS}_months"
COLUMNS: exports.Columns = [
    ("Sorties", exports._get("exits"), exports.COUNT),
    *[
        (f"Suivies à {m} mois", exports._get(f"followed_{m}"), exports.COUNT)
        for m in FOLLOWED_MONTHS
    ],
    (
        f"En emploi à {EMPLOYMENT_MONTHS} mois",
        exports._get(f"in_employment_{EMPLOYMENT_MONTHS}_months"),
        exports.COUNT,
    ),
    (f"Taux d'emploi à {EMPLOYMENT_MONTHS} mois (%)", exports._get(RATE), exports.RATE),
]
# Each pathway row holds the months after its exit with a follow-up in force, and those in
# employment (projections/pathway_rows.py).
FOLLOW_UPS = "".join(f", {m} = ANY(p.followed_after) AS f{m}" for m in FOLLOWED_MONTHS)
EMPLOYED = f"{EMPLOYMENT_MONTHS} = ANY(p.employed_after) AS employed"
EXIT_MONTH = "to_char(p.exited_on, 'YYYY-MM')"
EXIT_MONTH_START = "CAST(date_trunc('month', p.exited_on) AS date)"


class PostExitParams(base.ReportParams):
    """Query parameters of GET /v1/reports/post-exit: those of the outcome report."""

    dimensions = base.DIMENSIONS

    group_by = fields.String(
        load_default="",
        metadata={
            "description": "Une ou deux dimensions séparées par une virgule : "
            + ", ".join(base.DIMENSIONS)
        },
    )


def post_exit_report(conn: Connection, caller: Caller, params: dict) -> dict:
    """The report as the JSON answer, in the outcome report's envelope; as known at
    `as_of_position` when the parameters name one (`asof.known_at`, like the outcome report)."""
    q = base.scoped_query(conn, caller, params)
    position = params.get("as_of_position")
    if position is None:
        return _report(conn, caller, q, checkpoints.included_position(conn))
    with asof.known_at(conn, position, base.scope_structures(conn, q)) as known:
        return _report(known, caller, q, position)


def _report(conn: Connection, caller: Caller, q: sql.Query, as_of: int) -> dict:
    collected = cohort_metrics(conn, q)
    if not q.dims:
        total = collected[()]
    elif not q.dated_windows and "criterion" not in q.dims:  # each exit in one row: summed
        total = {m: sum(int(raw.get(m) or 0) for raw in collected.values()) for m in METRICS}
    else:
        total = cohort_metrics(conn, dataclasses.replace(q, dims=())).get((), {})
    hide = _hidden(q, caller, collected, total)
    rows = []
    for key, raw in collected.items():
        values = dict(zip(q.dims, key, strict=True))
        rows.append({"key": values, **_metrics(raw, key in hide.cells)})
    base.label_and_sort(conn, q, rows)
    return {
        "from": q.start.isoformat(),
        "to": q.end.isoformat(),
        "group_by": list(q.dims),
        "as_of_position": as_of,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "rows": [{"key": r["key"], "label": r["label"], **_fields(r)} for r in rows],
        "total": _metrics(total, hide.total),
    }


def to_file(report: dict, fmt: str) -> bytes:
    """The report as a CSV or XLSX file, French headers."""
    if fmt == "csv":
        return exports.to_csv(report, COLUMNS)
    return exports.to_xlsx(report, COLUMNS, title="Après la sortie")


def _fields(row: dict) -> dict:
    return {k: v for k, v in row.items() if k not in ("key", "label")}


def _metrics(raw: dict, hidden: bool) -> dict:
    if hidden:
        return {**dict.fromkeys((*METRICS, RATE)), "suppressed": True}
    counts = {m: int(raw.get(m) or 0) for m in METRICS}
    employed = counts[f"in_employment_{EMPLOYMENT_MONTHS}_months"]
    exits = counts["exits"]
    return {**counts, RATE: employed / exits if exits else None, "suppressed": False}


def _hidden(q: sql.Query, caller: Caller, collected: dict, total: dict) -> Hidden[tuple]:
    """Nothing hidden from the structure itself; from anyone else, every cohort of fewer than
    5 exits, and the cells (or the total) that would give it away (docs/domain.md §10)."""
    if caller.scope == "structure":
        return Hidden(frozenset())
    counts = {key: int(raw.get("exits") or 0) for key, raw in collected.items()}
    hide = hidden_cells(counts, q.dims, every_dimension=True) if q.dims else Hidden(frozenset())
    small_total = int(total.get("exits") or 0) < MIN_CELL
    return Hidden(hide.cells, hide.total or small_total)


def cohort_metrics(conn: Connection, q: sql.Query) -> dict[tuple, dict]:
    """Exits of each row's window and their follow-ups, per row key; a pathway counts once
    under a key even when several windows (memberships, locations) hold its exit (`DISTINCT`,
    needed only then). By `month` or `annex`, a row's month is that of its exits: read from
    the exit date rather than by joining every month of the period (an exit is then in one
    month, and in the one annexe holding it)."""
    if q.monthly:
        yearly = dataclasses.replace(q, dims=tuple(d for d in q.dims if d not in sql.MONTHLY))
        ws, we = sql._window(yearly)
        keys_sql, with_ = sql._keys(q, EXIT_MONTH), ""
        joins = sql._joins(q, months=False, month=EXIT_MONTH_START)
    else:
        ws, we = sql._window(q)
        keys_sql, joins, with_ = sql._keys(q), sql._joins(q), sql._with(q)
    keys = sql._group_keys(q)
    moved = f" AND NOT {sql.MOVED_OUT}" if q.by_group else ""
    counts = "".join(f", count(*) FILTER (WHERE f{m}) AS followed_{m}" for m in FOLLOWED_MONTHS)
    distinct = "DISTINCT " if q.dated_windows else ""
    query = f"""{with_}
    SELECT {keys + ", " if keys else ""}count(*) AS exits{counts},
           count(*) FILTER (WHERE employed) AS in_employment_{EMPLOYMENT_MONTHS}_months
      FROM (SELECT {distinct}{sql._select_keys(keys_sql)}p.pathway_id{FOLLOW_UPS}, {EMPLOYED}
              FROM outcomes.pathways p {joins}
             WHERE p.exited_on BETWEEN CAST(:start AS date) AND CAST(:end AS date)
               AND p.exited_on BETWEEN {ws} AND {we} {sql._filters(q)}{moved}) AS x
     {"GROUP BY " + keys if keys else ""}"""
    found = sql._by_key(conn, q, query)
    if not q.dims:
        found.setdefault((), {})
    return found
