"""What every registry view shares: the session factory, scope checks, documented errors, pages."""

from __future__ import annotations

from functools import wraps

from flask import current_app
from flask_smorest import Blueprint

from shared.auth import SCOPES, require
from shared.openapi_errors import ProblemSchema
from shared.problems import PROBLEM_MIME

ERRORS = {
    401: "Jeton absent, inconnu ou révoqué.",
    403: "La portée du jeton ne permet pas cette opération.",
    404: "Identifiant inconnu, ou hors de la portée du jeton.",
    409: "Conflit avec l'état enregistré.",
    422: "Données invalides : `errors` indique chaque champ en cause.",
}
TOTAL_HEADER = {
    "X-Total-Count": {
        "description": "Nombre total d'éléments (toutes pages).",
        "schema": {"type": "integer"},
    }
}


def db():
    return current_app.extensions["iae_db"]


def errors(blp: Blueprint, *statuses: int):
    """Document problem+json error answers of a view in the OpenAPI."""

    def decorator(func):
        for status in statuses:
            func = blp.alt_response(
                status,
                schema=ProblemSchema,
                content_type=PROBLEM_MIME,
                description=ERRORS[status],
            )(func)
        return func

    return decorator


# "Any" reader of reference data: every scope but the worker's (`service` reads the changes
# only) and the bootstrap token (it only creates admin tokens), docs/api.md "Scopes".
READERS = tuple(s for s in SCOPES if s != "service")


def guarded(blp: Blueprint, *scopes: str):
    """Authenticate (401) and check the scope (403, default: any reader) before the request body
    is even read."""

    def decorator(func):
        func = errors(blp, 401, 403)(func)

        @wraps(func)
        def wrapper(*args, **kwargs):
            require(*(scopes or READERS))
            return func(*args, **kwargs)

        return wrapper

    return decorator


def page_limit(args: dict) -> int:
    """The page size asked for, capped by the settings (docs/api.md: default 100, max 1,000)."""
    settings = current_app.config["SETTINGS"]
    return min(args.get("limit") or settings.page_size, settings.max_page_size)


def paged(items: list, total: int) -> tuple:
    return items, 200, {"X-Total-Count": str(total)}
