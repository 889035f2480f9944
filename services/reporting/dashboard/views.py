"""The staff dashboard: the outcome report as a French web page, with sign-in and downloads.

Pages are rendered on the server by the very functions the report API answers with
(`dashboard/data.py`), so every figure shown is the figure the API gives for the same query."""

from __future__ import annotations

from datetime import date

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import EXCLUDE, Schema, fields

from services.reporting.dashboard import data, etp_page, oidc, pagedoc
from services.reporting.dashboard import format as dashboard_format
from services.reporting.dashboard import session as dashboard_session
from services.reporting.dashboard.data import REGION_EXPORT, ReportRefused
from services.reporting.dashboard.page import _choices as page_choices
from services.reporting.dashboard.page import page_context
from services.reporting.dashboard.pagedoc import (
    EXPORTS,
    FILE,
    FORM_EXPIRED,
    HTML,
    INVALID_CHOICE,
    OUT_OF_SCOPE,
    SIGNED_OUT,
    UNAVAILABLE,
)
from services.reporting.dashboard.query import InvalidChoice, report_params, selection
from shared.auth import LIMITED_SCOPES, Caller, RegistryUnavailable
from shared.web import FORM_MIME, accept_body

blp = Blueprint(
    "dashboard",
    __name__,
    url_prefix="/",
    template_folder="templates",
    static_folder="static",
    static_url_path="assets",
    description="Tableau de bord des équipes (pages HTML, en français)",
)
FORM_ENDPOINTS = (
    "dashboard.SignIn",
    "dashboard.SignOut",
    "dashboard.ChooseAccount",
)


def page_doc(summary: str, answers: dict, **errors: str):
    """Document a page of this blueprint (dashboard/pagedoc.py)."""
    return pagedoc.page_doc(blp, summary, answers, **errors)


class PageError(Exception):
    """An error shown to staff as a French page (never as JSON)."""

    def __init__(self, status: int, title: str, message: str, sign_in: bool = False):
        super().__init__(message)
        self.status, self.title, self.message, self.sign_in = status, title, message, sign_in


class NotSignedIn(Exception):
    """No session: the sign-in page is the answer."""


class SignInForm(Schema):
    class Meta:
        unknown = EXCLUDE

    token = fields.String(load_default="", metadata={"description": "Jeton d'accès"})
    csrf_token = fields.String(load_default="")


class CsrfForm(Schema):
    class Meta:
        unknown = EXCLUDE

    csrf_token = fields.String(load_default="")


class PageArgs(Schema):
    """The page's query string; every value is checked by dashboard_query with French errors."""

    class Meta:
        unknown = EXCLUDE

    period = fields.String(metadata={"description": "year, quarter, month ou custom"})
    year = fields.String()
    quarter = fields.String()
    month = fields.String()
    from_ = fields.String(data_key="from", metadata={"description": "AAAA-MM-JJ (custom)"})
    to = fields.String(metadata={"description": "AAAA-MM-JJ (custom)"})
    structure_id = fields.String()
    group_id = fields.String()
    kind = fields.String()
    department = fields.String()
    region = fields.String()
    by = fields.String(metadata={"description": "dimension du tableau"})


class ExportArgs(PageArgs):
    format = fields.String(metadata={"description": "csv ou xlsx"})


class EtpExportArgs(ExportArgs):
    table = fields.String(metadata={"description": "annexes ou mois"})


@blp.record_once
def _setup(state) -> None:
    app = state.app
    settings = app.config["SETTINGS"]
    dashboard_session.init_app(app, settings)
    oidc.init_app(app, settings)
    dashboard_format.install(app)
    app.jinja_env.globals["sign_in_options"] = lambda: sign_in_options(settings)
    app.jinja_env.globals["signed_in_staff"] = dashboard_session.staff
    for endpoint in FORM_ENDPOINTS:
        accept_body(app, endpoint, FORM_MIME)


@blp.errorhandler(PageError)
def _page_error(error: PageError):
    return render_template("dashboard/message.html", error=error), error.status


@blp.errorhandler(NotSignedIn)
def _not_signed_in(_error: NotSignedIn):
    return render_template("dashboard/sign_in.html"), 200


def sign_in_options(settings) -> dict:
    """How staff may sign in here: through the identity provider when one is configured, with
    a token when none is (or when `dashboard_token_sign_in` keeps the form too)."""
    provider = oidc.configured(settings)
    return {"provider": provider, "token": not provider or settings.dashboard_token_sign_in}


