"""French number and date formatting for the dashboard (Babel's fr_FR rules: `12 345`, `57,3 %`).

A suppressed cell (fewer than 5 people, docs/domain.md §10) reads "< 5", never 0; a value the report
does not give reads "—"."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from flask import Flask

from shared.domain.codes import AGE_BANDS, ELIGIBILITY_CRITERIA, SEXES, STRUCTURE_KINDS
from shared.domain.territories import DEPARTMENTS, REGIONS

LOCALE = "fr_FR"
SUPPRESSED = "< 5"
MISSING = "—"


def count(value, suppressed: bool = False) -> str:
    if suppressed:
        return SUPPRESSED
    if value is None:
        return MISSING
    return format_decimal(value, "#,##0", locale=LOCALE)


def rate(value, suppressed: bool = False) -> str:
    if suppressed:
        return SUPPRESSED
    if value is None:
        return MISSING
    return format_percent(value, "#,##0.0 %", locale=LOCALE)


def decimal(value, suppressed: bool = False) -> str:
    if suppressed:
        return SUPPRESSED
    if value is None:
        return MISSING
    return format_decimal(value, "#,##0.0", locale=LOCALE)


def long_date(value: date) -> str:
    """`1er janvier 2026`, `26 novembre 2026`: French writes the first of a month as an ordinal."""
    text = format_date(value, "d MMMM y", locale=LOCALE)
    return "1er" + text[1:] if value.day == 1 else text


def month_label(value: str) -> str:
    """`2026-03` → `mars 2026`."""
    return format_date(date.fromisoformat(value + "-01"), "MMMM y", locale=LOCALE)


def long_date_text(value: str | None) -> str:
    """An API date (`YYYY-MM-DD`) in words; "—" when absent or unreadable."""
    try:
        return long_date(date.fromisoformat(value or ""))
    except ValueError:
        return MISSING


def formatted(value, kind: str, suppressed: bool = False) -> str:
    """A metric formatted by its kind: `count`, `rate` or `decimal`."""
    return {"count": count, "rate": rate, "decimal": decimal}[kind](value, bool(suppressed))


# Code tables of the report's dimensions, used when a row comes without its French label.
DIMENSION_CODES: Mapping[str, Mapping[str, str]] = {
    "kind": STRUCTURE_KINDS,
    "department": DEPARTMENTS,
    "region": REGIONS,
    "criterion": ELIGIBILITY_CRITERIA,
    "sex": SEXES,
    "age_band": AGE_BANDS,
}
# Codes of the report API's open alerts (docs/api.md, "Alerts").
ALERT_LABELS: Mapping[str, str] = {
    "pass_ending": "PASS IAE arrivant à échéance (moins de 90 jours)",
    "cddi_24_months": "CDDI : durée maximale de 24 mois atteinte ou proche",
    "mission_24_months": "Missions d'ETTI : durée maximale de 24 mois atteinte ou proche",
    "ai_480_hours": "Mise à disposition en entreprise : 400 h atteintes ou 480 h dépassées",
    "contract_ending": "Contrat se terminant dans les 30 jours",
}


def row_label(row: Mapping, dimension: str, names: Mapping[str, str]) -> str:
    """The French label of a report row for one dimension: the registry's name of a structure
    or GES, else the label the API gave, else the official label of the code."""
    code = str((row.get("key") or {}).get(dimension, ""))
    if dimension in ("structure", "group") and names.get(code):
        return names[code]
    given = (row.get("label") or {}).get(dimension)
    if given:
        return str(given)
    if dimension == "month" and code:
        return month_label(code)
    return DIMENSION_CODES.get(dimension, {}).get(code, code or MISSING)


FILTERS: Mapping[str, object] = {
    "count": count,
    "rate": rate,
    "decimal": decimal,
    "long_date": long_date,
    "long_date_text": long_date_text,
    "month_label": month_label,
}


def install(app: Flask) -> None:
    """Make the formatters Jinja filters and helpers of the app."""
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.globals.update(
        formatted=formatted, row_label=row_label, alert_labels=ALERT_LABELS
    )
