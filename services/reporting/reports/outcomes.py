"""The outcome report: parameters, scope, metrics assembled from the queries, suppression."""

from __future__ import annotations

import calendar
import dataclasses
from datetime import UTC, date, datetime

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import Connection

from services.reporting.catchup import checkpoints
from services.reporting.reports import asof, etp_cells, parked, tallied, territory
from services.reporting.reports import rows as queries
from services.reporting.reports.labels import (
    ANNEX_DIMENSION_LABELS,
    DIMENSION_LABELS,
    key_label,
)
from services.reporting.reports.rows import CATEGORIES, CLIENT_KINDS, COUNTED_CATEGORIES, Query
from shared.auth import Caller
from shared.domain.codes import DYNAMIC_CATEGORIES, STRUCTURE_KINDS
from shared.domain.disclosure import Hidden, hidden_cells
from shared.domain.limits import DAYS_PER_MONTH
from shared.domain.measures import USUAL_REFERENCE_HOURS, calendar_months, period_etp
from shared.domain.territories import DEPARTMENTS, REGIONS
from shared.problems import Problem

DIMENSIONS = (*DIMENSION_LABELS, *ANNEX_DIMENSION_LABELS)
# By annexe or measure: the tallies by measure (`tallied.MEASURES`), joined to the annexes'
# months when read; the pathway rows when those cannot answer exactly.
ANNEX_DIMENSIONS = frozenset(ANNEX_DIMENSION_LABELS)
MAX_PERIOD_YEARS = 20


class ReportParams(Schema):
    """Query parameters every report takes: the period, the scope filters, the format; the
    dimensions a report accepts are its `dimensions`."""

    dimensions: tuple[str, ...] = ()

    from_ = fields.Date(
        data_key="from",
        load_default=None,
        metadata={"description": "Premier jour (inclus) ; défaut : 1er janvier"},
    )
    to = fields.Date(load_default=None, metadata={"description": "Dernier jour (inclus)"})
    structure_id = fields.UUID(load_default=None)
    group_id = fields.UUID(load_default=None)
    kind = fields.String(load_default=None, validate=validate.OneOf(sorted(STRUCTURE_KINDS)))
    department = fields.String(load_default=None, validate=validate.OneOf(list(DEPARTMENTS)))
    region = fields.String(
        load_default=None,
        validate=validate.OneOf(list(REGIONS)),
        metadata={"description": "Code INSEE de la région de la structure (ex. 53, Bretagne)"},
    )
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv", "xlsx"]))
    min_position = fields.Integer(load_default=None, validate=validate.Range(min=0, max=2**62))
    as_of_position = fields.Integer(
        load_default=None,
        validate=validate.Range(min=0, max=2**62),
        metadata={
            "description": "Le rapport tel qu'il était connu quand le journal s'arrêtait à "
            "cette position (les événements enregistrés après sont ignorés)"
        },
    )

    @validates_schema
    def _dimensions(self, data: dict, **kwargs) -> None:
        dims = parse_group_by(data.get("group_by") or "")
        unknown = [d for d in dims if d not in self.dimensions]
        if unknown:
            raise ValidationError(f"Dimension inconnue : {', '.join(unknown)}.", "group_by")
        if len(dims) > 2 or len(set(dims)) != len(dims):
            raise ValidationError("Une ou deux dimensions différentes au plus.", "group_by")

    @validates_schema
    def _period(self, data: dict, **kwargs) -> None:
        start, end = period(data.get("from_"), data.get("to"))
        if start > end:
            raise ValidationError("La date de début est postérieure à la date de fin.", "from")
        if end.year - start.year > MAX_PERIOD_YEARS:
            raise ValidationError(f"Période de {MAX_PERIOD_YEARS} ans au plus.", "to")


class OutcomeParams(ReportParams):
    """Query parameters of GET /v1/reports/outcomes."""

    dimensions = DIMENSIONS

    group_by = fields.String(
        load_default="",
        metadata={
            "description": "Une ou deux dimensions séparées par une virgule : "
            + ", ".join(DIMENSIONS)
        },
    )


def parse_group_by(raw: str) -> list[str]:
    return [d.strip() for d in raw.split(",") if d.strip()]


def period(start: date | None, end: date | None) -> tuple[date, date]:
    """Defaults: the current calendar year up to today."""
    today = date.today()
    return start or date(today.year, 1, 1), end or today