def signed_in_caller() -> tuple[Caller, str]:
    """The session's caller and token, checked with the registry like any API call."""
    token = dashboard_session.stored_token()
    if token is None:
        if dashboard_session.has_session():
            dashboard_session.sign_out()
            raise PageError(401, "Session expirée", "Votre session a expiré.", sign_in=True)
        raise NotSignedIn
    caller = verify(token)
    if caller is None:
        staff = dashboard_session.staff()
        dashboard_session.sign_out()
        if staff is not None:
            raise PageError(
                401,
                "Session terminée",
                "Votre session a pris fin (durée écoulée, ou compte retiré) : reconnectez-vous.",
                sign_in=True,
            )
        raise PageError(
            401,
            "Jeton expiré ou révoqué",
            "Votre jeton d'accès n'est plus valide : il a expiré ou a été révoqué. "
            "Demandez-en un nouveau à votre administrateur.",
            sign_in=True,
        )
    return caller, token


def verify(token: str) -> Caller | None:
    """The token's caller; the worker's `service` token reads no page (shared/auth.py)."""
    try:
        caller = current_app.extensions["iae_verifier"](token)
        return None if caller is not None and caller.scope in LIMITED_SCOPES else caller
    except RegistryUnavailable:
        raise PageError(
            503,
            "Service momentanément indisponible",
            "Le registre ne répond pas : votre accès ne peut pas être vérifié. "
            "Réessayez dans quelques instants.",
        ) from None


@blp.route("")
class Home(MethodView):
    @blp.arguments(PageArgs, location="query", as_kwargs=True)
    @page_doc(
        "Tableau de bord",
        {200: {"description": "La page, ou le formulaire de connexion", **HTML}},
        e401=SIGNED_OUT,
        e403=OUT_OF_SCOPE,
        e422=INVALID_CHOICE,
        e503=UNAVAILABLE,
    )
    def get(self, **_args):
        """The sign-in form, or the indicators of the chosen period and scope."""
        caller, _ = signed_in_caller()
        context, status = page_context(caller, request.args, date.today())
        return render_template("dashboard/dashboard.html", **context), status


@blp.route("sign-in")
class SignIn(MethodView):
    @blp.arguments(SignInForm, location="form")
    @page_doc(
        "Connexion par jeton",
        {303: {"description": "Vers le tableau"}},
        e400=FORM_EXPIRED,
        e401="Jeton inconnu ou révoqué (page HTML)",
        e403="Connexion par jeton fermée ici (page HTML)",
        e422="Jeton vide ou trop long (page HTML)",
        e503=UNAVAILABLE,
    )
    def post(self, form):
        """Check the token with the registry, then keep it, encrypted, in a new server session."""
        if not sign_in_options(current_app.config["SETTINGS"])["token"]:
            return _sign_in_error(
                403, "La connexion par jeton est fermée ici : connectez-vous avec ProConnect."
            )
        if not dashboard_session.csrf_valid(form["csrf_token"]):
            return _sign_in_error(400, "Le formulaire a expiré : veuillez réessayer.")
        token = form["token"].strip()
        if not token or len(token) > 500:
            return _sign_in_error(422, "Saisissez votre jeton d'accès.")
        if verify(token) is None:
            return _sign_in_error(401, "Jeton inconnu ou révoqué.")
        dashboard_session.sign_in(token)
        return redirect(url_for("dashboard.Home"), 303)


def _sign_in_error(status: int, message: str):
    return render_template("dashboard/sign_in.html", error=message), status


@blp.route("sign-out")
class SignOut(MethodView):
    @blp.arguments(CsrfForm, location="form")
    @page_doc(
        "Déconnexion",
        {303: {"description": "Vers la connexion"}},
        e400=FORM_EXPIRED,
    )
    def post(self, form):
        """Forget the token; a forged request (no valid CSRF token) changes nothing."""
        if not dashboard_session.csrf_valid(form["csrf_token"]):
            raise PageError(400, "Formulaire expiré", "Rechargez la page puis réessayez.")
        staff = dashboard_session.staff()
        dashboard_session.sign_out()
        if staff is not None:  # the token minted for this session works nowhere any more
            oidc.revoke(staff["token_id"])
        flash("Vous êtes déconnecté(e).")
        return redirect(url_for("dashboard.Home"), 303)


