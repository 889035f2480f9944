"""Frozen reports in the dashboard: « Figer ce rapport », the list of frozen reports, « Ce qui a
changé depuis » (per metric, and the late events), and a frozen report's files.

Every figure comes from the functions the API answers with (`reports/snapshots.py`,
`reports/changes.py`); a frozen report's files carry its label, position and hash above the
table (the export code of the live report, `reports/exports.py`)."""

from __future__ import annotations

from datetime import date

import orjson
from flask import current_app, flash, redirect, render_template, request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import EXCLUDE, Schema, fields

from services.reporting import snapshots_api
from services.reporting.dashboard import session as dashboard_session
from services.reporting.dashboard.page import _choices as page_choices
from services.reporting.dashboard.pagedoc import (
    FILE,
    FORM_EXPIRED,
    INVALID_CHOICE,
    OUT_OF_SCOPE,
    SIGNED_OUT,
    UNAVAILABLE,
    page_doc,
)
from services.reporting.dashboard.query import InvalidChoice, report_params, selection
from services.reporting.dashboard.views import (
    HTML,
    NotSignedIn,
    PageArgs,
    PageError,
    _export_format,
    _not_signed_in,
    _page_error,
    attachment,
    signed_in_caller,
)
from services.reporting.reports import etp, exports, snapshots
from shared.problems import Problem
from shared.web import FORM_MIME, accept_body

UNKNOWN_SNAPSHOT = "Rapport figé inconnu, ou hors du périmètre (page HTML)"
blp = Blueprint(
    "frozen",
    __name__,
    url_prefix="/",
    description="Rapports figés du tableau de bord (pages HTML, en français)",
)
blp.register_error_handler(PageError, _page_error)
blp.register_error_handler(NotSignedIn, _not_signed_in)


@blp.record_once
def _setup(state) -> None:
    accept_body(state.app, "frozen.FrozenReports", FORM_MIME)


REFUSED = "Rapport figé indisponible"
# The total's figures compared on « Ce qui a changé depuis », in French, per report.
METRICS = {
    "outcomes": [
        ("entries", "Entrées"),
        ("active", "Personnes en parcours"),
        ("exits", "Sorties"),
        ("counted_exits", "Sorties comptabilisées"),
        ("dynamic_exit_rate", "Taux de sorties dynamiques"),
        ("durable_exit_rate", "Taux d'emploi durable"),
        ("average_months", "Durée moyenne (mois)"),
        ("hours_worked", "Heures travaillées"),
        ("etp", "ETP"),
        ("trainings_completed", "Formations achevées"),
        ("support_actions", "Actions d'accompagnement"),
    ],
    "etp": [
        ("etp_conventioned", "ETP conventionnés"),
        ("etp_realised", "ETP réalisés"),
        ("consumption_rate", "Taux de consommation"),
        ("hours_worked", "Heures travaillées"),
        ("hours_outside_annex", "Heures hors annexe"),
    ],
}
REPORT_NAMES = {"outcomes": "Sorties et parcours", "etp": "ETP conventionnés et réalisés"}
EVENT_NAMES = {
    "pathway_opened": "Entrée en parcours",
    "pathway_exited": "Sortie",
    "event_voided": "Annulation d'un événement",
    "hours_worked_recorded": "Heures déclarées",
    "mise_a_disposition_recorded": "Mise à disposition",
    "training_completed": "Formation achevée",
    "support_action_recorded": "Action d'accompagnement",
}


class FreezeForm(Schema):
    class Meta:
        unknown = EXCLUDE

    csrf_token = fields.String(load_default="")
    label = fields.String(load_default="", metadata={"description": "Libellé du rapport figé"})
    report = fields.String(load_default="outcomes")


def _engine():
    return current_app.extensions["iae_engine"]


