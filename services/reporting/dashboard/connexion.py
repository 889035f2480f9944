"""Staff sign-in through the identity provider (docs/dashboard.md, « Se connecter »): off to the
provider, back with a checked answer, then in as the staff account the person holds, or the one
they choose when they hold several. Every refusal is a French page and grants nothing."""

from __future__ import annotations

from flask import current_app, redirect, render_template, url_for
from flask.views import MethodView
from marshmallow import EXCLUDE, Schema, fields

from services.reporting.dashboard import oidc
from services.reporting.dashboard import session as dashboard_session
from services.reporting.dashboard.pagedoc import FORM_EXPIRED, HTML, UNAVAILABLE
from services.reporting.dashboard.views import PageError, blp, page_doc

NOT_CONFIGURED = "La connexion par un fournisseur d'identité n'est pas configurée ici."
NO_ACCOUNT = (
    "L'adresse {email} n'a pas de compte sur ce tableau de bord. Demandez à l'administrateur du "
    "tableau de bord de votre réseau (l'équipe qui vous a invité·e à l'utiliser) de vous en "
    "créer un pour cette adresse, puis reconnectez-vous."
)
REGISTRY_DOWN = (
    "Le registre ne répond pas : vos droits ne peuvent pas être vérifiés. Réessayez dans "
    "quelques instants."
)
ACCOUNT_GONE = (
    "Ce compte vient d'être retiré, ou sa structure fermée. Reconnectez-vous ; si vous pensez "
    "devoir y accéder, demandez à l'administrateur du tableau de bord."
)
REFUSED_TITLE = "Connexion refusée"
NOT_CONFIGURED_PAGE = "Aucun fournisseur configuré (page HTML)"
NO_PENDING = "Aucune connexion en cours (page HTML)"


class ReturnArgs(Schema):
    """What the provider sends back; Authlib reads and checks them (`state` first)."""

    class Meta:
        unknown = EXCLUDE

    code = fields.String()
    state = fields.String()
    iss = fields.String()
    error = fields.String()
    error_description = fields.String()


class ChoiceForm(Schema):
    class Meta:
        unknown = EXCLUDE

    account = fields.String(load_default="", metadata={"description": "Compte choisi"})
    csrf_token = fields.String(load_default="")


def _settings():
    return current_app.config["SETTINGS"]


def _refused(status: int, message: str) -> PageError:
    return PageError(status, REFUSED_TITLE, message, sign_in=True)


@blp.route("connexion/oidc")
class OidcStart(MethodView):
    @page_doc(
        "Connexion par le fournisseur d'identité (ProConnect)",
        {302: {"description": "Vers le fournisseur d'identité"}},
        e404=NOT_CONFIGURED_PAGE,
        e503="Fournisseur d'identité injoignable (page HTML)",
    )
    def get(self):
        """Send the person to the provider, with a fresh `state`, `nonce` and PKCE challenge."""
        if not oidc.configured(_settings()):
            raise PageError(404, "Connexion indisponible", NOT_CONFIGURED)
        try:
            return oidc.start(url_for("dashboard.OidcReturn", _external=True))
        except oidc.SignInRefused as refused:
            raise _refused(refused.status, refused.message) from None


@blp.route("connexion/oidc/retour")
class OidcReturn(MethodView):
    @blp.arguments(ReturnArgs, location="query", as_kwargs=True)
    @page_doc(
        "Retour du fournisseur d'identité",
        {303: {"description": "Vers le tableau, ou le choix du compte"}},
        e401="Réponse du fournisseur refusée (page HTML)",
        e403="Adresse sans compte (page HTML)",
        e404=NOT_CONFIGURED_PAGE,
        e503=UNAVAILABLE,
    )
    def get(self, **_args):
        """Check the provider's answer, then open a session as the person's staff account."""
        if not oidc.configured(_settings()):
            raise PageError(404, "Connexion indisponible", NOT_CONFIGURED)
        try:
            identity = oidc.finish()
        except oidc.SignInRefused as refused:
            dashboard_session.sign_out()
            raise _refused(refused.status, refused.message) from None
        try:
            accounts = oidc.accounts_of(identity.email)
        except oidc.RegistryRefused:
            dashboard_session.sign_out()
            raise _refused(503, REGISTRY_DOWN) from None
        if not accounts:
            dashboard_session.sign_out()
            raise _refused(403, NO_ACCOUNT.format(email=identity.email))
        if len(accounts) == 1:
            return _enter(accounts[0], identity)
        dashboard_session.await_choice(
            {
                "email": identity.email,
                "acr": identity.acr,
                "amr": identity.amr,
                "accounts": [{"id": a["id"], "label": oidc.account_label(a)} for a in accounts],
            }
        )
        return redirect(url_for("dashboard.ChooseAccount"), 303)


@blp.route("connexion/compte")
class ChooseAccount(MethodView):
    @page_doc("Choix du compte", {200: {"description": "La page", **HTML}}, e401=NO_PENDING)
    def get(self):
        """The accounts of the person just signed in, to act as one of them."""
        pending = _pending()
        return render_template("dashboard/choose_account.html", pending=pending), 200

    @blp.arguments(ChoiceForm, location="form")
    @page_doc(
        "Agir avec le compte choisi",
        {303: {"description": "Le tableau"}},
        e400=FORM_EXPIRED,
        e401=NO_PENDING,
        e422="Compte non choisi, ou pas l'un des siens (page HTML)",
        e503=UNAVAILABLE,
    )
    def post(self, form):
        """Open the session as the chosen account; another account id changes nothing."""
        pending = _pending()
        if not dashboard_session.csrf_valid(form["csrf_token"]):
            raise PageError(400, "Formulaire expiré", "Rechargez la page puis réessayez.")
        chosen = next((a for a in pending["accounts"] if a["id"] == form["account"]), None)
        if chosen is None:
            page = render_template(
                "dashboard/choose_account.html", pending=pending, error="Choisissez un compte."
            )
            return page, 422
        identity = oidc.Identity(pending["email"], pending["acr"], pending["amr"])
        return _enter(chosen, identity)


def _pending() -> dict:
    pending = dashboard_session.pending_choice()
    if pending is None:
        raise PageError(401, "Session expirée", "Reconnectez-vous.", sign_in=True)
    return pending


def _enter(account: dict, identity: oidc.Identity):
    """Mint the account's token and keep it, encrypted, in a new session."""
    try:
        minted = oidc.mint(account["id"], identity)
    except oidc.RegistryRefused as refused:
        dashboard_session.sign_out()
        if refused.status == 404:  # removed, or its structure closed, since it was listed
            raise _refused(403, ACCOUNT_GONE) from None
        raise _refused(503, REGISTRY_DOWN) from None
    label = account.get("label") or oidc.account_label(account)
    staff = {"email": identity.email, "account": label, "token_id": minted["id"]}
    dashboard_session.sign_in(minted["token"], staff)
    return redirect(url_for("dashboard.Home"), 303)
