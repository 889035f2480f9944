"""File import for structures without software: one CSV or XLSX row per event (docs/integration.md).

Every row goes through the same append path as `POST /v1/events/batch` (validation, rules,
idempotency): the import adds no rule of its own. Event ids derive from the structure and the
row's content, keyed by the server's secret (services/pathways/imports/ids.py), so uploading the
same file twice appends every good row exactly once.
"""

from __future__ import annotations

import csv
import io

import openpyxl
from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import Schema, fields
from openpyxl.styles import Font

from services.pathways.appending import Outcome
from services.pathways.imports.columns import COLUMNS, HEADERS
from services.pathways.imports.files import read_rows
from services.pathways.imports.ids import ImportIds
from services.pathways.imports.rows import (
    FileProblem,
    Row,
    RowError,
    RowEvent,
    column_of,
    earlier_events,
    earlier_pathways,
    to_event,
    with_ids,
)
from services.pathways.store import imported
from services.pathways.web import appends
from services.pathways.web.access import scoped
from shared.auth import Caller, require
from shared.openapi_errors import ProblemSchema
from shared.problems import Problem
from shared.web import UPLOAD_MIME, accept_body, json_response

BATCH_ITEMS = 1000  # the batch endpoint's own limit (docs/api.md)
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

blp = Blueprint(
    "imports",
    __name__,
    url_prefix="/v1/imports",
    description="Import de fichiers d'événements (CSV ou XLSX), modèles à télécharger",
)


@blp.record_once
def _accept_uploads(state) -> None:
    accept_body(state.app, "imports.Imports", UPLOAD_MIME)


class UploadIn(Schema):
    file = Upload(required=True, metadata={"description": "Fichier CSV ou XLSX du modèle"})


class LineOut(Schema):
    line = fields.Integer(metadata={"description": "Numéro de ligne dans le fichier (en-tête = 1)"})
    pathway_id = fields.String()
    event_id = fields.String()
    status = fields.String(metadata={"description": "accepted ou already_present"})


class RejectedOut(Schema):
    line = fields.Integer()
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Messages par colonne du modèle"},
    )


class WarningLineOut(Schema):
    line = fields.Integer()
    code = fields.String()
    message = fields.String()


class ImportOut(Schema):
    accepted = fields.Integer(metadata={"description": "Lignes ajoutées au journal"})
    already_present = fields.Integer(metadata={"description": "Lignes déjà importées"})
    rejected = fields.List(fields.Nested(RejectedOut))
    events = fields.List(fields.Nested(LineOut))
    warnings = fields.List(fields.Nested(WarningLineOut))


@blp.route("")
class Imports(MethodView):
    @scoped("structure")
    @blp.arguments(UploadIn, location="files")
    @blp.response(200, ImportOut)
    @blp.alt_response(401, schema=ProblemSchema, description="Jeton absent ou inconnu.")
    @blp.alt_response(403, schema=ProblemSchema, description="Jeton autre que structure.")
    @blp.alt_response(413, schema=ProblemSchema, description="Fichier trop volumineux.")
    @blp.alt_response(
        422,
        schema=ProblemSchema,
        description="Fichier illisible, vide, en-tête inconnu, ou au-delà des limites du guide "
        "d'intégration (lignes, classeur décompressé) : rien n'est importé (`errors.file`).",
    )
    def post(self, files):
        """Import a file of events; each good row is appended once, each bad one reported."""
        caller = require("structure")
        try:
            rows = read_rows(files["file"].read())
        except FileProblem as problem:
            raise Problem(422, str(problem), errors={"file": [str(problem)]}) from None
        parsed, events = _events(caller, rows)
        outcomes = _append(caller, events)
        return json_response(_summary(parsed, events, outcomes))