def scoped_query(conn: Connection, caller: Caller, params: dict) -> Query:
    """The query the caller may run: structures see their own, groups their members, a
    territory the structures located in its area (`territory.area`, docs/domain.md §6c)."""
    structure_id = _str(params.get("structure_id"))
    group_id = _str(params.get("group_id"))
    if caller.scope == "structure":
        if structure_id and structure_id != caller.structure_id:
            raise Problem(403, "Une structure ne peut consulter que ses propres rapports.")
        structure_id = caller.structure_id
    elif caller.scope == "group":
        if group_id and group_id != caller.group_id:
            raise Problem(403, "Un groupe ne peut consulter que les rapports de ses membres.")
        if structure_id and not queries.ever_member(conn, str(caller.group_id), structure_id):
            raise Problem(403, "Cette structure n'est pas membre de votre groupe.")
        group_id = caller.group_id
    department, region = territory.area(
        conn, caller, params.get("department"), params.get("region"), structure_id
    )
    start, end = period(params.get("from_"), params.get("to"))
    return Query(
        start,
        end,
        tuple(parse_group_by(params.get("group_by") or "")),
        structure_id,
        group_id,
        params.get("kind"),
        department,
        region,
    )


def _str(value) -> str | None:
    return str(value) if value is not None else None


def outcome_report(conn: Connection, caller: Caller, params: dict) -> dict:
    """The whole report as the JSON answer: rows by the requested dimensions and a total; as
    known at `as_of_position` when the parameters name one (`asof.known_at`)."""
    q = scoped_query(conn, caller, params)
    position = params.get("as_of_position")
    if position is None:
        # Read first: each later statement sees a snapshot at least as recent, so the rows
        # include every event up to the position the answer claims (maybe more, never fewer).
        return _report(conn, caller, q, checkpoints.included_position(conn))
    with asof.known_at(conn, position, scope_structures(conn, q)) as known:
        return _report(known, caller, q, position)


def scope_structures(conn: Connection, q: Query) -> list[str] | None:
    """The structures whose pathways a report of `q` can read; None: any (network, area)."""
    if q.structure_id:
        return [q.structure_id]
    if q.group_id:
        return queries.members_ever(conn, q.group_id)
    return None


def _report(conn: Connection, caller: Caller, q: Query, as_of: int) -> dict:
    collected = _collect(conn, q)
    hide = _hidden(q, caller, collected)
    total_q = dataclasses.replace(q, dims=())
    total = _collect(conn, total_q).get((), {})
    _own_references(conn, q, collected, total)
    rows = [_row(q, key, metrics, key in hide.cells) for key, metrics in collected.items()]
    label_and_sort(conn, q, rows)
    return {
        "from": q.start.isoformat(),
        "to": q.end.isoformat(),
        "group_by": list(q.dims),
        "as_of_position": as_of,
        "parked_pathways": parked.parked_pathways(conn, q),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "rows": [{"key": r["key"], "label": r["label"], **r["metrics"]} for r in rows],
        "total": _suppressed(metrics_of(total, calendar_months(q.start, q.end)), hide.total),
    }


def label_and_sort(conn: Connection, q: Query, rows: list[dict]) -> None:
    """Give each row the French labels of its key, and put the rows in the order of their
    labels (months in calendar order)."""
    names = _names(conn, q, rows)
    for row in rows:
        row["label"] = {d: key_label(d, v, names) for d, v in row["key"].items()}
    rows.sort(key=lambda r: [r["label"][d] if d != "month" else r["key"][d] for d in q.dims])


def _own_references(conn: Connection, q: Query, collected: dict, total: dict) -> None:
    """ETP by each month's reference hours (the annexe's, else the measure's) when a month of
    the period has another than the usual one (docs/adr/0012-etp-attribution.md)."""
    found = etp_cells.realised_etp_months(conn, q)
    if found is None:
        return
    by_key, over_all = found
    for key, raw in collected.items():
        raw["etp_months"] = by_key.get(key, 0.0)
    total["etp_months"] = over_all


def _hidden(q: Query, caller: Caller, collected: dict[tuple, dict]) -> Hidden[tuple]:
    """The cells (and total) to hide: none for a structure reading its own data (domain §10)."""
    if caller.scope == "structure":
        return Hidden(frozenset())
    return hidden_cells({k: int(raw.get("active") or 0) for k, raw in collected.items()}, q.dims)


