"""Where the dashboard's numbers come from: the report functions the API serves, called with the
signed-in caller, so the page and the API can never disagree (docs/dashboard.md). Nothing is
fetched over HTTP while a page is served: reports, alerts and the lists of structures and GES
are read from reporting's own tables."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from flask import current_app
from marshmallow import ValidationError

from services.reporting import reading
from services.reporting.dashboard.query import Selection, in_region, report_params
from services.reporting.reports import alerts as alert_reports
from services.reporting.reports import directory, etp, exports
from services.reporting.reports import outcomes as reports
from shared.auth import Caller
from shared.domain.territories import DEPARTMENT_REGION
from shared.problems import Problem, flatten_errors

# The most urgent alerts only; the API gives them all (our choice, to keep the page light).
MAX_ALERTS_SHOWN = 50
MAX_ALERTS_PAGE = 1000  # the API's largest page, filtered and sorted here
PARAMS = reports.OutcomeParams()
ETP_PARAMS = etp.EtpParams()
INVALID = "Les paramètres du rapport ne sont pas valides"

# The report API filters by département, not by region: its file would hold every region.
REGION_EXPORT = (
    "Le téléchargement n'est pas proposé pour un filtre par région : choisissez un "
    "département, ou retirez le filtre et ventilez le tableau par région."
)


class ReportRefused(Exception):
    """The report API said no (scope, validation, availability): its status and French detail."""

    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status = status
        self.detail = detail


def _engine():
    return current_app.extensions["iae_engine"]


def outcome_report(caller: Caller, params: Mapping[str, str]) -> dict:
    """The outcome report for `params` (the API's query parameters), as the API computes it."""
    try:
        loaded = PARAMS.load(dict(params))
    except ValidationError as error:
        fields = "; ".join(f"{k} : {v}" for k, v in flatten_errors(error.messages).items())
        raise ReportRefused(422, f"{INVALID} ({fields}).") from None
    try:
        with reading.reader().connect(loaded["min_position"]) as conn:
            return reports.outcome_report(conn, caller, loaded)
    except Problem as problem:
        raise ReportRefused(problem.status, problem.detail) from None


def etp_report(caller: Caller, params: Mapping[str, str]) -> dict:
    """The ETP report for `params` (the API's query parameters), as the API computes it."""
    try:
        loaded = ETP_PARAMS.load(dict(params))
    except ValidationError as error:
        fields = "; ".join(f"{k} : {v}" for k, v in flatten_errors(error.messages).items())
        raise ReportRefused(422, f"{INVALID} ({fields}).") from None
    try:
        with reading.reader().connect(loaded["min_position"]) as conn:
            return etp.etp_report(conn, caller, loaded)
    except Problem as problem:
        raise ReportRefused(problem.status, problem.detail) from None


def etp_export(caller: Caller, params: Mapping[str, str], fmt: str) -> bytes:
    """The ETP report's CSV or XLSX file, as the API writes it (services/reporting/api.py)."""
    return etp.to_file(etp_report(caller, params), fmt)


def export(caller: Caller, params: Mapping[str, str], fmt: str) -> bytes:
    """The report's CSV or XLSX file, as the API writes it."""
    report = outcome_report(caller, params)
    return exports.to_csv(report) if fmt == "csv" else exports.to_xlsx(report)


def fetch_report(chosen: Selection, caller: Caller, group_by: tuple[str, ...]) -> dict:
    """The report as JSON, with the rows of a chosen region only."""
    report = outcome_report(caller, report_params(chosen, group_by))
    report["rows"] = [r for r in report.get("rows", []) if in_region(r, chosen.region)]
    return report


def headline(chosen: Selection, caller: Caller) -> dict:
    """The totals of the selection (the region's row when a region is chosen)."""
    report = fetch_report(chosen, caller, ())
    if chosen.region:
        return report["rows"][0] if report["rows"] else {}
    return report.get("total", {})


def monthly(chosen: Selection, caller: Caller) -> list[dict]:
    """Entries and exits for every month of the period, zero where the report has no row."""
    rows = fetch_report(chosen, caller, ("month",))["rows"]
    by_month = {r["key"].get("month"): r for r in rows}
    return [
        {
            "month": m,
            "entries": by_month.get(m, {}).get("entries") or 0,
            "exits": by_month.get(m, {}).get("exits") or 0,
        }
        for m in months_between(chosen.period.start, chosen.period.end)
    ]


def months_between(start: date, end: date) -> list[str]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def alerts(chosen: Selection, caller: Caller, structures: list[dict]) -> list[dict] | None:
    """Open alerts of the selection, most urgent first; None when they cannot be read."""
    structure_id = chosen.filters.get("structure_id")
    if caller.scope == "structure" and structure_id not in (None, caller.structure_id):
        return None
    with _engine().connect() as conn:
        page = alert_reports.open_alerts(
            conn, caller, date.today(), 1, MAX_ALERTS_PAGE, structure_id
        )
    wanted = _structure_ids(chosen, structures)
    kept = [a for a in page["items"] if wanted is None or a.get("structure_id") in wanted]
    return sorted(kept, key=lambda a: a.get("due_on") or "9999")[:MAX_ALERTS_SHOWN]


def _structure_ids(chosen: Selection, structures: list[dict]) -> set[str] | None:
    """The structures an alert must belong to, when a filter the alerts API lacks is chosen."""
    if "structure_id" in chosen.filters:
        return {chosen.filters["structure_id"]}
    kept = [s for s in structures if _matches(s, chosen)]
    narrowed = chosen.region or {"kind", "department"} & set(chosen.filters)
    return {str(s["id"]) for s in kept} if narrowed else None


def _matches(structure: dict, chosen: Selection) -> bool:
    region = DEPARTMENT_REGION.get(structure.get("department", ""))
    return (
        chosen.region in (None, region)
        and chosen.filters.get("kind") in (None, structure.get("kind"))
        and chosen.filters.get("department") in (None, structure.get("department"))
    )


def structures(caller: Caller) -> list[dict]:
    """The structures within the caller's scope, by name (reporting's reference data)."""
    with _engine().connect() as conn:
        return directory.structures(conn, caller)


def groups(caller: Caller) -> list[dict]:
    """Every GES, for the network and admins (reporting's reference data)."""
    with _engine().connect() as conn:
        return directory.groups(conn, caller)
