"""« Mes salariés » and each person's file: the pages of a structure's staff (docs/dashboard.md).

Only a structure session reads them; any other scope gets a French refusal page. Figures come
from reporting's projections (`reports/people.py`); the names, the pathway's events with their
void reasons, and the recording of a situation after the exit go through the pathways service
with the session's own token (`dashboard/pathways_api.py`): identities are shown, never stored
nor logged here.
"""

from __future__ import annotations

import math
import uuid
from datetime import date, timedelta

from babel.dates import format_date
from flask import current_app, flash, redirect, render_template, request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import EXCLUDE, Schema, fields

from services.reporting.dashboard import data, pagedoc, pathways_api
from services.reporting.dashboard import session as dashboard_session
from services.reporting.dashboard.page import SCOPE_LABELS, _scope_name
from services.reporting.dashboard.pagedoc import FORM_EXPIRED, SIGNED_OUT, page_doc
from services.reporting.dashboard.person_file import ERASED, person_file
from services.reporting.dashboard.views import NotSignedIn, PageError, signed_in_caller
from services.reporting.reports import people as people_reports
from services.reporting.reports import post_exit as post_exit_report
from shared.auth import Caller
from shared.domain import codes
from shared.domain import events as ev
from shared.domain.pathway.alerts import LABELS as ALERT_LABELS
from shared.domain.pathway.messages import french_date, french_hours
from shared.domain.post_exit import MONTHS_AFTER, MONTHS_AFTER_LABELS
from shared.web import FORM_MIME, accept_body

blp = Blueprint(
    "people",
    __name__,
    url_prefix="/salaries",
    template_folder="templates",
    description="Mes salariés et fiches des personnes (pages HTML, en français)",
)
PAGE_SIZE = 50
HTML = {"content": {"text/html": {"schema": {"type": "string"}}}}
STRUCTURES_ONLY = "Réservée aux structures (page HTML)"
STRUCTURES_ONLY = (
    "« Mes salariés » et les fiches des personnes sont réservées aux structures : elles "
    "montrent les personnes qu'une structure accompagne, avec leur nom. Connectez-vous avec "
    "l'accès de votre structure."
)
UNAVAILABLE = (
    "Le service des parcours ne répond pas : les noms et les fiches ne peuvent pas être lus. "
    "Réessayez dans quelques instants."
)


class ListArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    filtre = fields.String(metadata={"description": "alerte, contrat, pass ou suivi"})
    tri = fields.String(metadata={"description": "entree, fin_pass, fin_contrat ou alertes"})
    page = fields.String(metadata={"description": "numéro de page (50 personnes par page)"})


class FollowUpForm(Schema):
    class Meta:
        unknown = EXCLUDE

    csrf_token = fields.String(load_default="")
    months_after = fields.String(load_default="")
    situation = fields.String(load_default="")
    source = fields.String(load_default="")
    occurred_on = fields.String(load_default="")
    version = fields.String(load_default="")


@blp.record_once
def _setup(state) -> None:
    accept_body(state.app, "people.FollowUp", FORM_MIME)


@blp.errorhandler(PageError)
def _page_error(error: PageError):
    return render_template("dashboard/message.html", error=error), error.status


@blp.errorhandler(NotSignedIn)
def _not_signed_in(_error: NotSignedIn):
    return render_template("dashboard/sign_in.html"), 200


@blp.errorhandler(pathways_api.PathwaysUnavailable)
def _unavailable(_error: pathways_api.PathwaysUnavailable):
    error = PageError(503, "Service momentanément indisponible", UNAVAILABLE)
    return render_template("dashboard/message.html", error=error), 503


def _structure_session() -> tuple[Caller, str]:
    """The signed-in structure and its token; any other scope is refused in French."""
    caller, token = signed_in_caller()
    if caller.scope != "structure" or not caller.structure_id:
        raise PageError(403, "Page réservée aux structures", STRUCTURES_ONLY)
    return caller, token


