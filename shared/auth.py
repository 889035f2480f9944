"""Bearer-token authentication shared by the services.

The registry owns tokens; the other services ask it who a token is (`GET /v1/whoami`) and keep
the answer for at most `auth_cache_seconds` (60 s), so that a revoked token stops working
everywhere within a minute, and a registry outage only affects tokens not seen recently."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import wraps

import requests
from flask import current_app, g, request

from shared.problems import Problem

SCOPES = ("admin", "network", "group", "structure", "territory", "service")
# The ADMIN_TOKEN setting: in the registry it may only create admin tokens (services/registry/
# api/tokens.py); the other services never see it (the registry's whoami refuses it).
BOOTSTRAP = "bootstrap"
# Scopes a view must name in `require` to let them in: `current_caller()` alone refuses them, so
# a view written for "any reader" never opens to the worker's token or the bootstrap one.
LIMITED_SCOPES = ("service", BOOTSTRAP)
FAILURES_REMEMBERED = 10_000  # refused tokens kept (by hash) at most, to bound memory


@dataclass(frozen=True)
class Caller:
    """Who is calling, as the registry knows it."""

    scope: str
    token_id: str | None = None
    structure_id: str | None = None
    group_id: str | None = None
    # A territory token reads one département or one region (docs/api.md, "Scopes").
    department: str | None = None
    region: str | None = None
    # From this day on (00:00 UTC) the token is refused, like an unknown one.
    expires_on: date | None = None
    # A token the registry minted for a staff account signed in to the dashboard: the account it
    # acts for, and the instant it stops working (docs/api.md, "Staff accounts").
    staff_id: str | None = None
    expires_at: datetime | None = None

    @property
    def is_admin(self) -> bool:
        return self.scope == "admin"

    def as_dict(self) -> dict:
        return {
            "scope": self.scope,
            "structure_id": self.structure_id,
            "group_id": self.group_id,
            "token_id": self.token_id,
            "department": self.department,
            "region": self.region,
            "expires_on": self.expires_on,
            "staff_id": self.staff_id,
            "expires_at": self.expires_at,
        }

    def seconds_left(self, now: datetime | None = None) -> float:
        """Seconds until the token expires (infinite when it never does)."""
        now = now or datetime.now(UTC)
        left = float("inf")
        if self.expires_on is not None:
            expiry = datetime(*self.expires_on.timetuple()[:3], tzinfo=UTC)
            left = (expiry - now).total_seconds()
        if self.expires_at is not None:
            left = min(left, (self.expires_at - now).total_seconds())
        return left


class RegistryUnavailable(Exception):
    """The registry could not be asked and no fresh cached answer exists."""


class CachingVerifier:
    """Caches a verification function's answers: a caller for `ttl` seconds but never past its
    token's expiry, a refusal for `failure_ttl` seconds (keyed by the token's hash, so a flood of
    one bad token asks the registry once)."""

    def __init__(
        self,
        verify: Callable[[str], Caller | None],
        ttl: float,
        failure_ttl: float = 5.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self._verify = verify
        self._clock = clock  # the wall clock expiry dates are read against
        self._ttl = ttl
        self._failure_ttl = min(failure_ttl, ttl)
        self._cache: dict[bytes, tuple[Caller | None, float]] = {}
        self._lock = threading.Lock()

    def __call__(self, token: str) -> Caller | None:
        key = hashlib.sha256(token.encode()).digest()
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(key)
        if hit and hit[1] > now:
            caller = hit[0]
            return caller if caller is None or caller.seconds_left(self._clock()) > 0 else None
        caller = self._verify(token)
        left = caller.seconds_left(self._clock()) if caller is not None else 0.0
        if caller is not None and left <= 0:
            caller = None
        ttl = min(self._ttl, left) if caller is not None else self._failure_ttl
        with self._lock:
            if len(self._cache) >= FAILURES_REMEMBERED:
                self._cache = {k: v for k, v in self._cache.items() if v[1] > now}
                if len(self._cache) >= FAILURES_REMEMBERED:
                    self._cache.clear()
            self._cache[key] = (caller, now + ttl)
        return caller


def registry_whoami(registry_url: str, timeout: float) -> Callable[[str], Caller | None]:
    """A verification function that asks the registry over HTTP."""
    session = requests.Session()

    def verify(token: str) -> Caller | None:
        try:
            r = session.get(
                f"{registry_url}/v1/whoami",
                headers={"Authorization": f"Bearer {token}"},
                timeout=timeout,
            )
        except requests.RequestException as exc:
            raise RegistryUnavailable(str(exc)) from exc
        if r.status_code in (401, 403):  # unknown, revoked, expired, or the bootstrap token
            return None
        if r.status_code != 200:
            raise RegistryUnavailable(f"registry answered {r.status_code}")
        body = r.json()
        return Caller(
            body["scope"],
            body.get("token_id"),
            body.get("structure_id"),
            body.get("group_id"),
            body.get("department"),
            body.get("region"),
            date.fromisoformat(body["expires_on"]) if body.get("expires_on") else None,
            body.get("staff_id"),
            datetime.fromisoformat(body["expires_at"]) if body.get("expires_at") else None,
        )

    return verify


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _authenticated() -> Caller:
    """The caller of this request, whatever its scope, or a 401/503 problem."""
    if "caller" in g:
        return g.caller
    token = bearer_token()
    if token is None:
        raise Problem(
            401,
            "Jeton absent : envoyez l'en-tête Authorization: Bearer <jeton>.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    verifier = current_app.extensions["iae_verifier"]
    try:
        caller = verifier(token)
    except RegistryUnavailable as exc:
        raise Problem(
            503,
            "Le registre ne répond pas : le jeton ne peut pas être vérifié.",
            headers={"Retry-After": "5"},
        ) from exc
    if caller is None:
        raise Problem(
            401, "Jeton inconnu, expiré ou révoqué.", headers={"WWW-Authenticate": "Bearer"}
        )
    g.caller = caller
    return caller


def _refused(caller: Caller) -> Problem:
    return Problem(403, f"Ce jeton (portée « {caller.scope} ») ne permet pas cette opération.")


def current_caller() -> Caller:
    """The authenticated caller of this request (401/503 otherwise); a limited scope (`service`,
    the bootstrap token) gets 403 unless the view let it in through `require`."""
    caller = _authenticated()
    if caller.scope in LIMITED_SCOPES and not g.get("scope_granted"):
        raise _refused(caller)
    return caller


def authenticated(view: Callable) -> Callable:
    """Decorate a view (outermost) so that its token is checked before its parameters are
    parsed: a request without a valid token answers 401, whatever its parameters hold."""

    @wraps(view)
    def checked(*args, **kwargs):
        current_caller()
        return view(*args, **kwargs)

    return checked


def require(*scopes: str) -> Caller:
    """The caller, if its scope is one of `scopes`; else 403."""
    caller = _authenticated()
    if caller.scope not in scopes:
        raise _refused(caller)
    g.scope_granted = True
    return caller
