"""RFC 9457 problem+json for every error a service returns, including framework errors."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import orjson
import psycopg
from flask import Flask, Response, request
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

PROBLEM_MIME = "application/problem+json"
TYPE_BASE = "https://iae.coorace.example/problems/"
log = logging.getLogger("iae.problems")

TITLES = {
    400: "Requête mal formée",
    401: "Authentification requise",
    403: "Accès refusé",
    404: "Ressource introuvable",
    405: "Méthode non autorisée",
    409: "Conflit",
    413: "Corps de requête trop volumineux",
    415: "Type de contenu non pris en charge",
    422: "Données invalides",
    429: "Trop de requêtes",
    500: "Erreur interne",
    503: "Service indisponible",
}
SLUGS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation-error",
    429: "too-many-requests",
    500: "internal-error",
    503: "unavailable",
}


class Problem(HTTPException):
    """An error to return as problem+json; raise it anywhere in a request."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        slug: str | None = None,
        title: str | None = None,
        errors: Mapping[str, list[str]] | None = None,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ):
        super().__init__(description=detail)
        self.code = status
        self.slug = slug or SLUGS.get(status, "error")
        self.title = title or TITLES.get(status, "Erreur")
        self.errors = dict(errors) if errors else None
        self.extra_headers = dict(headers or {})
        self.extra = extra

    @property
    def status(self) -> int:
        """The HTTP status (werkzeug keeps it in `code`, typed as optional)."""
        return self.code or 500

    @property
    def detail(self) -> str:
        """The French sentence the answer's `detail` carries."""
        return self.description or ""

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": TYPE_BASE + self.slug,
            "title": self.title,
            "status": self.code,
            "detail": self.description,
        }
        if self.errors is not None:
            body["errors"] = self.errors
        body.update(self.extra)
        return body


def problem_response(problem: Problem) -> Response:
    response = Response(orjson.dumps(problem.body()), status=problem.code, mimetype=PROBLEM_MIME)
    for key, value in problem.extra_headers.items():
        response.headers[key] = value
    return response


def flatten_errors(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow's nested messages into {"events.0.data.hours": [...]}."""
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {prefix or "_body": list(messages)}
    if isinstance(messages, Mapping):
        flat: dict[str, list[str]] = {}
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema":
                path = prefix or "_body"
            for p, msgs in flatten_errors(value, path).items():
                flat.setdefault(p, []).extend(msgs)
        return flat
    return {prefix or "_body": [str(messages)]}


def from_http_exception(error: HTTPException) -> Problem:
    """Map any werkzeug/webargs error to a Problem with a clear French title and detail."""
    if isinstance(error, Problem):
        return error
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") or data.get("errors")
    if status == 422 and messages:
        # webargs nests by location ({"json": {...}, "query": {...}}); the location is noise here.
        if isinstance(messages, Mapping) and set(messages) <= {"json", "query", "form", "files"}:
            messages = {k: v for loc in messages.values() for k, v in loc.items()}
        return Problem(
            422, "Les données envoyées ne sont pas valides.", errors=flatten_errors(messages)
        )
    detail = _detail(status, error)
    headers = dict(getattr(error, "get_headers", lambda: [])() or [])
    headers.pop("Content-Type", None)
    return Problem(status, detail, headers=headers if status in (405, 429, 503) else None)


def _detail(status: int, error: HTTPException) -> str:
    if status == 400:
        return "Le corps de la requête n'est pas un JSON valide (ou un paramètre est mal formé)."
    if status == 413:
        return "Le corps de la requête dépasse la taille maximale autorisée."
    if status == 500:
        return "Une erreur inattendue s'est produite ; elle a été journalisée."
    return error.description or TITLES.get(status, "Erreur")


# psycopg's own errors reach here from the statements run on the driver connection (the append).
UNAVAILABLE = (
    OperationalError,
    InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    RedisConnectionError,
    RedisTimeoutError,
)
RETRY_AFTER_SECONDS = "2"


def unavailable(error: Exception) -> Problem | None:
    """A database or Redis that cannot be reached now is a 503 the client retries, not a 500:
    the transaction was rolled back (or, if its commit was cut, a retry replays it)."""
    lost = isinstance(error, DBAPIError) and error.connection_invalidated
    if not (lost or isinstance(error, UNAVAILABLE)):
        return None
    if isinstance(getattr(error, "orig", error), psycopg.errors.QueryCanceled):
        log.warning("statement cancelled past STATEMENT_TIMEOUT_MS")
        return Problem(
            503,
            "La requête a dépassé le temps de calcul autorisé et a été interrompue ; réessayez "
            "plus tard ou restreignez-la (période, périmètre).",
            slug="statement-timeout",
            headers={"Retry-After": RETRY_AFTER_SECONDS},
        )
    log.warning("dependency unavailable: %s", type(error).__name__)
    return Problem(
        503,
        "Une dépendance du service (base de données ou file) est momentanément injoignable ; "
        "réessayez la même requête.",
        headers={"Retry-After": RETRY_AFTER_SECONDS},
    )


def too_deep(error: Exception) -> Problem | None:
    """JSON nested deeper than the parser's recursion limit is malformed input, not a crash."""
    if isinstance(error, RecursionError) and request.is_json:
        return Problem(400, "Le corps JSON est imbriqué trop profondément.")
    return None


def install(app: Flask) -> None:
    """Route every error of the app through problem+json, without ever leaking a stack trace."""

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        return problem_response(from_http_exception(error))

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        if isinstance(error, HTTPException):
            return problem_response(from_http_exception(error))
        if (problem := unavailable(error) or too_deep(error)) is not None:
            return problem_response(problem)
        log.exception("unhandled error", exc_info=error)
        return problem_response(from_http_exception(InternalServerError()))
