"""The events of the OpenAPI document, typed: one schema per event type, generated from the
marshmallow schemas that validate the events' data (shared/domain/events.py DATA_SCHEMAS), so
that the published contract and the checks are never written twice.

Three families per type: what a client sends (`<Type>Event`), what the feed returns
(`<Type>FeedEvent`) and what a pathway's stream returns (`<Type>StreamEvent`); the `events` of
every request and answer is a `oneOf` of one family, discriminated by `type`. The data an event
is read back with is its stored form (`<Type>StoredData`): the values sealed out of the log may
be absent or null, and the opening carries the category fields the service adds.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate
from marshmallow.fields import Field

from shared.domain import codes
from shared.domain import events as ev
from shared.domain.event_fields import CodeOf

IN, FEED, STREAM = "Event", "FeedEvent", "StreamEvent"
COMPONENTS = "#/components/schemas/"

# Fields the service adds to the stored data of a type (never accepted from a client).
SERVER_FIELDS: Mapping[str, Mapping[str, Callable[[], Field]]] = {
    ev.PATHWAY_OPENED: {
        "sex": lambda: fields.String(
            validate=CodeOf(codes.SEXES), metadata={"description": "Sexe à l'entrée."}
        ),
        "age_band": lambda: fields.String(
            validate=CodeOf(codes.AGE_BANDS), metadata={"description": "Tranche d'âge à l'entrée."}
        ),
    },
}


def camel(event_type: str) -> str:
    """`pathway_opened` → `PathwayOpened`."""
    return "".join(part.capitalize() for part in event_type.split("_"))


def component(event_type: str, family: str) -> str:
    return f"{camel(event_type)}{family}"


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"{COMPONENTS}{name}"}


def one_of(family: str, event_types: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The OpenAPI schema of an event of any type of one family, discriminated by `type`."""
    names = {t: component(t, family) for t in event_types or ev.EVENT_TYPES}
    return {
        "oneOf": [ref(name) for name in names.values()],
        "discriminator": {
            "propertyName": "type",
            "mapping": {t: f"{COMPONENTS}{name}" for t, name in names.items()},
        },
    }


class OneEvent(fields.Field):
    """An event of any type: loaded by `envelope` (its data is validated afterwards, by its type's
    schema, so that errors name `events.N.data.field`), documented as the `oneOf` of a family."""

    def __init__(self, envelope: type[Schema] | None = None, family: str = IN, **kwargs: Any):
        super().__init__(**kwargs)
        self.envelope = envelope() if envelope else None
        self.family = family

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if self.envelope is None:
            raise self.make_error("invalid")
        try:
            return self.envelope.load(value)
        except ValidationError as error:
            raise ValidationError(error.messages) from None

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value


class LoadedLater(fields.Raw):
    """A value taken as it is and validated afterwards by `schema` (a batch item, so that a bad
    item fails alone), documented as that schema."""

    def __init__(self, schema: type[Schema], **kwargs: Any):
        super().__init__(**kwargs)
        self.schema = schema


def typed_properties(converter: Any, field: Field, **kwargs: Any) -> dict[str, Any]:
    """apispec attribute function: the `oneOf` of a OneEvent, the schema of a value loaded later,
    the French labels of a code table, an exclusive lower bound."""
    if isinstance(field, OneEvent):
        return one_of(field.family)
    if isinstance(field, LoadedLater):
        resolved: dict[str, Any] = converter.resolve_nested_schema(field.schema)
        return resolved
    found: dict[str, Any] = {}
    for validator in field.validators:
        if isinstance(validator, CodeOf):
            labels = "; ".join(f"`{c}` : {label}" for c, label in validator.labels.items())
            described = field.metadata.get("description")
            found["description"] = f"{described} {labels}" if described else labels
        elif isinstance(validator, validate.Range) and not validator.min_inclusive:
            found["exclusiveMinimum"] = True  # OpenAPI 3.0: a flag on `minimum`
    return found