def _common(caller: Caller) -> dict:
    structures = data.structures(caller)
    return {
        "caller": caller,
        "scope_label": SCOPE_LABELS[caller.scope],
        "scope_name": _scope_name(caller, structures),
        "alert_labels": ALERT_LABELS,
        "short_date": lambda day: french_date(day) if day else "—",
        "short_month": _short_month,
        "hours_text": french_hours,
    }


def _short_month(month: str) -> str:
    """`2026-09` as `sept.` (the full month is in the cell's abbreviation title)."""
    return format_date(date.fromisoformat(f"{month}-01"), "MMM", locale="fr_FR")


def _engine():
    return current_app.extensions["iae_engine"]


@blp.route("")
class People(MethodView):
    @blp.arguments(ListArgs, location="query", as_kwargs=True)
    @page_doc(
        blp,
        "Mes salariés",
        {200: {"description": "La page, ou le formulaire de connexion", **HTML}},
        e401=SIGNED_OUT,
        e403=STRUCTURES_ONLY,
        e503=pagedoc.UNAVAILABLE,
    )
    def get(self, **_args):
        """The structure's people in pathway, filtered, sorted and paginated, with their names."""
        caller, token = _structure_session()
        today = date.today()
        wanted, sort = request.args.get("filtre", ""), request.args.get("tri", "")
        wanted = wanted if wanted in people_reports.FILTERS else ""
        sort = sort if sort in people_reports.SORTS else "entree"
        with _engine().connect() as conn:
            everyone = people_reports.structure_people(conn, str(caller.structure_id), today)
            cohort = _cohort(conn, caller, today)
        shown = people_reports.chosen(everyone, wanted, sort)
        pages = max(1, math.ceil(len(shown) / PAGE_SIZE))
        page = min(max(_int(request.args.get("page"), 1), 1), pages)
        on_page = shown[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        found = pathways_api.identities(token, [p.person_id for p in on_page if p.person_id])
        names = {p.pathway_id: _name(found.get(p.person_id or "")) for p in on_page}
        return render_template(
            "dashboard/salaries.html",
            **_common(caller),
            people=on_page,
            names=names,
            erased=ERASED,
            total=len(shown),
            everyone=len(everyone),
            page=page,
            pages=pages,
            wanted=wanted,
            sort=sort,
            filters=people_reports.FILTERS,
            sorts=people_reports.SORTS,
            months=people_reports.months_shown(today),
            contract_types=codes.CONTRACT_TYPES,
            cohort=cohort,
            today=today,
        ), 200


def _cohort(conn, caller: Caller, today: date) -> dict:
    """The post-exit report of the exits of the last twelve months, for the structure."""
    start = today - timedelta(days=365)
    report = post_exit_report.post_exit_report(conn, caller, {"from_": start, "to": today})
    return {"from": start, "to": today, "total": report["total"]}


def _name(identity: dict | None) -> str | None:
    if not identity:
        return None
    return f"{identity.get('first_name', '')} {identity.get('last_name', '')}".strip()


def _int(value: str | None, default: int) -> int:
    try:
        return int(value or default)
    except ValueError:
        return default


@blp.route("/<uuid:pathway_id>")
class PersonFile(MethodView):
    @page_doc(
        blp,
        "Fiche d'une personne",
        {200: {"description": "La page, ou le formulaire de connexion", **HTML}},
        e401=SIGNED_OUT,
        e403=STRUCTURES_ONLY,
        e404="Parcours inconnu de la structure (page HTML)",
        e503=pagedoc.UNAVAILABLE,
    )
    def get(self, pathway_id: uuid.UUID):
        """Identity, eligibility, timeline, contracts and limits, follow-up after the exit."""
        caller, token = _structure_session()
        return _file_page(caller, token, str(pathway_id))


def _file_page(caller: Caller, token: str, pathway_id: str, form_error: str | None = None):
    view = pathways_api.pathway(token, pathway_id)
    if view.status != 200:
        raise PageError(
            404,
            "Fiche introuvable",
            "Aucun parcours de votre structure ne porte cet identifiant.",
        )
    state = view.body
    stream = pathways_api.events(token, pathway_id)
    identity = pathways_api.identity(token, state["person_id"]) if state.get("person_id") else None
    file = person_file(stream, identity)
    return render_template(
        "dashboard/salaries_file.html",
        **_common(caller),
        pathway_id=pathway_id,
        view=state,
        file=file,
        months_after={m: MONTHS_AFTER_LABELS[m] for m in MONTHS_AFTER},
        situations=codes.POST_EXIT_SITUATIONS,
        sources=codes.POST_EXIT_SOURCES,
        exit_reasons=codes.EXIT_REASONS,
        client_kinds=codes.CLIENT_KINDS,
        form_error=form_error,
        form=request.form if form_error else {},
        today=date.today(),
    ), (422 if form_error else 200)


@blp.route("/<uuid:pathway_id>/suivi")
class FollowUp(MethodView):
    @blp.arguments(FollowUpForm, location="form")
    @page_doc(
        blp,
        "Enregistrer une situation après la sortie",
        {
            303: {"description": "Vers la fiche de la personne"},
            200: {"description": "Le formulaire de connexion", **HTML},
        },
        e400=FORM_EXPIRED,
        e401=SIGNED_OUT,
        e403=STRUCTURES_ONLY,
        e404="Parcours inconnu de la structure (page HTML)",
        e422="Saisie refusée, expliquée sur la fiche (page HTML)",
        e503=pagedoc.UNAVAILABLE,
    )
    def post(self, form, pathway_id: uuid.UUID):
        """Record what became of the person, through the pathways API, then back to the file."""
        caller, token = _structure_session()
        if not dashboard_session.csrf_valid(form["csrf_token"]):
            raise PageError(400, "Formulaire expiré", "Rechargez la fiche puis réessayez.")
        problem = _follow_up_problem(form)
        if problem:
            return _file_page(caller, token, str(pathway_id), problem)
        event = {
            "type": ev.POST_EXIT_SITUATION_RECORDED,
            "occurred_on": form["occurred_on"],
            "data": {
                "months_after": int(form["months_after"]),
                "situation": form["situation"],
                "source": form["source"],
            },
        }
        version = _int(form["version"], 0) or None
        answer = pathways_api.append(token, str(pathway_id), event, version)
        if answer.status not in (200, 201):
            return _file_page(caller, token, str(pathway_id), _refusal(answer))
        flash("La situation après la sortie est enregistrée.")
        return redirect(url_for("people.PersonFile", pathway_id=pathway_id), 303)


def _follow_up_problem(form: dict) -> str | None:
    """What is missing or wrong in the form, in French, before anything is sent."""
    if form["months_after"] not in {str(m) for m in MONTHS_AFTER}:
        return "Choisissez l'échéance du suivi (1, 3, 6 ou 12 mois après la sortie)."
    if form["situation"] not in codes.POST_EXIT_SITUATIONS:
        return "Choisissez la situation de la personne."
    if form["source"] not in codes.POST_EXIT_SOURCES:
        return "Choisissez qui a donné l'information."
    try:
        date.fromisoformat(form["occurred_on"])
    except ValueError:
        return "Saisissez la date de l'information (jj/mm/aaaa)."
    return None


# What each refused field of the event means for staff (the API explains it in English).
FIELD_HINTS = {
    "events.0.type": "Le suivi après la sortie se renseigne sur un parcours sorti.",
    "events.0.occurred_on": "La date doit se situer entre la sortie et aujourd'hui.",
}


def _refusal(answer: pathways_api.Answer) -> str:
    """The pathways service's refusal, as staff read it: its French detail and what each
    refused field means."""
    body = answer.body if isinstance(answer.body, dict) else {}
    if answer.status == 409:
        return "La fiche a changé entre-temps : elle est rechargée, vérifiez puis réessayez."
    detail = body.get("detail") or "La situation n'a pas pu être enregistrée."
    hints = [FIELD_HINTS[f] for f in (body.get("errors") or {}) if f in FIELD_HINTS]
    return " ".join([detail, *hints])
