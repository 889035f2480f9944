"""Pathways HTTP API: append events to a pathway, read the global feed."""

from __future__ import annotations

import uuid

from flask import current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy.exc import IntegrityError

from services.pathways import notify, schemas, store
from shared.auth import require
from shared.problems import Problem

pathways = Blueprint("pathways", __name__, url_prefix="/v1",
                     description="Parcours : journal d'événements")


def _engine():
    return current_app.extensions["iae_engine"]


@pathways.route("/pathways/<uuid:pathway_id>/events")
class PathwayEvents(MethodView):
    @pathways.arguments(schemas.AppendIn)
    @pathways.response(201, schemas.AppendOut)
    def post(self, body, pathway_id: uuid.UUID):
        """Append events to a pathway, atomically."""
        caller = require("structure")
        events = [store.NewEvent(e["id"], e["type"], e["occurred_on"], e["data"])
                  for e in body["events"]]
        try:
            with _engine().begin() as conn:
                current = store.current_version(conn, pathway_id)
                expected = body["expected_version"]
                if expected is not None and expected != current:
                    raise Problem(409, "La version attendue ne correspond pas.",
                                  slug="version-conflict", current_version=current)
                appended = store.append(conn, pathway_id, uuid.UUID(caller.structure_id), events,
                                        current, {"token_id": caller.token_id,
                                                  "request_id": g.request_id})
        except IntegrityError as exc:
            raise Problem(409, "Conflit d'écriture concurrente.", slug="version-conflict") from exc
        notify.after_commit(current_app.extensions["iae_redis"],
                            current_app.config["SETTINGS"].queue_prefix)
        return {"pathway_id": str(pathway_id), "version": appended[-1].version,
                "events": appended, "warnings": []}


@pathways.route("/feed")
class Feed(MethodView):
    @pathways.arguments(schemas.FeedArgs, location="query")
    @pathways.response(200, schemas.FeedOut)
    def get(self, args):
        """Committed events in global order after a position; never skips one."""
        require("admin", "network")
        with _engine().connect() as conn:
            events = store.feed(conn, args["after"], args["limit"])
        last = events[-1]["position"] if events else args["after"]
        return {"events": events, "last_position": last}