def _events(caller: Caller, rows: list[Row]) -> tuple[list, list[RowEvent]]:
    """Each row as an event or its errors, and the events with their ids: keyed ids, except
    those an earlier import gave to what the structure owns (a lookup of each)."""
    structure_id = str(caller.structure_id)
    ids = ImportIds(current_app.extensions["iae_import_secret"], structure_id)
    with current_app.extensions["iae_engine"].connect() as conn:
        ids = ids.knowing(imported.owned_pathways(conn, structure_id, earlier_pathways(ids, rows)))
        parsed = [to_event(ids, row) for row in rows]
        good = [p for p in parsed if isinstance(p, RowEvent)]
        ids = ids.knowing(imported.owned_events(conn, structure_id, earlier_events(ids, good)))
    return parsed, with_ids(ids, good)


def _append(caller: Caller, events: list[RowEvent]) -> list[Outcome]:
    """Each row as one batch item, in file order, through the pathways append path."""
    outcomes: list[Outcome] = []
    for start in range(0, len(events), BATCH_ITEMS):
        chunk = events[start : start + BATCH_ITEMS]
        items = [
            appends.batch_item({"pathway_id": e.pathway_id, "events": [e.event]}) for e in chunk
        ]
        outcomes += appends.append(caller, items)
    return outcomes


def _summary(parsed: list, events: list[RowEvent], outcomes: list[Outcome]) -> dict:
    """Counts, then every line: rejected with its reasons by column, or appended (or present)."""
    rejected = [{"line": p.line, "errors": p.errors} for p in parsed if isinstance(p, RowError)]
    done, warnings = [], []
    for row, outcome in zip(events, outcomes, strict=True):
        if outcome.status >= 400:
            rejected.append({"line": row.line, "errors": _reasons(row, outcome)})
            continue
        status = "accepted" if outcome.status == 201 else "already_present"
        done.append(
            {
                "line": row.line,
                "pathway_id": row.pathway_id,
                "event_id": row.event["id"],
                "status": status,
            }
        )
        warnings += [
            {"line": row.line, **w}
            for w in outcome.body.get("warnings", [])
            if outcome.status == 201
        ]
    return {
        "accepted": sum(d["status"] == "accepted" for d in done),
        "already_present": sum(d["status"] == "already_present" for d in done),
        "rejected": sorted(rejected, key=lambda r: r["line"]),
        "events": done,
        "warnings": warnings,
    }


def _reasons(row: RowEvent, outcome: Outcome) -> dict[str, list[str]]:
    """The API's errors keyed by template column; a whole-row refusal under `ligne`."""
    errors = outcome.body.get("errors")
    if not errors:
        column = "parcours" if outcome.status == 404 else "ligne"
        return {column: [outcome.body.get("detail", "Refusé.")]}
    reasons: dict[str, list[str]] = {}
    for path, messages in errors.items():
        reasons.setdefault(column_of(row.event["type"], path), []).extend(messages)
    return reasons


# --- templates ------------------------------------------------------------------------------------


@blp.route("/template.csv")
class CsvTemplate(MethodView):
    @blp.response(
        200, description="Modèle CSV (`;`, UTF-8 avec BOM, pour Excel)", content_type="text/csv"
    )
    @blp.doc(security=[])  # public: the template holds no data
    def get(self):
        """The CSV template: the header line of every column, ready for Excel."""
        out = io.StringIO()
        csv.writer(out, delimiter=";", lineterminator="\r\n").writerow(HEADERS)
        return _download("\ufeff" + out.getvalue(), "text/csv; charset=utf-8", "csv")


@blp.route("/template.xlsx")
class XlsxTemplate(MethodView):
    @blp.response(
        200,
        description="Modèle XLSX : une feuille à remplir, une feuille d'aide",
        content_type=XLSX_MIME,
    )
    @blp.doc(security=[])  # public: the template holds no data
    def get(self):
        """The XLSX template: the sheet to fill in, and a sheet explaining each column."""
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "Événements"
        sheet.append(list(HEADERS))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        help_sheet = book.create_sheet("Aide")
        help_sheet.append(["colonne", "contenu"])
        for row in COLUMNS:
            help_sheet.append(list(row))
        out = io.BytesIO()
        book.save(out)
        return _download(out.getvalue(), XLSX_MIME, "xlsx")


def _download(body: str | bytes, mimetype: str, extension: str) -> Response:
    disposition = f'attachment; filename="modele_import_evenements.{extension}"'
    response = current_app.response_class(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = disposition
    return response
