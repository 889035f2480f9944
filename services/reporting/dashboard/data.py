"""Where the dashboard's numbers come from: the public report API itself, called in-process with
the signed-in caller's own token, so the page and the API can never disagree (docs/dashboard.md)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import requests
from flask import current_app
from werkzeug.test import Client, TestResponse

from services.reporting.dashboard.query import Selection, in_region, report_params
from shared.domain.territories import DEPARTMENT_REGION

REPORT_PATH = "/v1/reports/outcomes"
ALERTS_PATH = "/v1/alerts"
# The most urgent alerts only; the API gives them all (our choice, to keep the page light).
MAX_ALERTS_SHOWN = 50
MAX_ALERTS_PAGE = 1000  # the API's largest page, filtered and sorted here

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


def call_api(path: str, params: Mapping[str, str], token: str) -> TestResponse:
    """One request to this service's own API, in a fresh app context (its own `g`)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with app.app_context():
        return Client(app).get(
            path, query_string=dict(params), headers={"Authorization": f"Bearer {token}"}
        )


def refused(response: TestResponse) -> ReportRefused:
    body = response.get_json(silent=True) or {}
    detail = body.get("detail") or "Le service de rapports n'a pas pu répondre."
    return ReportRefused(response.status_code, detail)


def fetch_report(chosen: Selection, token: str, group_by: tuple[str, ...]) -> dict:
    """The report as JSON, with the rows of a chosen region only."""
    response = call_api(REPORT_PATH, report_params(chosen, group_by), token)
    if response.status_code != 200:
        raise refused(response)
    report = response.get_json()
    report["rows"] = [r for r in report.get("rows", []) if in_region(r, chosen.region)]
    return report


def headline(chosen: Selection, token: str) -> dict:
    """The totals of the selection (the region's row when a region is chosen)."""
    report = fetch_report(chosen, token, ())
    if chosen.region:
        return report["rows"][0] if report["rows"] else {}
    return report.get("total", {})


def monthly(chosen: Selection, token: str) -> list[dict]:
    """Entries and exits for every month of the period, zero where the report has no row."""
    rows = fetch_report(chosen, token, ("month",))["rows"]
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


def alerts(chosen: Selection, token: str, structures: list[dict]) -> list[dict] | None:
    """Open alerts of the selection, most urgent first; None when the API cannot give them."""
    response = call_api(ALERTS_PATH, _alert_params(chosen), token)
    if response.status_code != 200:
        return None
    body = response.get_json()
    items = body if isinstance(body, list) else _items(body)
    wanted = _structure_ids(chosen, structures)
    kept = [a for a in items if wanted is None or a.get("structure_id") in wanted]
    return sorted(kept, key=lambda a: a.get("due_on") or "9999")[:MAX_ALERTS_SHOWN]


def _alert_params(chosen: Selection) -> dict[str, str]:
    """The alerts API filters by structure only (and scopes by token); the rest is done here."""
    page = {"page_size": str(MAX_ALERTS_PAGE)}
    if "structure_id" in chosen.filters:
        page["structure_id"] = chosen.filters["structure_id"]
    return page


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


def _items(body) -> list[dict]:
    """A list answer, bare or paginated ({"items": [...]})."""
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        for key in ("items", "results", "data", "alerts"):
            if isinstance(body.get(key), list):
                return body[key]
    return []


def registry_list(path: str, params: Mapping[str, str], token: str) -> list[dict]:
    """Structures or groups the registry shows this token (its largest page); empty when it
    cannot answer, so the page still shows the figures."""
    settings = current_app.config["SETTINGS"]
    try:
        response = requests.get(
            f"{settings.registry_url}{path}",
            params={"limit": str(settings.max_page_size), **params},
            headers={"Authorization": f"Bearer {token}"},
            timeout=settings.http_timeout_seconds,
        )
        body = response.json() if response.status_code == 200 else []
    except (requests.RequestException, ValueError):
        return []
    return [item for item in _items(body) if isinstance(item, dict) and item.get("id")]
