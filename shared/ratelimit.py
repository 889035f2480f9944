"""Per-token rate limits on the expensive endpoints (reports, exports, imports), with Flask-Limiter
and the services' Redis, so that every process of a service counts against the same budget.

A limit is given as a setting in Flask-Limiter's notation ("50/second;2000/hour"); an empty one
turns it off. Past it, the caller gets a French 429 problem with `Retry-After`."""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Iterable

from flask import Flask, Response, request
from flask_limiter import Limiter, RateLimitExceeded, RequestLimit

from shared.problems import Problem, problem_response
from shared.settings import Settings


def token_key() -> str:
    """The caller's bearer token, hashed (a key in Redis never holds a token), else its address;
    the dashboard's downloads count against the session's token the same way, by its cookie."""
    sent = request.headers.get("Authorization", "") or request.cookies.get("iae_tableau", "")
    if sent:
        return "t:" + hashlib.sha256(sent.encode()).hexdigest()[:32]
    return "a:" + (request.remote_addr or "-")


def install(app: Flask, settings: Settings) -> Limiter:
    """The app's limiter (no default limit: only the endpoints given to `limit` are counted)."""
    limiter = Limiter(
        token_key,
        app=app,
        storage_uri=settings.redis_url,
        storage_options={"socket_connect_timeout": 1, "socket_timeout": 2},
        key_prefix=f"{settings.queue_prefix}:limits",
        strategy="moving-window",
        swallow_errors=True,  # Redis down: the request is served, not refused
    )
    app.extensions["iae_limiter"] = limiter
    app.register_error_handler(RateLimitExceeded, _exceeded)
    return limiter


def limit(app: Flask, value: str, endpoints: Iterable[str], scope: str) -> None:
    """Count each token's calls to `endpoints` together (one budget per `scope`) against `value`."""
    if not value.strip():
        return
    limiter: Limiter = app.extensions["iae_limiter"]
    shared = limiter.shared_limit(value, scope=scope, on_breach=_problem)
    for endpoint in endpoints:
        app.view_functions[endpoint] = shared(app.view_functions[endpoint])  # type: ignore[assignment]


def _problem(breached: RequestLimit) -> Response:
    wait = max(1, math.ceil(breached.reset_at - time.time()))
    return problem_response(
        Problem(
            429,
            f"Trop de requêtes pour ce jeton : réessayez dans {wait} seconde(s).",
            slug="rate-limited",
            headers={"Retry-After": str(wait)},
        )
    )


def _exceeded(error: RateLimitExceeded):
    if error.response is not None:
        return error.response
    return problem_response(Problem(429, "Trop de requêtes pour ce jeton.", slug="rate-limited"))
