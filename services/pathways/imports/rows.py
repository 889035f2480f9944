"""Rows of an import file turned into events (pure).

Cells are read the way staff type them in a spreadsheet: French dates (JJ/MM/AAAA), decimal
commas, « oui »/« non », codes that Excel turned into numbers (03 → 3). Everything else is left to
the pathways service's own validation, so an imported event obeys exactly the API's rules. The
file itself is read by services/pathways/imports/files.py.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import orjson

from services.pathways.imports.columns import DATED_BY, FIELDS
from services.pathways.imports.ids import NAMESPACE, ImportIds, earlier_event_id, earlier_pathway_id
from shared.domain import events as ev

TRUE_WORDS = {"oui", "o", "vrai", "true", "1", "yes"}
FALSE_WORDS = {"non", "n", "faux", "false", "0", "no"}
NUL_MESSAGE = "Le caractère nul (U+0000) n'est pas accepté."  # as for a JSON body


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


def reference_id(pathway_id: str, kind: str, reference: Any) -> str:
    """A UUID as given, or a stable one derived from a reference staff use inside a pathway
    (a contract « C-1 », a training)."""
    text = _text(reference)
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return str(uuid.uuid5(NAMESPACE, f"{pathway_id}:{kind}:{text}"))


def earlier_pathways(ids: ImportIds, rows: Iterable[Row]) -> list[str]:
    """The ids an import made before the keyed ids gave the rows' pathway references."""
    references = {_text(row.cells["parcours"]) for row in rows if "parcours" in row.cells}
    return [earlier_pathway_id(ids.structure_id, reference) for reference in sorted(references)]


def to_event(ids: ImportIds, row: Row) -> RowEvent | RowError:
    """The event a row describes, or every reason it cannot be one, by column."""
    cells = row.cells
    refused = {c: [NUL_MESSAGE] for c, v in cells.items() if isinstance(v, str) and "\x00" in v}
    if refused:  # PostgreSQL keeps no NUL in text: the line is refused, the file goes on
        return RowError(row.line, refused)
    event_type = _text(cells.get("type", ""))
    if "parcours" not in cells or event_type not in FIELDS:
        return RowError(row.line, _missing(cells, event_type))
    pathway_id = ids.pathway(_text(cells["parcours"]))
    data, errors = _data(event_type, pathway_id, cells)
    if event_type == ev.PATHWAY_OPENED:  # a file imports for the structure that uploads it
        data["structure_id"] = ids.structure_id
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


def with_ids(ids: ImportIds, rows: Iterable[RowEvent]) -> list[RowEvent]:
    """Each event's id derived from its content: uploading a file again appends nothing twice.

    Identical rows (the same support action twice on one day) stay distinct events: the
    occurrence number of their content is part of the id."""
    return [
        replace(row, event={"id": ids.event(content, occurrence), **row.event})
        for row, content, occurrence in _contents(rows)
    ]


def earlier_events(ids: ImportIds, rows: Iterable[RowEvent]) -> list[str]:
    """The ids an import made before the keyed ids would have given these rows (only rows of
    a pathway it made, or named by its UUID, can have been imported so)."""
    return [
        earlier_event_id(ids.structure_id, content, occurrence)
        for _, content, occurrence in _contents(rows)
    ]


def _contents(rows: Iterable[RowEvent]) -> Iterator[tuple[RowEvent, str, int]]:
    """Each row, its canonical content and the occurrence of that content so far."""
    seen: Counter[str] = Counter()
    for row in rows:
        content = orjson.dumps(
            {"pathway_id": row.pathway_id, **row.event}, option=orjson.OPT_SORT_KEYS
        ).decode()
        seen[content] += 1
        yield row, content, seen[content]


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
