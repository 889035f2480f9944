"""The bare baseline: a minimal Flask app doing one INSERT + COMMIT of the real event row per POST,
served by gunicorn with the services' own settings (gunicorn.conf.py)."""

from __future__ import annotations

import os
import uuid

import orjson
from flask import Flask, Response, request
from sqlalchemy import create_engine, text

INSERT = text(
    "INSERT INTO events (position, event_id, pathway_id, version, structure_id, type, occurred_on,"
    " data, metadata) VALUES (nextval('events_position_seq'), :event_id, :pathway_id, :version,"
    " :structure_id, :type, :occurred_on, CAST(:data AS jsonb), CAST(:metadata AS jsonb))"
    " RETURNING position"
)


def create_app() -> Flask:
    """The app gunicorn serves; its database comes from BENCH_BARE_DATABASE_URL."""
    engine = create_engine(os.environ["BENCH_BARE_DATABASE_URL"], pool_size=10, max_overflow=10)
    app = Flask("bare")

    @app.get("/health")
    def health() -> Response:
        return Response(b'{"status": "ok"}', mimetype="application/json")

    @app.post("/events/<uuid:pathway_id>")
    def append(pathway_id: uuid.UUID) -> Response:
        body = orjson.loads(request.get_data())
        event = body["events"][0]
        with engine.begin() as conn:
            position = conn.execute(
                INSERT,
                {
                    "event_id": event["id"],
                    "pathway_id": pathway_id,
                    "version": body["expected_version"] + 1,
                    "structure_id": request.headers["X-Structure-Id"],
                    "type": event["type"],
                    "occurred_on": event["occurred_on"],
                    "data": orjson.dumps(event["data"]).decode(),
                    "metadata": "{}",
                },
            ).scalar_one()
        return Response(orjson.dumps({"position": position}), 201, mimetype="application/json")

    return app
