"""Reporting HTTP API: the outcome report, alerts and projection operations."""

from __future__ import annotations

import threading
import time
from datetime import date

from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE
from sqlalchemy.exc import OperationalError

from services.reporting import reading, schemas
from services.reporting.catchup import checkpoints, parked
from services.reporting.catchup.feed import FeedUnavailable
from services.reporting.projections.registry import PROJECTIONS
from services.reporting.reports import alerts, etp, exports, post_exit, status
from services.reporting.reports import outcomes as reports
from shared import queues
from shared.auth import authenticated, current_caller, require
from shared.problems import Problem
from shared.web import json_response

blp = Blueprint("reports", __name__, url_prefix="/v1", description="Rapports, alertes, projections")
ERRORS = {
    401: "Jeton absent ou inconnu",
    403: "Hors de la portée du jeton",
    404: "Introuvable",
    409: "Le parcours reste mis de côté",
    422: "Paramètres invalides",
    503: "Projections en retard ou registre injoignable",
}
MIME = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# A report's other answers than JSON, by `format` (merged with the JSON one of each report).
FILES = {
    "content": {
        mime.split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
        for mime in MIME.values()
    }
}


def _engine():
    return current_app.extensions["iae_engine"]


def _settings():
    return current_app.config["SETTINGS"]


def _document_errors(*codes: int):
    def decorate(view):
        for code in codes:
            view = blp.alt_response(code, description=ERRORS.get(code, ""))(view)
        return view

    return decorate


