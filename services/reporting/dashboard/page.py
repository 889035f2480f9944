"""What the dashboard page shows for one caller and query: choices, indicators, charts, table."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from urllib.parse import urlencode

from flask import url_for

from services.reporting.dashboard import data
from services.reporting.dashboard.data import REGION_EXPORT
from services.reporting.dashboard.query import (
    DIMENSIONS,
    PERIOD_KINDS,
    YEARS_BACK,
    InvalidChoice,
    Selection,
    area_departments,
    dimensions_for,
    selection,
)
from services.reporting.reports import territory
from services.reporting.reports.labels import INTERNAL_MOVES_LABEL, MONTHS_FR
from shared.auth import Caller
from shared.domain.codes import EXIT_CATEGORIES, STRUCTURE_KINDS
from shared.domain.territories import DEPARTMENTS, REGIONS

# (metric, French label, formatter): the headline indicators, in the order staff read them.
HEADLINE = (
    ("entries", "Entrées", "count"),
    ("active", "Personnes en parcours", "count"),
    ("exits", "Sorties", "count"),
    ("dynamic_exit_rate", "Taux de sorties dynamiques", "rate"),
    ("durable_exit_rate", "Taux d'emploi durable", "rate"),
    ("average_months", "Durée moyenne (mois)", "decimal"),
    ("hours_worked", "Heures travaillées", "count"),
    ("etp", "ETP", "decimal"),
)
TABLE_COLUMNS = (
    *HEADLINE[:3],
    ("counted_exits", "Sorties comptabilisées", "count"),
    *HEADLINE[3:],
)
# Shown by group reports only, the ones that tell moves between members apart (docs/domain.md §8).
GROUP_COLUMNS = (*TABLE_COLUMNS, ("internal_moves", INTERNAL_MOVES_LABEL, "count"))
SCOPE_LABELS = {
    "admin": "Administration",
    "network": "Réseau",
    "group": "GES",
    "structure": "Structure",
    "territory": "Territoire",
}
ACTIVITY = ("entries", "active", "exits", "hours_worked")


def page_context(caller: Caller, args: Mapping[str, str], today: date):
    """The template's context and HTTP status: a refused choice still shows the form."""
    context = _choices(caller, args, today)
    try:
        chosen = selection(args, caller, today)
        figures = _figures(chosen, caller, context["structures"], context["groups"])
        context.update(figures, chosen=chosen)
    except InvalidChoice as exc:
        return {**context, "error": exc.message}, exc.status
    except data.ReportRefused as exc:
        return {**context, "error": exc.detail}, exc.status
    return context, 200


def _choices(caller: Caller, args: Mapping[str, str], today: date) -> dict:
    structures = data.structures(caller)
    network = caller.scope in ("admin", "network")
    return {
        "caller": caller,
        "scope_label": SCOPE_LABELS[caller.scope],
        "scope_name": _scope_name(caller, structures),
        "args": args,
        "structures": structures,
        "network": network,
        "groups": data.groups(caller) if network else [],
        "kinds": STRUCTURE_KINDS,
        "departments": area_departments(caller) if caller.scope == "territory" else DEPARTMENTS,
        "regions": REGIONS,
        "dimensions": {d: DIMENSIONS[d] for d in dimensions_for(caller)},
        "period_kinds": PERIOD_KINDS,
        "month_names": MONTHS_FR,
        "years": list(range(today.year, today.year - YEARS_BACK - 1, -1)),
    }


def _scope_name(caller: Caller, structures: list[dict]) -> str:
    """Whose figures these are: the structure's name, or the territory's (« Région Bretagne »)."""
    if caller.scope == "structure" and structures:
        return structures[0].get("name") or ""
    return territory.label(caller) if caller.scope == "territory" else ""


def _names(*lists: list[dict]) -> dict[str, str]:
    """Names of structures and GES by id (reference data), for the table's first column."""
    return {str(item["id"]): item.get("name", "") for found in lists for item in found}


def _figures(chosen: Selection, caller: Caller, structures: list[dict], groups: list[dict]) -> dict:
    total = data.headline(chosen, caller)
    table = data.fetch_report(chosen, caller, (chosen.dimension,))
    months = data.monthly(chosen, caller)
    return {
        "total": total,
        "empty": not any(total.get(m) for m in ACTIVITY),
        "headline": HEADLINE,
        "columns": GROUP_COLUMNS if _by_group(chosen) else TABLE_COLUMNS,
        "rows": table["rows"],
        "table_total": _table_total(chosen, table, total),
        "table_dimensions": [
            d for d in table.get("group_by", []) if d != "region" or not chosen.region
        ]
        or [chosen.dimension],
        "charts": _charts(total, months),
        "months": months,
        "alerts": data.alerts(chosen, caller, structures),
        "names": _names(structures, groups),
        "exports": _exports(chosen),
        "region_export": REGION_EXPORT,
        "as_of_position": table.get("as_of_position"),
        "parked_pathways": table.get("parked_pathways") or 0,
    }


def _by_group(chosen: Selection) -> bool:
    return chosen.dimension == "group" or "group_id" in chosen.filters


def _table_total(chosen: Selection, table: dict, total: dict) -> dict:
    return total if chosen.region else table.get("total", total)


def _charts(total: dict, months: list[dict]) -> dict:
    """The data of both charts, read by dashboard.js; each also renders as a table."""
    by_category = total.get("exits_by_category") or {}
    return {
        "categories": {
            "labels": list(EXIT_CATEGORIES.values()),
            "values": [by_category.get(c) or 0 for c in EXIT_CATEGORIES],
        },
        "months": {
            "labels": [m["month"] for m in months],
            "entries": [m["entries"] for m in months],
            "exits": [m["exits"] for m in months],
        },
    }


def _exports(chosen: Selection) -> dict[str, str]:
    """Download links carrying exactly the page's selection."""
    query = {
        "period": "custom",
        "from": chosen.period.start.isoformat(),
        "to": chosen.period.end.isoformat(),
        "by": chosen.dimension,
        **chosen.filters,
    }
    if chosen.region:
        return {}
    base = url_for("dashboard.Export")
    return {fmt: f"{base}?{urlencode({**query, 'format': fmt})}" for fmt in ("csv", "xlsx")}
