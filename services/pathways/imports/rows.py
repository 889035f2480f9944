"""An import file (CSV or XLSX) read into rows, and each row turned into an event (pure).

Cells are read the way staff type them in a spreadsheet: French dates (JJ/MM/AAAA), decimal
commas, « oui »/« non », codes that Excel turned into numbers (03 → 3). Everything else is left to
the pathways service's own validation, so an imported event obeys exactly the API's rules.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import openpyxl
import orjson

from services.pathways.imports.columns import DATED_BY, FIELDS, HEADERS, REQUIRED
from shared.domain import events as ev

NAMESPACE = uuid.UUID("a3e5f0c2-7d4b-4f1e-8c9a-2b6d0e1f3a5c")
MAX_ROWS = 20_000  # our choice: a year of events of a large structure; split bigger files
TRUE_WORDS = {"oui", "o", "vrai", "true", "1", "yes"}
FALSE_WORDS = {"non", "n", "faux", "false", "0", "no"}


class FileProblem(ValueError):
    """The file as a whole cannot be read: nothing is imported."""


@dataclass(frozen=True)
class Row:
    line: int
    cells: dict[str, Any]


@dataclass(frozen=True)
class RowEvent:
    line: int
    pathway_id: str
    event: dict


@dataclass(frozen=True)
class RowError:
    line: int
    errors: dict[str, list[str]]


# --- reading --------------------------------------------------------------------------------------


def read_rows(content: bytes) -> list[Row]:
    """The non-empty rows of a CSV (`;` or `,`, UTF-8 with or without BOM) or XLSX file."""
    if not content.strip():
        raise FileProblem("Le fichier est vide.")
    lines = _xlsx_lines(content) if content.startswith(b"PK\x03\x04") else _csv_lines(content)
    return _table(lines)


def _csv_lines(content: bytes) -> list[tuple[int, list]]:
    text = _decode(content)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [(reader.line_num, values) for values in reader]
    except csv.Error as error:
        raise FileProblem(f"CSV illisible à la ligne {reader.line_num} : {error}.") from None


def _decode(content: bytes) -> str:
    """UTF-8 (BOM or not); Windows-1252 as Excel's French CSV export writes it otherwise."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _xlsx_lines(content: bytes) -> list[tuple[int, list]]:
    """The first sheet's rows, numbered as Excel shows them."""
    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # any damaged or foreign zip: the file is refused, not the service
        raise FileProblem(f"Classeur XLSX illisible ({type(error).__name__}).") from None
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        return [(number, list(values)) for number, values in enumerate(rows, start=1)]
    finally:
        book.close()


def _table(lines: list[tuple[int, list]]) -> list[Row]:
    """Rows keyed by the header line's columns; blank rows skipped."""
    if not lines:
        raise FileProblem("Le fichier est vide.")
    header = [_header(h) for h in lines[0][1]]
    _check_header([h for h in header if h])
    rows = [Row(n, _cells(header, values)) for n, values in lines[1:] if not _blank_row(values)]
    if len(rows) > MAX_ROWS:
        raise FileProblem(f"Plus de {MAX_ROWS} lignes : découpez le fichier.")
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


def _blank_row(values: list) -> bool:
    return all(_blank(v) for v in values)


def _cells(header: list[str], values: list) -> dict[str, Any]:
    """Filled cells by column; a value under no header is kept (as colonne_N) to be reported."""
    names = header + [""] * max(0, len(values) - len(header))
    pairs = enumerate(zip(names, values, strict=False))
    return {name or f"colonne_{i + 1}": v for i, (name, v) in pairs if not _blank(v)}


# --- cells ----------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _code(value: Any) -> str:
    """A code; a one-digit number is an ASP code whose leading zero Excel dropped (03 → 3)."""
    text = _text(value)
    return f"0{text}" if isinstance(value, int | float) and len(text) == 1 else text


def _codes(value: Any) -> list[str]:
    return [c for c in re.split(r"[\s,;|+]+", _text(value)) if c]


def _digits(value: Any) -> str:
    return re.sub(r"\s", "", _text(value))