def _suppressed(metrics: dict, hidden: bool) -> dict:
    """A hidden total reads like a hidden row: every metric null and `suppressed`."""
    return {**{k: None for k in metrics}, "suppressed": True} if hidden else metrics


def _collect(conn: Connection, q: Query) -> dict[tuple, dict]:
    """Every family of metrics merged by row key (a month-only breakdown lists every month)."""
    merged: dict[tuple, dict] = {}
    if q.dims == ("month",):
        merged = {(m,): {} for m in _months(q.start, q.end)}
    if not q.dims:
        merged[()] = {}
    table = None if asof.rows_only(conn) else tallied.table(conn, q)
    if table:
        for key, values in tallied.metrics(conn, q, table).items():
            merged.setdefault(key, {}).update(values)
        return merged
    for family in (
        queries.pathway_metrics,
        queries.hours_metrics,
        queries.mad_metrics,
        queries.activity_metrics,
    ):
        for key, values in family(conn, q).items():
            merged.setdefault(key, {}).update(values)
    return merged


def _row(q: Query, key: tuple, raw: dict, hidden: bool) -> dict:
    values = dict(zip(q.dims, key, strict=True))
    start, end = q.start, q.end
    if "month" in values:
        start, end = _month_window(values["month"], q.start, q.end)
    metrics = metrics_of(raw, calendar_months(start, end))
    if hidden:
        metrics = {k: None for k in metrics}
    return {"key": values, "metrics": {**metrics, "suppressed": hidden}}


# Names of the raw aggregates, built once (a national report has thousands of rows).
_EXITS = tuple((c, f"exits_{c}") for c in CATEGORIES)
_COUNTED = tuple((c, f"counted_{c}") for c in COUNTED_CATEGORIES)
_MADS = tuple((k, f"mad_{k}") for k in CLIENT_KINDS)
_DYNAMIC = tuple(c for c in COUNTED_CATEGORIES if c in DYNAMIC_CATEGORIES)


def metrics_of(raw: dict, months: int) -> dict:
    """The contract's metrics from one row of raw aggregates over `months` calendar months.

    ETP: the row's hours are not split by measure, so they use the usual reference, which every
    default measure has (tests/shared/test_shared_measures.py keeps that true); a measure or an
    annexe with its own reference needs its hours apart.
    """
    n = _counts(raw)
    counted = {c: n(name) for c, name in _COUNTED}
    total_counted, exits = n("counted_exits"), n("exits")
    hours = float(raw.get("hours_worked") or 0)
    return {
        "entries": n("entries"),
        "active": n("active"),
        "exits": exits,
        "internal_moves": n("internal_moves"),
        "counted_exits": total_counted,
        "exits_by_category": {c: n(name) for c, name in _EXITS},
        "counted_exits_by_category": counted,
        "dynamic_exit_rate": _rate(sum(counted[c] for c in _DYNAMIC), total_counted),
        "durable_exit_rate": _rate(counted["emploi_durable"], total_counted),
        "average_months": (n("exit_days") / exits / DAYS_PER_MONTH) if exits else None,
        "hours_worked": hours,
        "etp": (
            period_etp([(hours, USUAL_REFERENCE_HOURS)], months)
            if "etp_months" not in raw
            else (raw["etp_months"] / months if months > 0 else 0.0)
        ),
        "mad_hours": {k: float(raw.get(name) or 0) for k, name in _MADS},
        "trainings_completed": n("trainings_completed"),
        "support_actions": n("support_actions"),
    }


def _counts(raw: dict):
    get = raw.get
    return lambda name: int(get(name) or 0)


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _months(start: date, end: date) -> list[str]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _month_window(month: str, start: date, end: date) -> tuple[date, date]:
    """The days of a month that lie in the period."""
    year, number = (int(p) for p in month.split("-"))
    last = calendar.monthrange(year, number)[1]
    return max(start, date(year, number, 1)), min(end, date(year, number, last))


def _names(conn: Connection, q: Query, rows: list[dict]) -> dict[str, str]:
    found: dict[str, str] = {}
    for dim, table in (("structure", "structures"), ("group", "groups")):
        if dim in q.dims:
            ids = sorted({r["key"][dim] for r in rows if r["key"][dim]})
            found.update(queries.names(conn, table, ids))
    if "annex" in q.dims:
        ids = sorted({r["key"]["annex"] for r in rows if r["key"]["annex"]})
        found.update(queries.names(conn, "annexes", ids, column="number"))
    return found
