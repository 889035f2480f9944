"""The common skeleton of the three services: problem+json errors, request ids, body limit,
health and readiness, Prometheus metrics and the OpenAPI document with offline docs."""

from __future__ import annotations

import http
import json
import re
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson
from flask import Flask, Request, Response, g, render_template_string, request, send_from_directory
from flask_smorest import Api
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from redis import Redis
from sqlalchemy import Engine
from werkzeug.exceptions import HTTPException

from shared import db, logs, problems, queues
from shared.openapi_errors import ProblemPlugin, ProblemSchema, is_error, problem_response
from shared.problems import Problem
from shared.settings import Settings

JSON_METHODS = {"POST", "PUT", "PATCH"}
FORM_MIME = "application/x-www-form-urlencoded"
UPLOAD_MIME = "multipart/form-data"
# Every HTML page (dashboard, sign-in, error pages, /docs) loads only the service's own scripts
# and styles, cannot be framed, and is never kept in a cache.
HTML_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
# Swagger UI 5 (swagger-ui-dist from npm, with its LICENSE), served by the service itself.
SWAGGER_UI = Path(__file__).resolve().parent / "static" / "swagger-ui"
# A client's request id is kept only in this form; any other is replaced (never stored nor echoed).
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
NUL = "\x00"
NUL_MESSAGE = "Le caractère nul (U+0000) n'est pas accepté."


class ServiceRequest(Request):
    """Flask's request, refusing a JSON body that holds a NUL when a view reads it (after the
    token is checked, as for any other invalid body)."""

    _nul_checked = False

    def get_data(self, cache: bool = True, as_text: bool = False, parse_form_data: bool = False):
        data = super().get_data(cache, as_text, parse_form_data)  # type: ignore[call-overload]
        if self.is_json and not self._nul_checked:
            self._nul_checked = True
            _refuse(list(_nul_paths(data.encode() if isinstance(data, str) else data)))
        return data


class ServiceApi(Api):
    """flask-smorest's Api, answering every error as problem+json, and documenting it so."""

    ERROR_SCHEMA = ProblemSchema

    def __init__(self, app: Flask) -> None:
        super().__init__(app, spec_kwargs={"extra_plugins": [ProblemPlugin()]})

    def handle_http_exception(self, error: HTTPException) -> Response:
        return problems.problem_response(problems.from_http_exception(error))

    def _register_responses(self) -> None:
        """The answers a view may name instead of describing them (`default`, `NOT_FOUND`…),
        each a problem when it is an error."""
        for status in http.HTTPStatus:
            if is_error(status.value):
                self.spec.components.response(
                    status.name, problem_response(status.phrase), lazy=True
                )
        self.spec.components.response(
            "DEFAULT_ERROR", problem_response("Erreur (voir `status` et `detail`)."), lazy=True
        )


def json_response(body, status: int = 200, headers: dict | None = None) -> Response:
    return Response(orjson.dumps(body), status=status, headers=headers, mimetype="application/json")


def create_service_app(
    name: str,
    settings: Settings,
    *,
    engine: Engine,
    redis: Redis,
    version: str = "1",
    description: str = "",
) -> tuple[Flask, ServiceApi]:
    """A Flask app with the plumbing every service shares, its database engine and Redis
    connection attached (and checked by /ready); the caller adds its blueprints."""
    settings.check_secrets()  # a known or short secret stops the start (shared/settings.py)
    logs.configure(settings.log_level)
    app = Flask(name)
    app.request_class = ServiceRequest
    app.config.update(
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        API_TITLE=f"IAE — {name}",
        API_VERSION=version,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL="/docs/static/",
        API_SPEC_OPTIONS={
            "info": {"description": description},
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearer": []}],
        },
        SETTINGS=settings,
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]
    db.limit_statements(engine, settings.statement_timeout_ms)  # web requests only
    api = ServiceApi(app)
    problems.install(app)
    _install_request_hooks(app)
    app.extensions.update(iae_engine=engine, iae_redis=redis)

    def readiness() -> list[str]:
        return [m for m in (db.ping(engine), queues.ping(redis)) if m]

    _install_operational_routes(app, name, readiness)
    return app, api


def _install_request_hooks(app: Flask) -> None:
    @app.before_request
    def _start() -> None:
        g.request_id = _request_id(request.headers.get("X-Request-Id", ""))
        g.started = time.perf_counter()
        # A method the route does not take is a 405 (with `Allow`), whatever its body.
        if request.routing_exception is None and _unexpected_body_type(app):
            raise Problem(415, "Le corps de la requête doit être envoyé en application/json.")
        _refuse_nul()

    @app.after_request
    def _finish(response: Response) -> Response:
        response.headers["X-Request-Id"] = g.get("request_id", "")
        response.headers["X-Content-Type-Options"] = "nosniff"
        if response.mimetype == "text/html":
            response.headers.update(HTML_HEADERS)
        metrics = app.extensions["iae_metrics"]
        endpoint = request.url_rule.rule if request.url_rule else "unmatched"
        metrics["requests"].labels(request.method, endpoint, response.status_code).inc()
        if "started" in g:
            metrics["latency"].labels(request.method, endpoint).observe(
                time.perf_counter() - g.started
            )
        return response


