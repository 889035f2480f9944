"""The dashboard's sign-in state, kept on the server (Redis, through Flask-Session).

The HTTP-only cookie carries only a random session id; the session itself (the caller's token,
encrypted, the time of sign-in, the CSRF token) lives in Redis. Signing out deletes it, so a copy
of the cookie opens nothing afterwards. A session ends after `dashboard_session_idle_minutes`
without a request (Redis expires it) and `dashboard_session_hours` after sign-in in any case.
The registry stays the judge of whether the token still works."""

from __future__ import annotations

import base64
import time
from datetime import timedelta

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask, current_app, session
from flask_session import Session
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from wtforms import ValidationError

from shared.settings import Settings

TOKEN_KEY = "token"
SIGNED_IN_AT = "signed_in_at"
STAFF_KEY = "staff"  # who signed in through the identity provider, and as which account
PENDING_KEY = "staff_pending"  # signed in, account not chosen yet: nothing is granted


def init_app(app: Flask, settings: Settings) -> None:
    """Server-side sessions in the service's Redis, and the key that encrypts the token there."""
    app.secret_key = settings.secret_key
    app.config.update(
        SESSION_TYPE="redis",
        SESSION_REDIS=app.extensions["iae_redis"],
        SESSION_KEY_PREFIX=f"{settings.queue_prefix}:session:",
        SESSION_PERMANENT=True,
        SESSION_COOKIE_NAME="iae_tableau",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.cookie_secure,
        # Each request pushes the expiry back: this is the idle timeout.
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=settings.dashboard_session_idle_minutes),
        # A form's CSRF token lives in the session and dies with it (idle timeout, absolute
        # lifetime, sign-out). A clock of its own, counted in whole seconds, refused a sign-in form
        # posted across a second boundary whenever the lifetime was short.
        WTF_CSRF_TIME_LIMIT=None,
    )
    Session(app)
    app.jinja_env.globals["csrf_token"] = generate_csrf
    app.extensions["iae_dashboard_fernet"] = Fernet(_derive_key(settings.secret_key))


def _derive_key(secret_key: str) -> bytes:
    """A Fernet key of its own, so that a copy of Redis does not hold usable tokens."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"iae-dashboard-token")
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode()))


def _renew_id() -> None:
    """Delete the stored session and give the browser a new id (sign-in and sign-out); Flask-Session
    does so only for a session that is not empty, so this comes before clearing it."""
    current_app.session_interface.regenerate(session)  # type: ignore[attr-defined]


def sign_in(token: str, staff: dict | None = None) -> None:
    """Start a fresh session, under a new id, holding the encrypted token; `staff` says who signed
    in through the identity provider (e-mail, account, minted token's id) when that is how."""
    _renew_id()
    session.clear()
    session[TOKEN_KEY] = _fernet().encrypt(token.encode()).decode()
    session[SIGNED_IN_AT] = time.time()
    if staff is not None:
        session[STAFF_KEY] = staff


def await_choice(pending: dict) -> None:
    """A person the provider signed in, who holds several accounts: a fresh session that grants
    nothing until they choose one (`pending_choice`)."""
    _renew_id()
    session.clear()
    session[PENDING_KEY] = pending
    session[SIGNED_IN_AT] = time.time()


def pending_choice() -> dict | None:
    """The accounts a signed-in person may choose from, within the session's lifetime."""
    pending, started = session.get(PENDING_KEY), session.get(SIGNED_IN_AT)
    if not isinstance(pending, dict) or not isinstance(started, int | float):
        return None
    return pending if time.time() - started <= _lifetime_seconds() else None


def staff() -> dict | None:
    """Who signed in through the identity provider, and as which account (None for a token)."""
    value = session.get(STAFF_KEY)
    return value if isinstance(value, dict) and TOKEN_KEY in session else None


def sign_out() -> None:
    """Forget the session on the server: the old cookie, wherever it was copied, opens nothing."""
    _renew_id()
    session.clear()


def stored_token() -> str | None:
    """The signed-in token, or None when absent, tampered with or past the session's lifetime."""
    sealed, started = session.get(TOKEN_KEY), session.get(SIGNED_IN_AT)
    if not isinstance(sealed, str) or not isinstance(started, int | float):
        return None
    if time.time() - started > _lifetime_seconds():
        return None
    try:
        return _fernet().decrypt(sealed.encode()).decode()
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


def _lifetime_seconds() -> float:
    return current_app.config["SETTINGS"].dashboard_session_hours * 3600


def _fernet() -> Fernet:
    return current_app.extensions["iae_dashboard_fernet"]
