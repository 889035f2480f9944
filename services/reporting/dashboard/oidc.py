"""The dashboard as an OpenID Connect relying party (ProConnect in production), with Authlib.

Authlib reads the provider's discovery document at `OIDC_ISSUER`, sends the person there with an
authorization code request protected by PKCE (S256), a `state` and a `nonce` it keeps in the
server-side session, and on return checks the `state`, exchanges the code, and verifies the ID
token: signature against the provider's published keys, issuer, audience, expiry, nonce. Nothing
here parses a token by hand.

The registry then says which staff accounts the vouched-for e-mail holds, and mints, for the one
the person acts as, a short-lived token of that account's scope; the reporting service asks both
with its own `service` token (docs/api.md, "Staff accounts")."""

from __future__ import annotations

from dataclasses import dataclass

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app
from joserfc.errors import JoseError

from services.reporting.dashboard.page import SCOPE_LABELS
from services.reporting.reports import territory
from shared.auth import Caller
from shared.settings import Settings

PROVIDER = "proconnect"


class SignInRefused(Exception):
    """The provider's answer was refused: a French page says why, nothing is granted."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


@dataclass(frozen=True)
class Identity:
    """Who the provider vouched for, and how they authenticated (kept for the audit)."""

    email: str
    acr: str | None
    amr: list[str] | None


def init_app(app: Flask, settings: Settings) -> None:
    """Register the provider when `OIDC_ISSUER` is set (discovery is read on first use)."""
    if not configured(settings):
        return
    if not (settings.oidc_client_id and settings.oidc_client_secret and settings.service_token):
        raise ValueError(
            "OIDC_ISSUER est défini : OIDC_CLIENT_ID, OIDC_CLIENT_SECRET et SERVICE_TOKEN "
            "(qui demande au registre les jetons des comptes) doivent l'être aussi."
        )
    oauth = OAuth(app)
    oauth.register(
        PROVIDER,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        server_metadata_url=settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={
            "scope": settings.oidc_scopes,
            "code_challenge_method": "S256",
            "timeout": settings.http_timeout_seconds,
        },
    )
    app.extensions["iae_oidc"] = oauth


def configured(settings: Settings) -> bool:
    return bool(settings.oidc_issuer)


def start(redirect_uri: str):
    """The redirection to the provider; Authlib keeps `state`, `nonce` and the PKCE verifier."""
    client = _client()
    try:
        return client.authorize_redirect(redirect_uri)
    except (requests.RequestException, AuthlibBaseError, ValueError) as exc:
        raise SignInRefused(503, PROVIDER_DOWN) from exc


PROVIDER_DOWN = (
    "Le service d'identification ne répond pas. Réessayez dans quelques instants ; si cela dure, "
    "prévenez l'administrateur du tableau de bord."
)
REFUSED = (
    "La réponse du service d'identification n'a pas pu être vérifiée (lien expiré, déjà utilisé "
    "ou altéré). Aucun accès n'a été ouvert : recommencez la connexion depuis le tableau de bord."
)


def finish() -> Identity:
    """Check the provider's answer (`state`, code, ID token) and return who it vouched for."""
    client = _client()
    try:
        token = client.authorize_access_token()
    except requests.RequestException as exc:
        raise SignInRefused(503, PROVIDER_DOWN) from exc
    except (AuthlibBaseError, JoseError, ValueError, KeyError) as exc:
        raise SignInRefused(401, REFUSED) from exc
    claims = token.get("userinfo")
    if not claims:  # an answer without an ID token is no sign-in
        raise SignInRefused(401, REFUSED)
    email = claims.get("email")
    if not email:
        try:
            email = client.userinfo(token=token).get("email")
        except (requests.RequestException, AuthlibBaseError, ValueError) as exc:
            raise SignInRefused(401, REFUSED) from exc
    if not isinstance(email, str) or not email.strip():
        raise SignInRefused(
            401, "Le service d'identification n'a pas transmis votre adresse électronique."
        )
    amr = claims.get("amr")
    return Identity(email.strip(), claims.get("acr"), list(amr) if isinstance(amr, list) else None)


def _client():
    return current_app.extensions["iae_oidc"].create_client(PROVIDER)


# --- The registry, asked with the reporting service's own `service` token -----------------------


class RegistryRefused(Exception):
    """The registry could not be asked (`status` None), or refused (its status)."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


def accounts_of(email: str) -> list[dict]:
    """The staff accounts of a vouched-for e-mail (none: the person is refused)."""
    return _registry("POST", "/v1/staff/lookup", {"email": email}).json()["accounts"]


def mint(account_id: str, identity: Identity) -> dict:
    """A token of the account's scope for this person, living as long as a session may."""
    settings = current_app.config["SETTINGS"]
    body = {
        "email": identity.email,
        "minutes": max(1, int(settings.dashboard_session_hours * 60)),
        "acr": identity.acr,
        "amr": identity.amr,
    }
    return _registry("POST", f"/v1/staff/{account_id}/tokens", body).json()


def revoke(token_id: str) -> None:
    """Revoke a minted token at sign-out; an unreachable registry leaves it to expire."""
    try:
        _registry("DELETE", f"/v1/staff/tokens/{token_id}", None, ok=(204, 404))
    except RegistryRefused:
        current_app.logger.warning("minted token not revoked at sign-out")


def _registry(method: str, path: str, body: dict | None, ok=(200, 201)) -> requests.Response:
    settings = current_app.config["SETTINGS"]
    try:
        answer = requests.request(
            method,
            settings.registry_url + path,
            json=body,
            headers={"Authorization": f"Bearer {settings.service_token}"},
            timeout=settings.http_timeout_seconds,
        )
    except requests.RequestException as exc:
        raise RegistryRefused(str(exc)) from exc
    if answer.status_code not in ok:
        raise RegistryRefused(f"registry answered {answer.status_code}", answer.status_code)
    return answer


def account_label(account: dict) -> str:
    """« Structure — Chantier du Port », « Territoire — Ille-et-Vilaine (35) », « Réseau »."""
    scope = SCOPE_LABELS.get(account["scope"], account["scope"])
    if account["scope"] == "territory":
        area = Caller("territory", department=account["department"], region=account["region"])
        return f"{scope} — {territory.label(area)}"
    name = account.get("target_name")
    return f"{scope} — {name}" if name else scope