def _relaxed(declared: dict[str, Field], path: tuple[str, ...], name: str) -> dict[str, Field]:
    """The fields with the one at `path` optional and nullable (a value sealed out of the log:
    absent from the feed, null once erased), nested schemas copied under `name`."""
    head, *rest = path
    declared = dict(declared)
    original = declared[head]
    if not rest:
        relaxed = copy.copy(original)
        relaxed.required, relaxed.allow_none = False, True
        declared[head] = relaxed
        return declared
    assert isinstance(original, fields.Nested)
    nested = original.nested
    assert isinstance(nested, type) and issubclass(nested, Schema)
    nested_name = f"{nested.__name__.removesuffix('Schema')}Stored"
    inner = _relaxed(dict(nested._declared_fields), tuple(rest), nested_name)
    declared[head] = fields.Nested(
        Schema.from_dict(inner, name=nested_name), required=original.required
    )
    return declared


def stored_data_schema(event_type: str) -> type[Schema]:
    """The data of `event_type` as it is read back (feed, stream)."""
    name = component(event_type, "StoredData")
    declared: dict[str, Field] = dict(ev.DATA_SCHEMAS[event_type]._declared_fields)
    for path in ev.SEALED_FIELDS.get(event_type, ()):
        declared = _relaxed(declared, path, name)
    declared.update({k: make() for k, make in SERVER_FIELDS.get(event_type, {}).items()})
    return Schema.from_dict(declared, name=name)


def _type_field(event_type: str) -> Field:
    return fields.String(required=True, validate=validate.OneOf([event_type]))


def _version_field(description: str, required: bool = True) -> Field:
    return fields.Integer(
        required=required, validate=validate.Range(min=1), metadata={"description": description}
    )


def envelopes(event_type: str, stored: type[Schema]) -> dict[str, type[Schema]]:
    """The three envelope schemas of a type, by component name, around its `stored` data."""
    data_in = ev.DATA_SCHEMAS[event_type]
    head = {"id": fields.UUID(required=True), "type": _type_field(event_type)}
    sent = {
        **head,
        "schema_version": _version_field(
            "Version de la forme de `data` envoyée ; absente : la courante. Une version "
            "dépréciée est acceptée jusqu'à sa date de fin (en-têtes `Deprecation` et `Sunset`).",
            required=False,
        ),
        "occurred_on": fields.Date(required=True),
        "data": fields.Nested(data_in, required=True),
    }
    read = {
        **head,
        "schema_version": _version_field("Version de la forme de `data` (toujours la courante)."),
        "occurred_on": fields.Date(required=True),
        "recorded_at": fields.DateTime(required=True),
        "version": fields.Integer(required=True),
        "position": fields.Integer(required=True),
        "data": fields.Nested(stored, required=True),
    }
    feed = {**read, "pathway_id": fields.UUID(required=True)}
    feed["structure_id"] = fields.UUID(required=True)
    stream = {**read, "voided": fields.Boolean(required=True)}
    return {
        component(event_type, IN): Schema.from_dict(sent, name=component(event_type, IN)),
        component(event_type, FEED): Schema.from_dict(feed, name=component(event_type, FEED)),
        component(event_type, STREAM): Schema.from_dict(stream, name=component(event_type, STREAM)),
    }


def register(spec: Any, converter: Any) -> None:
    """Add every event type's schemas to the OpenAPI components, and teach the converter the
    typed fields; a type added to DATA_SCHEMAS appears without more code."""
    converter.add_attribute_function(typed_properties)
    for event_type, data_schema in ev.DATA_SCHEMAS.items():
        stored = stored_data_schema(event_type)
        spec.components.schema(component(event_type, "Data"), schema=data_schema)
        spec.components.schema(component(event_type, "StoredData"), schema=stored)
        for name, schema in envelopes(event_type, stored).items():
            spec.components.schema(name, schema=schema)