def _answer(report: dict, fmt: str, to_file, stem: str):
    """The report as JSON, or as the CSV or XLSX file `to_file` writes, named by its period."""
    if fmt == "json":
        return json_response(report)
    name = f"{stem}_{report['from']}_{report['to']}.{fmt}"
    return Response(
        to_file(report, fmt),
        mimetype=MIME[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _outcome_file(report: dict, fmt: str) -> bytes:
    return exports.to_csv(report) if fmt == "csv" else exports.to_xlsx(report)


@blp.route("/reports/outcomes")
class Outcomes(MethodView):
    @authenticated
    @blp.arguments(reports.OutcomeParams, location="query", unknown=RAISE)
    @blp.response(200, schemas.Report, description="JSON (défaut), CSV ou XLSX selon `format`")
    @blp.doc(responses={200: FILES})
    @_document_errors(401, 403, 422, 503)
    def get(self, params):
        """Indicateurs de sorties d'une période, par une ou deux dimensions."""
        caller = current_caller()
        _ready(params)
        with _connection(params) as conn:
            report = reports.outcome_report(conn, caller, params)
        return _answer(report, params["format"], _outcome_file, "rapport-sorties")


@blp.route("/reports/etp")
class Etp(MethodView):
    @authenticated
    @blp.arguments(etp.EtpParams, location="query", unknown=RAISE)
    @blp.response(200, schemas.EtpReport, description="JSON (défaut), CSV ou XLSX selon `format`")
    @blp.doc(responses={200: FILES})
    @_document_errors(401, 403, 422, 503)
    def get(self, params):
        """ETP conventionnés vs réalisés d'une période, par annexe ou autre dimension."""
        caller = current_caller()
        _ready(params)
        with _connection(params) as conn:
            report = etp.etp_report(conn, caller, params)
        return _answer(report, params["format"], etp.to_file, "rapport-etp")


@blp.route("/reports/post-exit")
class PostExit(MethodView):
    @authenticated
    @blp.arguments(post_exit.PostExitParams, location="query", unknown=RAISE)
    @blp.response(
        200, schemas.PostExitReport, description="JSON (défaut), CSV ou XLSX selon `format`"
    )
    @blp.doc(responses={200: FILES})
    @_document_errors(401, 403, 422, 503)
    def get(self, params):
        """Ce que deviennent les personnes sorties : suivis à 1, 3 et 6 mois, emploi à 6 mois."""
        caller = current_caller()
        _ready(params)
        with _connection(params) as conn:
            report = post_exit.post_exit_report(conn, caller, params)
        return _answer(report, params["format"], post_exit.to_file, "rapport-apres-sortie")


def install_waiting(app, waiters: int) -> None:
    """At most `waiters` requests of this process wait for `min_position` at once."""
    app.extensions["iae_waiters"] = threading.BoundedSemaphore(max(1, waiters))


def _lag(position: int, detail: str) -> Problem:
    return Problem(
        503,
        f"Les rapports n'incluent pas encore la position {position}{detail}",
        slug="projection-lag",
        headers={"Retry-After": "2"},
    )


def _beyond_head(position: int) -> bool:
    """No event at `position` in the log yet (a feed that cannot be read says nothing)."""
    try:
        return position > 0 and not current_app.extensions["iae_logs"]["feed"].page(position - 1, 1)
    except FeedUnavailable:
        return False


def _included(position: int) -> bool:
    with _engine().connect() as conn:
        return checkpoints.included_position(conn) >= position


def _connection(params: dict):
    """The report's connection: an as-of report writes temporary tables, which a standby
    cannot, so it reads the primary; the others may read a standby (`reading`)."""
    if params.get("as_of_position") is not None:
        return _engine().connect()
    return reading.reader().connect(params["min_position"])


def _ready(params: dict) -> None:
    """Wait for `min_position`; check `as_of_position` is in the log (else 422), and wait
    until the projections include it."""
    if params["min_position"] is not None:
        _wait_for(params["min_position"])
    position = params.get("as_of_position")
    if position is not None and not _included(position):
        if _beyond_head(position):
            raise Problem(
                422,
                f"as_of_position : le journal n'a pas encore atteint la position {position}.",
                errors={"as_of_position": ["Position au-delà de la tête du journal."]},
            )
        _wait_for(position)


def _wait_for(position: int) -> None:
    """Read-your-writes: wait until every event projection includes `position`, or 503 — at
    once for a position the log has not reached, or when enough requests wait already."""
    if _included(position):
        return
    if _beyond_head(position):
        raise _lag(position, " : le journal ne l'a pas encore atteinte.")
    slots = current_app.extensions["iae_waiters"]
    if not slots.acquire(blocking=False):
        raise _lag(position, " et trop de requêtes attendent déjà ; réessayez.")
    try:
        deadline = time.monotonic() + _settings().min_position_wait_seconds
        while not _included(position):
            if time.monotonic() >= deadline:
                raise _lag(position, ".")
            time.sleep(0.05)
    finally:
        slots.release()


@blp.route("/alerts")
class Alerts(MethodView):
    @authenticated
    @blp.arguments(schemas.AlertArgs, location="query", unknown=RAISE)
    @blp.response(200, schemas.AlertPage)
    @_document_errors(401, 403, 422)
    def get(self, args):
        """Alertes ouvertes des parcours en cours, dans la portée du jeton."""
        caller = current_caller()
        structure_id = str(args["structure_id"]) if args["structure_id"] else None
        if caller.scope == "structure" and structure_id not in (None, caller.structure_id):
            raise Problem(403, "Une structure ne peut consulter que ses propres alertes.")
        with _engine().connect() as conn:
            return alerts.open_alerts(
                conn,
                caller,
                date.today(),
                args["page"],
                args["page_size"],
                structure_id,
                args["code"],
                (_settings().annex_under_consumption, _settings().annex_over_consumption),
            )


@blp.route("/projections")
class Projections(MethodView):
    @blp.response(200, schemas.ProjectionOut(many=True))
    @_document_errors(401, 403)
    def get(self):
        """Avancement de chaque projection par rapport à son journal."""
        require("admin", "network")
        with _engine().connect() as conn:
            return status.projection_status(conn, current_app.extensions["iae_logs"])


@blp.route("/projections/<name>/rebuild")
class Rebuild(MethodView):
    @blp.response(202, schemas.RebuildOut)
    @_document_errors(401, 403, 404, 503)
    def post(self, name: str):
        """Reconstruire une projection depuis le début du journal, puis basculer."""
        require("admin")
        if name not in PROJECTIONS:
            raise Problem(404, f"Projection inconnue : {name}.")
        _enqueue_rebuild(name)
        return {"name": name, "status": "rebuilding"}


@blp.route("/projections/<name>/parked/<pathway_id>/retry")
class RetryParked(MethodView):
    @blp.response(200, schemas.RetriedOut)
    @_document_errors(401, 403, 404, 409, 503)
    def post(self, name: str, pathway_id: str):
        """Dériver de nouveau un parcours mis de côté, une fois la cause corrigée."""
        require("admin")
        try:
            still = parked.retry(_engine(), name, pathway_id)
        except parked.NotParked:
            raise Problem(
                404, f"Aucun parcours {pathway_id} mis de côté par la projection {name}."
            ) from None
        except OperationalError as exc:  # the checkpoint is held (a rebuild swapping in)
            raise Problem(
                503, "Projection occupée : réessayez dans un instant.", headers={"Retry-After": "5"}
            ) from exc
        if still is not None:
            raise Problem(
                409,
                f"Le parcours reste mis de côté : l'événement à la position {still.position}"
                f" ({still.type}) ne peut toujours pas être appliqué ({still.error}).",
            )
        return {"name": name, "pathway_id": pathway_id, "status": "applied"}


def _enqueue_rebuild(name: str) -> None:
    settings = _settings()
    try:
        queues.queue(current_app.extensions["iae_redis"], settings.queue_prefix).enqueue(
            "services.reporting.catchup.jobs.rebuild", name, job_timeout=3600, result_ttl=0
        )
    except Exception as exc:  # Redis down: nothing was queued, say so
        raise Problem(
            503,
            "File de travaux injoignable : reconstruction non planifiée.",
            headers={"Retry-After": "5"},
        ) from exc
