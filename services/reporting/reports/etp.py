"""ETP conventionnés vs réalisés (docs/domain.md §6, §6b; docs/adr/0012-etp-attribution.md).

Served from two small tables, never from the pathway rows: `outcomes.measure_hours` (hours per
structure, measure and month) and `reference_data.annex_months` (the counting annexe each month
of a structure and measure belongs to, its funded ETP that month and its reference hours). Over
the calendar months the period overlaps, `etp_conventioned` is the mean of the funded ETP
(a month without annexe counts 0) and `etp_realised` the mean of the monthly ETP (hours × 12 /
the annexe's reference hours, or the measure's default outside any annexe).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date, timedelta
from operator import itemgetter

from marshmallow import fields
from sqlalchemy import Connection, text

from services.reporting.catchup import checkpoints
from services.reporting.reports import asof, etp_cells, exports, outcomes
from services.reporting.reports.labels import (
    ANNEX_DIMENSION_LABELS,
    DIMENSION_LABELS,
    key_label,
    month_label,
)
from services.reporting.reports.rows import Query
from shared.auth import Caller
from shared.domain.annexes import consumption_code, consumption_message, months_touched
from shared.domain.measures import calendar_months

ETP_DIMENSIONS = ("annex", "structure", "group", "kind", "department", "region", "measure", "month")
DIMENSION_NAMES = {**DIMENSION_LABELS, **ANNEX_DIMENSION_LABELS}

# Export columns (services/reporting/reports/exports.py): French headers.
COLUMNS: exports.Columns = [
    ("ETP conventionnés", itemgetter("etp_conventioned"), exports.DECIMAL),
    ("ETP réalisés", itemgetter("etp_realised"), exports.DECIMAL),
    ("Taux de consommation (%)", itemgetter("consumption_rate"), exports.RATE),
    ("Heures travaillées", itemgetter("hours_worked"), exports.DECIMAL),
    ("Heures hors annexe", itemgetter("hours_outside_annex"), exports.DECIMAL),
]


class EtpParams(outcomes.ReportParams):
    """Query parameters of GET /v1/reports/etp."""

    dimensions = ETP_DIMENSIONS

    group_by = fields.String(
        load_default="annex",
        metadata={
            "description": "Une ou deux dimensions séparées par une virgule (défaut : annex) : "
            + ", ".join(ETP_DIMENSIONS)
        },
    )


def etp_scope(conn: Connection, caller: Caller, params: dict) -> Query:
    """What the caller may read, as the outcome report scopes it: a structure its own, a group
    its members on the dates of membership, a territory the structures located in its area on
    the dates they were there (`territory.area`, then `etp_cells.where_of` by dated locations),
    network and admin everything."""
    return outcomes.scoped_query(conn, caller, {"group_by": "", **params})


def etp_report(conn: Connection, caller: Caller, params: dict) -> dict:
    """The whole report as the JSON answer: rows by the requested dimensions and a total."""
    q = etp_scope(conn, caller, params)
    dims = tuple(outcomes.parse_group_by(params.get("group_by") or "annex"))
    q = dataclasses.replace(q, dims=dims)
    position = params.get("as_of_position")
    if position is None:
        return _report(conn, q, checkpoints.included_position(conn))
    with asof.known_at(conn, position, outcomes.scope_structures(conn, q)) as known:
        return _report(known, q, position)


def _report(conn: Connection, q: Query, as_of: int) -> dict:
    dims = q.dims
    months = calendar_months(q.start, q.end)
    labels: dict[str, dict] = {d: {} for d in dims}
    found, total = etp_cells.sums_and_total(conn, q, labels)
    if dims == ("month",):
        for month in _months(q.start, q.end):
            found.setdefault((month,), (0.0, 0.0, 0.0, 0.0))
    rows = []
    for key, sums in found.items():
        values = dict(zip(dims, key, strict=True))
        n = 1 if "month" in values else months
        label = {d: labels[d].get(v) or _label(d, v) for d, v in values.items()}
        rows.append({"key": values, "label": label, **_metrics(sums, n)})
    rows.sort(key=lambda r: [r["key"][d] or "" if d == "month" else r["label"][d] for d in dims])
    return {
        "from": q.start.isoformat(),
        "to": q.end.isoformat(),
        "group_by": list(dims),
        "as_of_position": as_of,
        "rows": rows,
        "total": _metrics(total, months),
    }


def to_file(report: dict, fmt: str, preamble: Sequence[Sequence[str]] = ()) -> bytes:
    """The report as a CSV or XLSX file, French headers (the API's and the dashboard's)."""
    if fmt == "csv":
        return exports.to_csv(report, COLUMNS, DIMENSION_NAMES, preamble)
    return exports.to_xlsx(report, COLUMNS, DIMENSION_NAMES, title="ETP", preamble=preamble)


def _metrics(sums: tuple[float, ...], months: int) -> dict:
    funded, etp, hours, outside = sums
    conventioned, realised = funded / months, etp / months
    return {
        "etp_conventioned": conventioned,
        "etp_realised": realised,
        "consumption_rate": realised / conventioned if conventioned else None,
        "hours_worked": hours,
        "hours_outside_annex": outside,
    }


def _label(dimension: str, value: str | None) -> str:
    if dimension == "month" and value:
        return month_label(value)
    return key_label(dimension, value, {})


def _months(start: date, end: date) -> list[str]:
    return [m.strftime("%Y-%m") for m in months_touched(start, end)]


def annex_alerts(
    conn: Connection,
    caller: Caller,
    today: date,
    structure_id: str | None,
    thresholds: tuple[float, float],
) -> list[dict]:
    """Counting annexes consuming too little or too much over the year so far: their months
    from January to the last complete month (of last year in January), docs/adr/0012. A
    territory reads those of the structures located in its area today, as it reads the other
    alerts about a structure (reports/alerts.py), each over the annexe's whole months."""
    last = today.replace(day=1) - timedelta(days=1)
    q = Query(date(last.year, 1, 1), last, ("annex", "structure"), structure_id)
    if caller.scope == "structure":
        q = dataclasses.replace(q, structure_id=caller.structure_id)
    elif caller.scope == "group":
        q = dataclasses.replace(q, group_id=caller.group_id)
    elif caller.scope == "territory":
        if caller.department is None and caller.region is None:
            return []
        q = dataclasses.replace(
            q,
            department=caller.department,
            region=caller.region,
            params={etp_cells.PRESENT_ON: today},
        )
    found = etp_cells.sums(conn, q)
    ids = sorted({annex for annex, _ in found if annex})
    annexes = {
        r.id: r
        for r in conn.execute(
            text(
                "SELECT id::text, number, ends_on FROM reference_data.annexes"
                " WHERE id = ANY(CAST(:ids AS uuid[]))"
            ),
            {"ids": ids},
        )
    }
    alerts, months = [], last.month
    for (annex_id, structure), sums in found.items():
        funded, realised = sums[0] / months, sums[1] / months
        code = consumption_code(realised, funded, *thresholds) if annex_id else None
        if code:
            annex = annexes[annex_id]
            alerts.append(
                {
                    "pathway_id": None,
                    "structure_id": structure,
                    "code": code,
                    "message": consumption_message(annex.number, realised, funded, last),
                    "due_on": annex.ends_on.isoformat(),
                }
            )
    return alerts
