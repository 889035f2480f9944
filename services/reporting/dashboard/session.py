"""The dashboard's sign-in state: the caller's token, encrypted, in an HTTP-only session cookie.

The token is what the report API checks, so the page keeps it (never in clear text on the client)
and presents it again on each request; the registry stays the judge of whether it still works."""

from __future__ import annotations

import base64
from datetime import timedelta

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask, current_app, session
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from wtforms import ValidationError

from shared.settings import Settings

SESSION_HOURS = 8  # a working day; staff sign in again after it (our choice)
TOKEN_KEY = "token"


def init_app(app: Flask, settings: Settings) -> None:
    """Configure the session cookie and the key that encrypts the token inside it."""
    app.secret_key = settings.secret_key
    app.config.update(
        SESSION_COOKIE_NAME="iae_tableau",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.cookie_secure,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
        WTF_CSRF_TIME_LIMIT=SESSION_HOURS * 3600,
    )
    app.jinja_env.globals["csrf_token"] = generate_csrf
    app.extensions["iae_dashboard_fernet"] = Fernet(_derive_key(settings.secret_key))


def _derive_key(secret_key: str) -> bytes:
    """A Fernet key of its own, so the cookie signature and the token encryption never share one."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"iae-dashboard-token")
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode()))


def sign_in(token: str) -> None:
    """Start a fresh session holding the encrypted token (a new CSRF token comes with it)."""
    session.clear()
    session.permanent = True
    session[TOKEN_KEY] = _fernet().encrypt(token.encode()).decode()


def sign_out() -> None:
    session.clear()


def stored_token() -> str | None:
    """The signed-in token, or None when absent, tampered with or older than the session."""
    sealed = session.get(TOKEN_KEY)
    if not isinstance(sealed, str):
        return None
    try:
        return _fernet().decrypt(sealed.encode(), ttl=SESSION_HOURS * 3600).decode()
    except InvalidToken:
        return None


def has_session() -> bool:
    return TOKEN_KEY in session


def csrf_token() -> str:
    return generate_csrf()


def csrf_valid(value: str | None) -> bool:
    """Whether a form's CSRF token belongs to this session (and is not too old)."""
    try:
        validate_csrf(value)
    except (ValidationError, CSRFError):
        return False
    return True


def _fernet() -> Fernet:
    return current_app.extensions["iae_dashboard_fernet"]
