"""The published event schemas: the types, their versions, and one JSON Schema per type and
version, generated from the marshmallow schemas that validate them; and the `Deprecation` and
`Sunset` headers of an answer to events sent in a deprecated version.

Public, as the OpenAPI document is: an integrator reads them before holding a token.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from email.utils import format_datetime
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from services.pathways.web.typed_events import camel, typed_properties
from shared.domain import event_versions
from shared.domain import events as ev
from shared.problems import Problem
from shared.web import json_response

blp = Blueprint(
    "event_types",
    __name__,
    url_prefix="/v1",
    description="Types d'événements : versions et schémas JSON publiés",
)
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
COMPONENTS = "#/components/schemas/"


class VersionLink(Schema):
    version = fields.Integer(required=True)
    href = fields.String(required=True, metadata={"description": "Le schéma JSON de la version."})
    deprecated_on = fields.Date(metadata={"description": "Version dépréciée depuis ce jour."})
    sunset_on = fields.Date(metadata={"description": "Dernier jour où elle est acceptée."})


class EventTypeOut(Schema):
    type = fields.String(required=True)
    current_version = fields.Integer(required=True)
    accepted_versions = fields.List(fields.Integer(), required=True)
    versions = fields.List(fields.Nested(VersionLink), required=True)


class EventTypesOut(Schema):
    items = fields.List(fields.Nested(EventTypeOut), required=True)


def href(event_type: str, version: int) -> str:
    return f"/v1/event-types/{event_type}/{version}"


def listing() -> list[dict[str, Any]]:
    """Every type with its current version and the versions a client may send."""
    found = []
    for event_type in ev.EVENT_TYPES:
        versions = []
        for version in event_versions.accepted_versions(event_type):
            link: dict[str, Any] = {"version": version, "href": href(event_type, version)}
            window = event_versions.DEPRECATED.get((event_type, version))
            if window:
                link["deprecated_on"] = window.deprecated_on.isoformat()
                link["sunset_on"] = window.sunset_on.isoformat()
            versions.append(link)
        found.append(
            {
                "type": event_type,
                "current_version": ev.SCHEMA_VERSION[event_type],
                "accepted_versions": event_versions.accepted_versions(event_type),
                "versions": versions,
            }
        )
    return found


def _as_json_schema(node: Any) -> Any:
    """An OpenAPI 3.0 schema object as JSON Schema 2020-12: references into `$defs`, an
    exclusive minimum as a number."""
    if isinstance(node, list):
        return [_as_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    converted = {k: _as_json_schema(v) for k, v in node.items()}
    if isinstance(converted.get("$ref"), str):
        converted["$ref"] = converted["$ref"].replace(COMPONENTS, "#/$defs/")
    if converted.get("exclusiveMinimum") is True:
        converted["exclusiveMinimum"] = converted.pop("minimum")
    return converted


@functools.cache
def json_schema(event_type: str, version: int) -> dict[str, Any]:
    """The JSON Schema of an event of `event_type` sent in `version`; KeyError when that version
    is not accepted."""
    data = event_versions.data_schema(event_type, version)
    plugin = MarshmallowPlugin()
    spec = APISpec("events", "1", "3.0.3", plugins=[plugin])
    plugin.converter.add_attribute_function(typed_properties)  # type: ignore[union-attr]
    name = f"{camel(event_type)}V{version}"
    spec.components.schema(f"{name}Data", schema=data)
    envelope = Schema.from_dict(
        {
            "id": fields.UUID(required=True),
            "type": fields.String(required=True, metadata={"enum": [event_type]}),
            "schema_version": fields.Integer(metadata={"enum": [version]}),
            "occurred_on": fields.Date(required=True),
            "data": fields.Nested(data, required=True),
        },
        name=name,
    )
    spec.components.schema(name, schema=envelope)
    components = spec.to_dict()["components"]["schemas"]
    document = _as_json_schema(components.pop(name))
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": href(event_type, version),
        "title": f"{event_type}, version {version}",
        **document,
        "$defs": _as_json_schema(components),
    }


def deprecation_headers(sent: Iterable[tuple[Any, Any]]) -> dict[str, str]:
    """The headers of an answer to events sent as (type, schema_version) pairs: `Deprecation`
    (RFC 9745) and `Sunset` (RFC 8594) when one of them is a deprecated version."""
    windows = [
        event_versions.DEPRECATED[key]
        for key in {(t, v) for t, v in sent if isinstance(t, str) and isinstance(v, int)}
        if key in event_versions.DEPRECATED
    ]
    if not windows:
        return {}
    deprecated = datetime.combine(min(w.deprecated_on for w in windows), time(), UTC)
    sunset = datetime.combine(min(w.sunset_on for w in windows) + timedelta(days=1), time(), UTC)
    return {
        "Deprecation": f"@{int(deprecated.timestamp())}",
        "Sunset": format_datetime(sunset, usegmt=True),
        "Link": '</v1/event-types>; rel="deprecation"; type="application/json"',
    }


def sent_versions(events: Any) -> list[tuple[Any, Any]]:
    """(type, schema_version) of each event of a request's `events`, whatever their shape."""
    if not isinstance(events, list):
        return []
    return [(e.get("type"), e.get("schema_version")) for e in events if isinstance(e, dict)]


@blp.route("/event-types")
class EventTypes(MethodView):
    @blp.response(200, EventTypesOut)
    @blp.doc(security=[])
    def get(self):
        """The event types, their current version, the versions a client may send (a deprecated
        one until its sunset date) and the link to each version's JSON Schema."""
        return json_response({"items": listing()})


@blp.route("/event-types/<string:event_type>/<int:version>")
class EventTypeSchema(MethodView):
    @blp.response(200, {"type": "object", "description": "Un schéma JSON (2020-12)."})
    @blp.alt_response(404, description="Type ou version inconnus ou plus acceptés.")
    @blp.doc(security=[])
    def get(self, event_type: str, version: int):
        """The JSON Schema of an event of this type sent in this version."""
        try:
            return json_response(json_schema(event_type, version))
        except KeyError:
            raise Problem(404, "Type d'événement ou version inconnus.") from None