@blp.route("rapports-figes")
class FrozenReports(MethodView):
    @page_doc(
        blp,
        "Rapports figés",
        {200: {"description": "La page, ou le formulaire de connexion", **HTML}},
        e401=SIGNED_OUT,
        e503=UNAVAILABLE,
    )
    def get(self):
        """The frozen reports of the caller's scope, latest first."""
        caller, _ = signed_in_caller()
        with _engine().connect() as conn:
            items = snapshots.listed(conn, caller, None)
        return render_template(
            "dashboard/frozen.html",
            items=items,
            names=REPORT_NAMES,
            **page_choices(caller, request.args, date.today()),
        )

    @blp.arguments(FreezeForm, location="form")
    @blp.arguments(PageArgs, location="query", as_kwargs=True)
    @page_doc(
        blp,
        "Figer ce rapport",
        {303: {"description": "Vers la liste"}},
        e400=FORM_EXPIRED,
        e401=SIGNED_OUT,
        e403=OUT_OF_SCOPE,
        e422="Libellé, rapport ou choix invalide (page HTML)",
        e503=UNAVAILABLE,
    )
    def post(self, form, **_args):
        """Freeze the report the page shows; a forged request (no valid CSRF token) changes
        nothing."""
        caller, _ = signed_in_caller()
        if not dashboard_session.csrf_valid(form["csrf_token"]):
            raise PageError(400, "Formulaire expiré", "Rechargez la page puis réessayez.")
        label = form["label"].strip()
        if not label or len(label) > 200:
            raise PageError(422, REFUSED, "Donnez un libellé (200 caractères au plus).")
        if form["report"] not in snapshots.REPORTS:
            raise PageError(422, REFUSED, "Rapport inconnu.")
        try:
            chosen = selection(request.args, caller, date.today())
        except InvalidChoice as exc:
            raise PageError(exc.status, "Choix invalide", exc.message) from None
        group_by = (chosen.dimension,) if form["report"] == "outcomes" else ("annex",)
        params = {
            k: v for k, v in report_params(chosen, group_by).items() if k not in snapshots.OWN
        }
        try:
            with _engine().connect() as conn:
                body = snapshots.create(conn, caller, form["report"], params, label)
        except Problem as problem:
            raise PageError(problem.status, REFUSED, problem.detail) from None
        found = orjson.loads(body)
        flash(f"Rapport figé : « {label} », position {found['as_of_position']}.")
        return redirect(url_for("frozen.FrozenChanges", snapshot_id=found["id"]), 303)


@blp.route("rapports-figes/<uuid:snapshot_id>")
class FrozenChanges(MethodView):
    @page_doc(
        blp,
        "Ce qui a changé depuis",
        {200: {"description": "La page, ou le formulaire de connexion", **HTML}},
        e401=SIGNED_OUT,
        e403=OUT_OF_SCOPE,
        e404=UNKNOWN_SNAPSHOT,
        e503=UNAVAILABLE,
    )
    def get(self, snapshot_id):
        """The frozen figures against today's, metric by metric, and the late events."""
        caller, _ = signed_in_caller()
        try:
            with _engine().connect() as conn:
                found = snapshots.read(conn, caller, str(snapshot_id))
                changed = snapshots_api.what_changed(conn, str(snapshot_id), caller)
        except Problem as problem:
            raise PageError(problem.status, REFUSED, problem.detail) from None
        body, late = orjson.loads(found["body"]), changed["events"]
        rows = [
            (label, body["total"].get(metric), changed["now"]["total"].get(metric))
            for metric, label in METRICS[found["report"]]
        ]
        return render_template(
            "dashboard/frozen_changes.html",
            snapshot=found,
            report_name=REPORT_NAMES[found["report"]],
            rows=rows,
            changed=changed,
            events=[{**e, "name": EVENT_NAMES.get(e["type"], e["type"])} for e in late],
            **page_choices(caller, request.args, date.today()),
        )


@blp.route("rapports-figes/<uuid:snapshot_id>/export")
class FrozenExport(MethodView):
    @page_doc(
        blp,
        "Fichier d'un rapport figé",
        {200: {"description": "CSV, XLSX, ou le formulaire de connexion", **FILE}},
        e401=SIGNED_OUT,
        e403=OUT_OF_SCOPE,
        e404=UNKNOWN_SNAPSHOT,
        e422=INVALID_CHOICE,
        e503=UNAVAILABLE,
    )
    def get(self, snapshot_id):
        """The frozen report's CSV or XLSX file, its label, position and hash above the table."""
        caller, _ = signed_in_caller()
        fmt = _export_format()
        try:
            with _engine().connect() as conn:
                found = snapshots.read(conn, caller, str(snapshot_id))
        except Problem as problem:
            raise PageError(problem.status, REFUSED, problem.detail) from None
        report = orjson.loads(found["body"])
        preamble = [
            ["Rapport figé", found["label"]],
            ["Position du journal", str(found["as_of_position"])],
            ["Empreinte SHA-256", found["sha256"]],
        ]
        if found["report"] == "etp":
            body = etp.to_file(report, fmt, preamble)
        elif fmt == "csv":
            body = exports.to_csv(report, preamble=preamble)
        else:
            body = exports.to_xlsx(report, preamble=preamble)
        return attachment(body, fmt, f"rapport-fige-{found['as_of_position']}.{fmt}")