def _number(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    try:
        return float(re.sub(r"\s", "", str(value)).replace(",", "."))
    except ValueError:
        raise ValueError(f"Nombre attendu, pas « {value} ».") from None


def _boolean(value: Any) -> bool:
    word = _text(value).lower()
    if word in TRUE_WORDS | FALSE_WORDS:
        return word in TRUE_WORDS
    raise ValueError(f"« oui » ou « non » attendu, pas « {value} ».")


def _date(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(_text(value), pattern).date().isoformat()
        except ValueError:
            continue
    raise ValueError(f"Date attendue (AAAA-MM-JJ ou JJ/MM/AAAA), pas « {value} ».")


def _month(value: Any) -> str:
    if isinstance(value, date):
        return value.strftime("%Y-%m")
    text = _text(value)
    match = re.fullmatch(r"(\d{1,2})/(\d{4})", text)
    return f"{match[2]}-{int(match[1]):02d}" if match else text


CONVERSIONS: dict[str, Callable[[Any], Any]] = {
    "text": _text,
    "code": _code,
    "codes": _codes,
    "digits": _digits,
    "number": _number,
    "boolean": _boolean,
    "date": _date,
    "month": _month,
}


# --- rows → events --------------------------------------------------------------------------------


def reference_id(scope: str, kind: str, reference: Any) -> str:
    """A UUID as given, or a stable one derived from a reference staff use (« P-2025-014 »)."""
    text = _text(reference)
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return str(uuid.uuid5(NAMESPACE, f"{scope}:{kind}:{text}"))


def to_event(structure_id: str, row: Row) -> RowEvent | RowError:
    """The event a row describes, or every reason it cannot be one, by column."""
    cells = row.cells
    event_type = _text(cells.get("type", ""))
    if "parcours" not in cells or event_type not in FIELDS:
        return RowError(row.line, _missing(cells, event_type))
    pathway_id = reference_id(structure_id, "parcours", cells["parcours"])
    data, errors = _data(event_type, pathway_id, cells)
    if event_type == ev.PATHWAY_OPENED:  # a file imports for the structure that uploads it
        data["structure_id"] = structure_id
    dated_by = cells.get("date", cells.get(DATED_BY.get(event_type, "date")))
    try:
        occurred_on = _date(dated_by) if dated_by is not None else None
    except ValueError as error:
        errors.setdefault("date", []).append(str(error))
        occurred_on = None
    if occurred_on is None and "date" not in errors:
        errors["date"] = ["Obligatoire."]
    if errors:
        return RowError(row.line, errors)
    return RowEvent(
        row.line, pathway_id, {"type": event_type, "occurred_on": occurred_on, "data": data}
    )


def _missing(cells: dict[str, Any], event_type: str) -> dict[str, list[str]]:
    errors = {} if "parcours" in cells else {"parcours": ["Obligatoire."]}
    if event_type not in FIELDS:
        known = ", ".join(FIELDS)
        errors["type"] = [f"Type d'événement inconnu « {event_type} » ; attendu : {known}."]
    return errors


def _data(event_type: str, pathway_id: str, cells: dict[str, Any]) -> tuple[dict, dict]:
    """The event's data from its columns; a filled column the type does not use is an error."""
    fields = FIELDS[event_type]
    used = {"parcours", "type", "date"} | {column for column, _, _ in fields}
    errors = {
        c: [f"Sans objet pour un événement {event_type} : laissez cette colonne vide."]
        for c in cells
        if c not in used
    }
    data: dict = {}
    for column, path, conversion in fields:
        if column not in cells:
            continue
        try:
            value = (
                reference_id(pathway_id, column, cells[column])
                if conversion == "ref"
                else CONVERSIONS[conversion](cells[column])
            )
        except ValueError as error:
            errors[column] = [str(error)]
            continue
        _put(data, path, value)
    return data, errors


def _put(data: dict, path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    for key in parents:
        data = data.setdefault(key, {})
    data[leaf] = value


def with_ids(structure_id: str, rows: Iterable[RowEvent]) -> list[RowEvent]:
    """Each event's id derived from its content: uploading a file again appends nothing twice.

    Identical rows (the same support action twice on one day) stay distinct events: the
    occurrence number of their content is part of the id."""
    seen: Counter[bytes] = Counter()
    numbered = []
    for row in rows:
        content = orjson.dumps(
            {"pathway_id": row.pathway_id, **row.event}, option=orjson.OPT_SORT_KEYS
        )
        seen[content] += 1
        event_id = uuid.uuid5(NAMESPACE, f"{structure_id}|{content.decode()}|{seen[content]}")
        numbered.append(replace(row, event={"id": str(event_id), **row.event}))
    return numbered


def column_of(event_type: str, path: str) -> str:
    """The column a validation error's field path (`events.0.data.hours`) points to."""
    path = re.sub(r"^events\.\d+\.", "", path)
    if path in ("occurred_on", "type"):
        return "date" if path == "occurred_on" else "type"
    field = path.removeprefix("data.")
    for column, data_path, _ in FIELDS.get(event_type, ()):
        if field == data_path or field.startswith(data_path + "."):
            return column
    return "ligne"
