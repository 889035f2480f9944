"""French number and date formatting for the dashboard (Babel's fr_FR rules: `12 345`, `57,3 %`).

A suppressed cell (fewer than 5 people, docs/domain.md §10) reads "< 5", never 0; a value the report
does not give reads "—"."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from flask import Flask

from services.reporting.reports.labels import CODE_TABLES, month_label
from shared.domain.pathway.alerts import LABELS as ALERT_LABELS

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


def etp(value, suppressed: bool = False) -> str:
    """ETP to the hundredth (`2,53`): a tenth of an ETP is about 15 hours a month."""
    if suppressed:
        return SUPPRESSED
    if value is None:
        return MISSING
    return format_decimal(value, "#,##0.00", locale=LOCALE)


def long_date(value: date) -> str:
    """`1er janvier 2026`, `26 novembre 2026`: French writes the first of a month as an ordinal."""
    text = format_date(value, "d MMMM y", locale=LOCALE)
    return "1er" + text[1:] if value.day == 1 else text


def long_date_text(value: str | None) -> str:
    """An API date (`YYYY-MM-DD`) in words; "—" when absent or unreadable."""
    try:
        return long_date(date.fromisoformat(value or ""))
    except ValueError:
        return MISSING


def formatted(value, kind: str, suppressed: bool = False) -> str:
    """A metric formatted by its kind: `count`, `rate`, `decimal` or `etp`."""
    formatter = {"count": count, "rate": rate, "decimal": decimal, "etp": etp}[kind]
    return formatter(value, bool(suppressed))


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
    return (
        CODE_TABLES[dimension].get(code, code)
        if dimension in CODE_TABLES and code
        else code or MISSING
    )


FILTERS: Mapping[str, object] = {
    "count": count,
    "rate": rate,
    "decimal": decimal,
    "etp": etp,
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
