"""The « ETP » page: ETP conventionnés vs réalisés by annexe financière and month, a chart of the
period's consumption and its alert (docs/dashboard.md, « Annexes financières et ETP »).

Its figures are the ETP report's (`data.etp_report`, the function GET /v1/reports/etp answers
with); only the alert is worked out here, from the report's months that are complete, with the
thresholds of the settings and the rule of shared/domain/annexes.py."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from urllib.parse import urlencode

from flask import url_for

from services.reporting.dashboard import data
from services.reporting.dashboard.query import Selection
from services.reporting.reports.labels import CONSUMPTION_LABELS, month_label
from shared.auth import Caller
from shared.domain.annexes import consumption_code
from shared.domain.pathway.alerts import LABELS as ALERT_LABELS

# (metric, French label, formatter): the headline figures, in the order staff read them.
HEADLINE = (
    ("etp_conventioned", "ETP conventionnés", "etp"),
    ("etp_realised", "ETP réalisés", "etp"),
    ("consumption_rate", "Taux de consommation", "rate"),
    ("hours_worked", "Heures travaillées", "count"),
    ("hours_outside_annex", "Heures hors annexe", "count"),
)
COLUMNS = HEADLINE[:4]
WITHIN = CONSUMPTION_LABELS[None]
# The tables a download may hold: the API's `group_by`, by the page's name for it.
TABLES: Mapping[str, str] = {"annexes": "annex", "mois": "annex,month"}


def etp_params(chosen: Selection, group_by: str) -> dict[str, str]:
    """The ETP report API's query for this selection (a region is a filter of that report)."""
    params = {
        "from": chosen.period.start.isoformat(),
        "to": chosen.period.end.isoformat(),
        "group_by": group_by,
        **chosen.filters,
    }
    return {**params, "region": chosen.region} if chosen.region else params


def figures(
    chosen: Selection, caller: Caller, today: date, thresholds: tuple[float, float]
) -> dict:
    """The template's figures; raises data.ReportRefused when the report says no."""
    by_annex = data.etp_report(caller, etp_params(chosen, TABLES["annexes"]))
    by_month = data.etp_report(caller, etp_params(chosen, "month"))
    detail = data.etp_report(caller, etp_params(chosen, TABLES["mois"]))
    complete = [r for r in by_month["rows"] if _complete(r["key"]["month"], today)]
    status = _status(detail["rows"], today, thresholds)
    return {
        "total": by_annex["total"],
        "headline": HEADLINE,
        "columns": COLUMNS,
        "annexes": [{**r, "status": status.get(r["key"]["annex"])} for r in by_annex["rows"]],
        "detail": detail["rows"],
        "months": by_month["rows"],
        "chart": _chart(by_month["rows"]),
        "alert": _alert(complete, thresholds),
        "thresholds": thresholds,
        "exports": _exports(chosen),
        "as_of_position": by_annex.get("as_of_position"),
    }


def _complete(month: str, today: date) -> bool:
    """Hours are declared once a month is over: the current month is not counted yet."""
    return month < today.strftime("%Y-%m")


def _consumption(rows: list[dict]) -> tuple[float, float]:
    """Realised and funded ETP-months of the rows (each row a single month)."""
    return (
        sum(r["etp_realised"] or 0 for r in rows),
        sum(r["etp_conventioned"] or 0 for r in rows),
    )


def _status(rows: list[dict], today: date, thresholds: tuple[float, float]) -> dict:
    """Each annexe's consumption over the complete months of the period, in French."""
    by_annex: dict[str, list[dict]] = {}
    for row in rows:
        if row["key"]["annex"] and _complete(row["key"]["month"], today):
            by_annex.setdefault(row["key"]["annex"], []).append(row)
    found = {}
    for annex, months in by_annex.items():
        realised, funded = _consumption(months)
        code = consumption_code(realised, funded, *thresholds)
        found[annex] = CONSUMPTION_LABELS[code] if funded else None
    return found


def _alert(months: list[dict], thresholds: tuple[float, float]) -> dict | None:
    """The selection's consumption over its complete months, and the alert it raises."""
    realised, funded = _consumption(months)
    if not funded:
        return None
    code = consumption_code(realised, funded, *thresholds)
    return {
        "code": code,
        "label": ALERT_LABELS[code] if code else WITHIN,
        "rate": realised / funded,
        "first": month_label(months[0]["key"]["month"]),
        "last": month_label(months[-1]["key"]["month"]),
    }


def _chart(months: list[dict]) -> dict:
    """The chart's data, read by dashboard.js; the page also shows it as a table."""
    return {
        "labels": [r["key"]["month"] for r in months],
        "conventioned": [round(r["etp_conventioned"] or 0, 4) for r in months],
        "realised": [round(r["etp_realised"] or 0, 4) for r in months],
    }


def _exports(chosen: Selection) -> dict[str, dict[str, str]]:
    """Download links of each table, carrying exactly the page's selection."""
    query = {
        "period": "custom",
        "from": chosen.period.start.isoformat(),
        "to": chosen.period.end.isoformat(),
        **chosen.filters,
        **({"region": chosen.region} if chosen.region else {}),
    }
    base = url_for("dashboard.EtpExport")
    return {
        table: {
            fmt: f"{base}?{urlencode({**query, 'table': table, 'format': fmt})}"
            for fmt in ("csv", "xlsx")
        }
        for table in TABLES
    }
