"""Bearer-token authentication shared by the services.

The registry owns tokens; the other services ask it who a token is (`GET /v1/whoami`) and keep
the answer for at most `auth_cache_seconds` (60 s), so that a revoked token stops working
everywhere within a minute, and a registry outage only affects tokens not seen recently."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests
from flask import current_app, g, request

from shared.problems import Problem

SCOPES = ("admin", "network", "group", "structure", "territory")


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
        }


class RegistryUnavailable(Exception):
    """The registry could not be asked and no fresh cached answer exists."""


class CachingVerifier:
    """Caches a verification function's answers (positive ones only) for `ttl` seconds."""

    def __init__(self, verify: Callable[[str], Caller | None], ttl: float):
        self._verify = verify
        self._ttl = ttl
        self._cache: dict[str, tuple[Caller, float]] = {}
        self._lock = threading.Lock()

    def __call__(self, token: str) -> Caller | None:
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(token)
        if hit and hit[1] > now:
            return hit[0]
        caller = self._verify(token)
        with self._lock:
            if caller is None:
                self._cache.pop(token, None)
            else:
                self._cache[token] = (caller, now + self._ttl)
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
        if r.status_code == 401:
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
        )

    return verify


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def current_caller() -> Caller:
    """The authenticated caller of this request, or a 401/503 problem."""
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
        raise Problem(401, "Jeton inconnu ou révoqué.", headers={"WWW-Authenticate": "Bearer"})
    g.caller = caller
    return caller


def require(*scopes: str) -> Caller:
    """The caller, if its scope is one of `scopes`; else 403."""
    caller = current_caller()
    if caller.scope not in scopes:
        raise Problem(403, f"Ce jeton (portée « {caller.scope} ») ne permet pas cette opération.")
    return caller
