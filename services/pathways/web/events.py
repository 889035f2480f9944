"""Pathways HTTP API: append events (alone or in batches), read pathways, read the global feed."""

from __future__ import annotations

import uuid

import orjson
from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import missing
from webargs.flaskparser import FlaskParser, is_json_request

from services.pathways import appending, reading
from services.pathways.appending import Outcome
from services.pathways.store import events as store
from services.pathways.web import appends, event_types, schemas, typed_events
from services.pathways.web.access import scoped
from shared.auth import bearer_token, current_caller
from shared.openapi_errors import ProblemSchema
from shared.openapi_links import link, links
from shared.problems import Problem
from shared.web import json_response


class OrjsonParser(FlaskParser):
    """webargs' Flask parser reading JSON bodies with orjson: a batch is up to 1,000 items."""

    def _raw_load_json(self, req):
        if not is_json_request(req):
            return missing
        return orjson.loads(req.get_data(cache=True))  # its errors are json.JSONDecodeError


class PathwaysBlueprint(Blueprint):
    ARGUMENTS_PARSER = OrjsonParser()


pathways = PathwaysBlueprint(
    "pathways",
    __name__,
    url_prefix="/v1",
    description="Parcours : journal d'événements, état, flux global",
)

ERRORS = {
    400: "JSON mal formé.",
    401: "Jeton absent, inconnu ou révoqué.",
    403: "Portée du jeton insuffisante.",
    404: "Parcours d'une autre structure, ou inexistant.",
    409: "Conflit de version (`version-conflict`, avec `current_version`) ou identifiant "
    "d'événement déjà utilisé pour un autre contenu (`event-id-conflict`).",
    413: "Corps trop volumineux.",
    422: "Données invalides ; `errors` par chemin de champ (ex. `events.0.data.hours`).",
}


def documented(*statuses: int):
    """Document the problem+json answers a view may give."""

    def wrap(view):
        for status in statuses:
            view = pathways.alt_response(status, schema=ProblemSchema, description=ERRORS[status])(
                view
            )
        return view

    return wrap


APPENDED_ID = "$response.body#/pathway_id"
APPENDED = {
    "GetPathway": link(
        "get", "/v1/pathways/{pathway_id}", "État du parcours.", pathway_id=APPENDED_ID
    ),
    "GetPathwayEvents": link(
        "get", "/v1/pathways/{pathway_id}/events", "Événements du parcours.", pathway_id=APPENDED_ID
    ),
}


def _engine():
    return current_app.extensions["iae_engine"]


def _kek():
    return current_app.extensions["iae_kek"]


@pathways.route("/pathways/<uuid:pathway_id>/events")
class PathwayEvents(MethodView):
    @scoped("structure")
    @pathways.arguments(schemas.AppendIn())
    @pathways.response(201, schemas.AppendOut)
    @pathways.alt_response(
        200,
        schema=schemas.AppendOut,
        success=True,
        description="Requête déjà enregistrée : la réponse d'origine.",
    )
    @documented(400, 401, 403, 404, 409, 413, 422)
    @links(pathways, 201, **APPENDED)
    @links(pathways, 200, **APPENDED)
    def post(self, body, pathway_id: uuid.UUID):
        """Append events to a pathway, atomically and exactly once."""
        caller = current_caller()
        request = appending.to_request(str(pathway_id), body["expected_version"], body["events"])
        outcome = appends.append(caller, [request])[0]
        if outcome.status >= 400:
            raise _as_problem(outcome)
        headers = event_types.deprecation_headers(
            (e["type"], e.get("schema_version")) for e in body["events"]
        )
        return json_response(outcome.body, outcome.status, headers)

    @scoped("structure", "admin")
    @pathways.response(200, {"type": "array", "items": typed_events.one_of(typed_events.STREAM)})
    @documented(401, 403, 404)
    def get(self, pathway_id: uuid.UUID):
        """The whole stream of a pathway in version order, each event marked voided or not."""
        caller = current_caller()
        with _engine().connect() as conn:
            return json_response(reading.stream(conn, caller, pathway_id, _kek()))


@pathways.route("/events/batch")
class Batch(MethodView):
    @scoped("structure")
    @pathways.arguments(schemas.BatchIn())
    @pathways.response(200, schemas.BatchOut)
    @documented(400, 401, 403, 413, 422)
    def post(self, body):
        """Append to many pathways; each item is atomic on its own and answers its own status."""
        caller = current_caller()
        requests = [appends.batch_item(item) for item in body["items"]]
        results = [{"status": o.status, **o.body} for o in appends.append(caller, requests)]
        sent = [
            pair
            for item in body["items"]
            if isinstance(item, dict)
            for pair in event_types.sent_versions(item.get("events"))
        ]
        return json_response({"results": results}, headers=event_types.deprecation_headers(sent))


@pathways.route("/pathways/<uuid:pathway_id>")
class PathwayState(MethodView):
    @scoped("structure", "admin")
    @pathways.response(200, schemas.PathwayView)
    @documented(401, 403, 404)
    def get(self, pathway_id: uuid.UUID):
        """The current state of a pathway: contracts, hours, PASS IAE, exit, alerts."""
        caller = current_caller()
        with _engine().connect() as conn:
            stream = reading.owned_stream(conn, caller, pathway_id, _kek())
        kind = current_app.extensions["iae_kinds"].kind_of(stream[0].structure_id, bearer_token())
        return json_response(reading.state_view(stream, kind, str(pathway_id)))


@pathways.route("/pathways")
class PathwayList(MethodView):
    @scoped("structure", "admin")
    @pathways.arguments(schemas.PathwayListArgs(), location="query")
    @pathways.response(200, schemas.PathwayListOut)
    @documented(401, 403, 422)
    def get(self, args):
        """Pathways of the caller's structure (all for admin), filtered and paginated."""
        caller = current_caller()
        with _engine().connect() as conn:
            return json_response(reading.listing(conn, caller, args))


@pathways.route("/feed")
class Feed(MethodView):
    @scoped("admin", "network", "service")
    @pathways.arguments(schemas.FeedArgs(), location="query")
    @pathways.response(200, schemas.FeedOut)
    @documented(401, 403, 422)
    def get(self, args):
        """Committed events in global order after a position; a reader never skips one.

        Each event's data is in the current shape of its type (an older one is upcast), with
        that `schema_version`. Voided events stay in the feed as they were; the `event_voided`
        events that follow tell consumers which ones to ignore.
        """
        with _engine().connect() as conn:
            events, last = store.feed(conn, args["after"], args["limit"])
        body = f'{{"events":{events},"last_position":{last}}}'
        return Response(body, mimetype="application/json")


def _as_problem(outcome: Outcome) -> Problem:
    body = dict(outcome.body)
    body.pop("pathway_id", None)
    body.pop("status", None)
    detail = body.pop("detail")
    slug = body.pop("type").rsplit("/", 1)[-1]
    return Problem(
        outcome.status,
        detail,
        slug=slug,
        title=body.pop("title"),
        errors=body.pop("errors", None),
        **body,
    )
