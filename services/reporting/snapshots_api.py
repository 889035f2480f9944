"""Frozen reports through HTTP: freeze a report, read it back byte for byte, list them, and
what changed since (docs/adr/0016-knowledge-time.md)."""

from __future__ import annotations

import dataclasses

from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from services.reporting.catchup import checkpoints
from services.reporting.reports import changes, outcomes, snapshots
from shared.auth import Caller, current_caller
from shared.problems import Problem
from shared.web import json_response

blp = Blueprint(
    "snapshots", __name__, url_prefix="/v1/reports/snapshots", description="Rapports figés"
)
JSON = "application/json"


class SnapshotMeta(Schema):
    id = fields.String()
    report = fields.String()
    params = fields.Dict()
    label = fields.String()
    as_of_position = fields.Integer()
    created_at = fields.String()
    created_by = fields.Dict(metadata={"description": "{token_id, staff_id}"})
    sha256 = fields.String(metadata={"description": "SHA-256 des octets de `body`"})


class Snapshot(SnapshotMeta):
    body = fields.Dict(metadata={"description": "Le rapport figé, JSON canonique (clés triées)"})


class SnapshotList(Schema):
    items = fields.List(fields.Nested(SnapshotMeta))


class ListArgs(Schema):
    report = fields.String(load_default=None, validate=validate.OneOf(sorted(snapshots.REPORTS)))


class LateEvent(Schema):
    position = fields.Integer()
    pathway_id = fields.String()
    type = fields.String()
    occurred_on = fields.String()
    recorded_at = fields.String(allow_none=True)
    metrics = fields.List(fields.String(), metadata={"description": "Indicateurs déplacés"})


class Changes(Schema):
    as_of_position = fields.Integer()
    head_position = fields.Integer()
    events = fields.List(fields.Nested(LateEvent))
    truncated = fields.Boolean()
    now = fields.Dict(metadata={"description": "Le rapport recalculé maintenant"})


def _engine():
    return current_app.extensions["iae_engine"]


@blp.route("")
class Snapshots(MethodView):
    @blp.arguments(snapshots.SnapshotIn, unknown=RAISE)
    @blp.response(201, Snapshot)
    @blp.alt_response(403, description="Hors de la portée du jeton")
    @blp.alt_response(422, description="Paramètres invalides")
    def post(self, data):
        """Figer un rapport (sorties ou ETP) à la position actuelle des projections."""
        caller = current_caller()
        with _engine().connect() as conn:
            body = snapshots.create(conn, caller, data["report"], data["params"], data["label"])
        return Response(body, status=201, mimetype=JSON)

    @blp.arguments(ListArgs, location="query", unknown=RAISE)
    @blp.response(200, SnapshotList)
    def get(self, args):
        """Les rapports figés de la portée du jeton, les plus récents d'abord (sans corps)."""
        with _engine().connect() as conn:
            return {"items": snapshots.listed(conn, current_caller(), args["report"])}


@blp.route("/<uuid:snapshot_id>")
class OneSnapshot(MethodView):
    @blp.response(200, Snapshot)
    @blp.alt_response(403, description="Hors de la portée du jeton")
    @blp.alt_response(404, description="Rapport figé introuvable")
    def get(self, snapshot_id):
        """Le rapport figé, octet pour octet tel qu'il a été enregistré."""
        with _engine().connect() as conn:
            found = snapshots.read(conn, current_caller(), str(snapshot_id))
        return Response(snapshots.envelope(found, found["body"]), mimetype=JSON)


@blp.route("/<uuid:snapshot_id>/changes")
class SnapshotChanges(MethodView):
    @blp.response(200, Changes)
    @blp.alt_response(403, description="Hors de la portée du jeton")
    @blp.alt_response(404, description="Rapport figé introuvable")
    def get(self, snapshot_id):
        """Les événements enregistrés après le rapport figé qui en changent les chiffres, et
        le rapport recalculé maintenant."""
        with _engine().connect() as conn:
            return json_response(what_changed(conn, str(snapshot_id)))


def what_changed(conn, snapshot_id: str, caller: Caller | None = None) -> dict:
    """The late events and the report now, for a snapshot the caller may read."""
    caller = caller or current_caller()
    found = snapshots.read(conn, caller, snapshot_id)
    params = found["params_loaded"]
    if params is None:
        raise Problem(
            422, "Ce rapport figé ne peut plus être recalculé : ses paramètres ont changé."
        )
    q = outcomes.scoped_query(conn, caller, {"group_by": "", **params})
    head = checkpoints.included_position(conn)
    now = snapshots.REPORTS[found["report"]][1](conn, caller, {**params, "as_of_position": head})
    structures = changes.structures_of(conn, dataclasses.replace(q, dims=()))
    events, truncated = changes.late_events(
        conn, found["report"], found["as_of_position"], head, structures, q.start, q.end
    )
    _recorded_at(events)
    return {
        "as_of_position": found["as_of_position"],
        "head_position": head,
        "events": events,
        "truncated": truncated,
        "now": now,
    }


# Reporting's copy of the log keeps no recording time: the feed gives it, one probe per event.
MAX_RECORDED = 200


def _recorded_at(events: list[dict]) -> None:
    feed = current_app.extensions["iae_logs"]["feed"]
    for i, event in enumerate(events):
        event["recorded_at"] = None
        if i >= MAX_RECORDED:
            continue
        try:
            page = feed.page(event["position"] - 1, 1)
        except Exception as exc:  # the feed is down: the list stands without the times
            raise Problem(503, "Journal injoignable : réessayez.") from exc
        if page and page[0]["position"] == event["position"]:
            event["recorded_at"] = page[0].get("recorded_at")