@blp.route("export")
class Export(MethodView):
    @blp.arguments(ExportArgs, location="query", as_kwargs=True)
    @page_doc(
        "Téléchargement CSV ou XLSX du tableau affiché",
        {
            200: {
                "description": "Le fichier du rapport d'API, ou le formulaire de connexion",
                **FILE,
            }
        },
        e401=SIGNED_OUT,
        e403=OUT_OF_SCOPE,
        e422=INVALID_CHOICE,
        e503=UNAVAILABLE,
    )
    def get(self, **_args):
        """The report API's file for exactly the table the page shows."""
        caller, _ = signed_in_caller()
        fmt = _export_format()
        try:
            chosen = selection(request.args, caller, date.today())
        except InvalidChoice as exc:
            raise PageError(exc.status, "Choix invalide", exc.message) from None
        if chosen.region:
            raise PageError(422, "Téléchargement impossible", REGION_EXPORT)
        params = {**report_params(chosen, (chosen.dimension,)), "format": fmt}
        try:
            body = data.export(caller, params, fmt)
        except ReportRefused as error:
            raise PageError(error.status, "Téléchargement impossible", error.detail) from None
        return _file(body, fmt, chosen)


def _file(body: bytes, fmt: str, chosen) -> Response:
    name = f"rapport-iae-{chosen.period.start}-{chosen.period.end}-{chosen.dimension}.{fmt}"
    return attachment(body, fmt, name)


def attachment(body: bytes, fmt: str, name: str) -> Response:
    """A downloaded report file, never kept by a shared cache."""
    return Response(
        body,
        mimetype=EXPORTS[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


ETP_REFUSED = "Rapport ETP indisponible"


def _thresholds() -> tuple[float, float]:
    settings = current_app.config["SETTINGS"]
    return settings.annex_under_consumption, settings.annex_over_consumption


@blp.route("etp")
class Etp(MethodView):
    @blp.arguments(PageArgs, location="query", as_kwargs=True)
    @page_doc(
        "ETP conventionnés et réalisés",
        {200: {"description": "La page, ou le formulaire de connexion", **HTML}},
        e401=SIGNED_OUT,
        e403="Rapport refusé pour ce jeton (page HTML)",
        e422=INVALID_CHOICE,
        e503=UNAVAILABLE,
    )
    def get(self, **_args):
        """ETP conventionnés vs réalisés by annexe and month, with the consumption alert."""
        caller, _ = signed_in_caller()
        today = date.today()
        context = page_choices(caller, request.args, today)
        try:
            chosen = selection(request.args, caller, today)
        except InvalidChoice as exc:
            page = render_template("dashboard/etp.html", **context, error=exc.message)
            return page, exc.status
        try:
            figures = etp_page.figures(chosen, caller, today, _thresholds())
        except ReportRefused as error:
            raise PageError(error.status, ETP_REFUSED, error.detail) from None
        return render_template("dashboard/etp.html", **context, **figures, chosen=chosen), 200


@blp.route("etp/export")
class EtpExport(MethodView):
    @blp.arguments(EtpExportArgs, location="query", as_kwargs=True)
    @page_doc(
        "Téléchargement CSV ou XLSX d'un tableau de la page ETP",
        {
            200: {
                "description": "Le fichier du rapport ETP de l'API, ou le formulaire de connexion",
                **FILE,
            }
        },
        e401=SIGNED_OUT,
        e403=OUT_OF_SCOPE,
        e422=INVALID_CHOICE,
        e503=UNAVAILABLE,
    )
    def get(self, **_args):
        """The ETP report API's file for exactly a table the page shows."""
        caller, _ = signed_in_caller()
        fmt, table = _export_format(), request.args.get("table", "")
        if table not in etp_page.TABLES:
            raise PageError(422, "Tableau inconnu", "Choisissez le tableau par annexe ou par mois.")
        try:
            chosen = selection(request.args, caller, date.today())
        except InvalidChoice as exc:
            raise PageError(exc.status, "Choix invalide", exc.message) from None
        params = {**etp_page.etp_params(chosen, etp_page.TABLES[table]), "format": fmt}
        try:
            body = data.etp_export(caller, params, fmt)
        except ReportRefused as error:
            raise PageError(error.status, ETP_REFUSED, error.detail) from None
        name = f"etp-{chosen.period.start}-{chosen.period.end}-{table}.{fmt}"
        return Response(
            body,
            mimetype=EXPORTS[fmt],
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "no-store",
            },
        )


def _export_format() -> str:
    """The file format a download asks for (CSV or XLSX), else a French 422 page."""
    fmt = request.args.get("format", "")
    if fmt not in EXPORTS:
        raise PageError(422, "Format inconnu", "Choisissez le format CSV ou XLSX.")
    return fmt