def _request_id(sent: str) -> str:
    """The client's request id when it is a short token, else a new one."""
    return sent if REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex


def _refuse_nul() -> None:
    """A NUL in the path, the query or a form is a 422 naming the field, before it can reach
    PostgreSQL (which keeps no NUL in text nor jsonb); a JSON body is checked when a view reads
    it (ServiceRequest)."""
    texts = [*(request.view_args or {}).items(), *request.args.items(multi=True)]
    if request.method in JSON_METHODS and request.mimetype == FORM_MIME:
        texts += request.form.items(multi=True)
    _refuse([k for k, v in texts if NUL in k or (isinstance(v, str) and NUL in v)])


def _refuse(fields: list[str]) -> None:
    if fields:
        raise Problem(
            422,
            "Les données envoyées ne sont pas valides.",
            errors={f.replace(NUL, "\\u0000"): [NUL_MESSAGE] for f in sorted(set(fields))},
        )


def _nul_paths(body: bytes) -> Iterator[str]:
    """The paths (`events.0.data.topic`) of the strings of a JSON body that hold a NUL. JSON can
    only write one as the escape \\u0000: a body without it is not parsed here. A body that does
    not parse is left to the view's parser (400)."""
    if b"\\u0000" not in body:
        return
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return
    pending: list[tuple[str, object]] = [("", document)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, str) and NUL in value:
            yield path or "_body"
        elif isinstance(value, dict):
            for key, child in value.items():
                child_path = f"{path}.{key}" if path else key
                if NUL in key:
                    yield child_path
                pending.append((child_path, child))
        elif isinstance(value, list):
            pending.extend((f"{path}.{i}" if path else str(i), c) for i, c in enumerate(value))


def accept_body(app: Flask, endpoint: str, mimetype: str) -> None:
    """Let `endpoint` take `mimetype` instead of JSON (HTML forms, file uploads)."""
    app.extensions.setdefault("iae_body_types", {}).setdefault(endpoint, set()).add(mimetype)


def _unexpected_body_type(app: Flask) -> bool:
    """A body is sent, and it is neither JSON nor a type this endpoint declared it takes."""
    if request.method not in JSON_METHODS or not request.content_length:
        return False
    return request.mimetype != "application/json" and not _accepts_body(app)


def _accepts_body(app: Flask) -> bool:
    allowed = app.extensions.get("iae_body_types", {}).get(request.endpoint, ())
    return request.mimetype in allowed


def _install_operational_routes(app: Flask, name: str, readiness: Callable[[], list[str]]) -> None:
    registry = CollectorRegistry()
    app.extensions["iae_metrics"] = {
        "registry": registry,
        "requests": Counter(
            "http_requests", "HTTP requests", ["method", "route", "status"], registry=registry
        ),
        "latency": Histogram(
            "http_request_seconds", "Request latency", ["method", "route"], registry=registry
        ),
    }

    @app.get("/health")
    def health() -> Response:
        return json_response({"status": "ok", "service": name})

    @app.get("/ready")
    def ready() -> Response:
        missing = readiness()
        if missing:
            raise Problem(503, "Dépendances indisponibles : " + ", ".join(missing), missing=missing)
        return json_response({"status": "ready", "service": name})

    @app.get("/metrics")
    def metrics() -> Response:
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)

    @app.get("/docs/static/<path:filename>")
    def docs_static(filename: str) -> Response:
        return send_from_directory(str(SWAGGER_UI), filename)

    # flask-smorest's page starts Swagger UI with an inline script, which the pages' policy
    # refuses: this one starts it from static/swagger-ui/start.js instead.
    app.view_functions["api-docs.openapi_swagger_ui"] = lambda: render_template_string(
        DOCS_PAGE, title=f"IAE — {name}"
    )


DOCS_PAGE = """<!DOCTYPE html>
<html lang="fr">
<head><meta charset="utf-8"><title>{{ title }}</title>
<link href="/docs/static/swagger-ui.css" rel="stylesheet"></head>
<body><div id="swagger-ui-container" data-spec-url="/openapi.json"></div>
<script src="/docs/static/swagger-ui-bundle.js"></script>
<script src="/docs/static/swagger-ui-standalone-preset.js"></script>
<script src="/docs/static/start.js"></script></body>
</html>
"""
