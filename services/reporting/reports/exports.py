"""CSV and XLSX exports of a report (outcomes, ETP), for Excel users: French headers, one line
per row and a total line; suppressed cells read "< 5", never 0; a text that Excel would read as
a formula is written as text (CSV: prefixed with `'`; XLSX: a string cell)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from services.reporting.reports.labels import (
    ANNEX_DIMENSION_LABELS,
    DIMENSION_LABELS,
    INTERNAL_MOVES_LABEL,
)
from shared.domain.codes import CLIENT_KINDS, EXIT_CATEGORIES
from shared.domain.limits import MIN_CELL

SUPPRESSED = f"< {MIN_CELL}"
# What starts a formula in a spreadsheet cell (docs/api.md, exports).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
RATE, COUNT, DECIMAL = "rate", "count", "decimal"


def _get(*path: str) -> Callable[[dict], object]:
    def read(row: dict):
        value: Any = row
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        return value

    return read


COLUMNS: list[tuple[str, Callable[[dict], object], str]] = [
    ("Entrées", _get("entries"), COUNT),
    ("Parcours actifs", _get("active"), COUNT),
    ("Sorties", _get("exits"), COUNT),
    ("Sorties examinées", _get("counted_exits"), COUNT),
    *[
        (f"Sorties : {label.lower()}", _get("exits_by_category", code), COUNT)
        for code, label in EXIT_CATEGORIES.items()
    ],
    *[
        (f"Sorties examinées : {label.lower()}", _get("counted_exits_by_category", code), COUNT)
        for code, label in EXIT_CATEGORIES.items()
        if code != "retrait"
    ],
    ("Taux de sorties dynamiques (%)", _get("dynamic_exit_rate"), RATE),
    ("Taux d'emploi durable (%)", _get("durable_exit_rate"), RATE),
    ("Durée moyenne des parcours sortis (mois)", _get("average_months"), DECIMAL),
    ("Heures travaillées", _get("hours_worked"), DECIMAL),
    ("ETP", _get("etp"), DECIMAL),
    *[
        (f"Heures de mise à disposition : {label.lower()}", _get("mad_hours", code), DECIMAL)
        for code, label in CLIENT_KINDS.items()
    ],
    ("Formations achevées", _get("trainings_completed"), COUNT),
    ("Actions d'accompagnement", _get("support_actions"), COUNT),
    # Last, so that the columns read before it keep their places in existing workbooks.
    (INTERNAL_MOVES_LABEL, _get("internal_moves"), COUNT),
]


Columns = list[tuple[str, Callable[[dict], object], str]]


def headers(report: dict, columns: Columns = COLUMNS, dims: dict | None = None) -> list[str]:
    names = dims or {**DIMENSION_LABELS, **ANNEX_DIMENSION_LABELS}
    return [names[d] for d in report["group_by"]] + [c[0] for c in columns]


def _formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def _text(value: str) -> str:
    """A label as CSV writes it: never the start of a formula."""
    return "'" + value if _formula_like(value) else value


def _lines(report: dict) -> list[tuple[list[str], dict]]:
    """(dimension labels, row) for each row, then the total line (hidden like a row when the
    report hides it, docs/domain.md §10)."""
    lines = [([r["label"][d] for d in report["group_by"]], r) for r in report["rows"]]
    if report["group_by"]:
        total_cells = ["Total"] + [""] * (len(report["group_by"]) - 1)
        lines.append((total_cells, report["total"]))
    return lines


def _csv_cell(value, kind: str, suppressed: bool) -> str:
    if suppressed:
        return SUPPRESSED
    if value is None:
        return ""
    if kind == RATE:
        return f"{value * 100:.2f}".replace(".", ",")
    if kind == DECIMAL:
        return f"{value:.2f}".replace(".", ",")
    return str(value)


def to_csv(
    report: dict,
    columns: Columns = COLUMNS,
    dims: dict | None = None,
    preamble: Sequence[Sequence[str]] = (),
) -> bytes:
    """`;`-separated, UTF-8 with BOM, decimal comma: what French Excel opens as is. Lines of
    `preamble` (a frozen report's label, position, hash) come first, then an empty line."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for line in preamble:
        writer.writerow([_text(c) for c in line])
    if preamble:
        writer.writerow([])
    writer.writerow(headers(report, columns, dims))
    for cells, row in _lines(report):
        hidden = bool(row.get("suppressed"))
        values = [_csv_cell(get(row), kind, hidden) for _, get, kind in columns]
        writer.writerow([_text(c) for c in cells] + values)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(
    report: dict,
    columns: Columns = COLUMNS,
    dims: dict | None = None,
    title: str = "Sorties",
    preamble: Sequence[Sequence[str]] = (),
) -> bytes:
    """One sheet: a frozen French header row, numbers as numbers, rates as percentages; the
    lines of `preamble` above it, as text."""
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for line in preamble:
        sheet.append(list(line))
        for cell in sheet[sheet.max_row]:
            if _formula_like(cell.value):
                cell.data_type = "s"  # a string cell, never a formula
    if preamble:
        sheet.append([])
    sheet.append(headers(report, columns, dims))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = f"A{sheet.max_row + 1}"
    width = len(report["group_by"])
    for cells, row in _lines(report):
        hidden = bool(row.get("suppressed"))
        sheet.append(cells + [SUPPRESSED if hidden else get(row) for _, get, _ in columns])
        for cell in sheet[sheet.max_row][:width]:
            if _formula_like(cell.value):
                cell.data_type = "s"  # a string cell, never a formula
        for (_, _, kind), cell in zip(columns, sheet[sheet.max_row][width:], strict=True):
            cell.number_format = {RATE: "0.00%", DECIMAL: "0.00", COUNT: "0"}[kind]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
