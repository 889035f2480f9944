"""An uploaded import file (CSV or XLSX) read into rows, in bounded memory whatever it holds.

Lines are read one at a time and reading stops at the limits (`MAX_ROWS` rows of events,
`MAX_LINES` lines in all): a file of a million short lines costs what its first 20,000 cost. An
XLSX is checked before openpyxl opens it (services/pathways/imports/archive.py), its declared
size is ignored and only the template's columns are read.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

import openpyxl

from services.pathways.imports import archive
from services.pathways.imports.archive import MAX_LINES, thousands
from services.pathways.imports.columns import HEADERS, REQUIRED
from services.pathways.imports.rows import FileProblem, Row

MAX_ROWS = 20_000  # our choice: a year of events of a large structure; split bigger files
# The template's columns, and one more so that a value just past them is reported, not lost.
MAX_COLUMNS = len(HEADERS) + 1

Lines = Iterator[tuple[int, Sequence[Any]]]


def read_rows(content: bytes) -> list[Row]:
    """The non-empty rows of a CSV (`;` or `,`, UTF-8 with or without BOM) or XLSX file."""
    if not content.strip():
        raise FileProblem("Le fichier est vide.")
    if not content.startswith(b"PK\x03\x04"):
        return _table(_csv_lines(content))
    archive.check(content)
    try:
        book = openpyxl.load_workbook(
            io.BytesIO(content), read_only=True, data_only=True, keep_links=False
        )
    except Exception as error:  # any damaged or foreign zip: the file is refused, not the service
        raise FileProblem(f"Classeur XLSX illisible ({type(error).__name__}).") from None
    try:
        return _table(_sheet_lines(book))
    finally:
        book.close()


def _csv_lines(content: bytes) -> Lines:
    text = _decode(content)
    end = text.find("\n")
    first = text if end < 0 else text[:end]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for values in reader:
            yield reader.line_num, values
    except csv.Error as error:
        raise FileProblem(f"CSV illisible à la ligne {reader.line_num} : {error}.") from None


def _decode(content: bytes) -> str:
    """UTF-8 (BOM or not); Windows-1252 as Excel's French CSV export writes it otherwise."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _sheet_lines(book) -> Lines:
    """The first sheet's rows, numbered as Excel shows them, whatever size it declares."""
    if not book.worksheets:
        raise FileProblem("Le classeur XLSX n'a aucune feuille.")
    sheet = book.worksheets[0]
    sheet.reset_dimensions()  # a declared A1:XFD1048576 would pad every row to it
    rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
    try:
        yield from enumerate(rows, start=1)
    except Exception as error:  # a cell openpyxl cannot read: the file is refused
        raise FileProblem(f"Classeur XLSX illisible ({type(error).__name__}).") from None


def _table(lines: Lines) -> list[Row]:
    """Rows keyed by the header line's columns; blank rows skipped; stops at the limits."""
    first = next(lines, None)
    if first is None:
        raise FileProblem("Le fichier est vide.")
    header = [_header(h) for h in first[1]]
    _check_header([h for h in header if h])
    rows: list[Row] = []
    for number, values in lines:
        if number > MAX_LINES:
            raise FileProblem(
                f"Le fichier dépasse {thousands(MAX_LINES)} lignes, lignes vides comprises : "
                "découpez-le en plusieurs fichiers."
            )
        if _blank_row(values):
            continue
        if len(rows) == MAX_ROWS:
            raise FileProblem(
                f"Le fichier a plus de {thousands(MAX_ROWS)} lignes d'événements : "
                "découpez-le en plusieurs fichiers."
            )
        rows.append(Row(number, _cells(header, values)))
    return rows


def _header(value: Any) -> str:
    """`Critères`, ` criteres ` and `CRITERES` all name the column `criteres`."""
    text = unicodedata.normalize("NFKD", str(value or "")).encode("ascii", "ignore").decode()
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def _check_header(header: list[str]) -> None:
    unknown = [h for h in header if h not in HEADERS]
    missing = [h for h in REQUIRED if h not in header]
    repeated = [h for h, n in Counter(header).items() if n > 1]
    problems = [f"colonne inconnue « {h} »" for h in unknown]
    problems += [f"colonne obligatoire absente « {h} »" for h in missing]
    problems += [f"colonne en double « {h} »" for h in repeated]
    if problems:
        raise FileProblem("En-tête du fichier : " + " ; ".join(problems) + ".")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _blank_row(values: Sequence[Any]) -> bool:
    return all(_blank(v) for v in values)


def _cells(header: list[str], values: Sequence[Any]) -> dict[str, Any]:
    """Filled cells by column; a value under no header is kept (as colonne_N) to be reported."""
    names = header + [""] * max(0, len(values) - len(header))
    pairs = enumerate(zip(names, values, strict=False))
    return {name or f"colonne_{i + 1}": v for i, (name, v) in pairs if not _blank(v)}
