"""Request and response schemas of the pathways API (unknown fields are refused: RAISE)."""

from __future__ import annotations

from datetime import date

from marshmallow import (
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates,
    validates_schema,
)

from services.pathways.web.typed_events import FEED, LoadedLater, OneEvent
from shared.domain.events import EVENT_TYPES
from shared.domain.identifiers import is_valid_birth_date, is_valid_nir, normalize_digits

MAX_EVENTS_PER_APPEND = 1000
MAX_BATCH_ITEMS = 1000
MAX_POSITION = 2**63 - 1  # events.position is a bigint
MAX_VERSION = 2**31 - 1  # events.version is an integer


class EventIn(Schema):
    id = fields.UUID(required=True)
    type = fields.String(required=True, validate=validate.OneOf(EVENT_TYPES))
    occurred_on = fields.Date(required=True)
    data = fields.Dict(required=True)
    # The version `data` is written in; absent: the current one (GET /v1/event-types).
    schema_version = fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_VERSION))


class AppendIn(Schema):
    expected_version = fields.Integer(
        load_default=None, strict=True, validate=validate.Range(min=0, max=MAX_VERSION)
    )
    events = fields.List(
        OneEvent(EventIn),
        required=True,
        validate=validate.Length(min=1, max=MAX_EVENTS_PER_APPEND),
    )

    @validates_schema
    def _distinct_ids(self, data: dict, **kwargs) -> None:
        """Two events of one request cannot share an id."""
        seen: set = set()
        for index, event in enumerate(data.get("events", [])):
            if event["id"] in seen:
                raise ValidationError(
                    "Duplicate event id in this request.", field_name=f"events.{index}.id"
                )
            seen.add(event["id"])


class BatchItemIn(AppendIn):
    pathway_id = fields.UUID(required=True)


class BatchIn(Schema):
    # Items are validated one by one, so that a bad item fails alone (status 422 in its result).
    items = fields.List(
        LoadedLater(BatchItemIn),
        required=True,
        validate=validate.Length(min=1, max=MAX_BATCH_ITEMS),
    )


class AppendedOut(Schema):
    id = fields.String()
    version = fields.Integer()
    position = fields.Integer()


class WarningOut(Schema):
    code = fields.String()
    message = fields.String()


class AppendOut(Schema):
    pathway_id = fields.String()
    version = fields.Integer()
    events = fields.List(fields.Nested(AppendedOut))
    warnings = fields.List(fields.Nested(WarningOut))


class BatchResultOut(AppendOut):
    # null when the item itself carried no usable pathway_id (it then answers 422)
    pathway_id = fields.String(allow_none=True)
    status = fields.Integer(metadata={"description": "Le code qu'aurait eu la requête seule."})
    type = fields.String()
    title = fields.String()
    detail = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
    current_version = fields.Integer()


class BatchOut(Schema):
    results = fields.List(fields.Nested(BatchResultOut))


class FeedArgs(Schema):
    after = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_POSITION))
    limit = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=5000))


class FeedOut(Schema):
    events = fields.List(OneEvent(family=FEED), required=True)
    last_position = fields.Integer(required=True)


class PathwayListArgs(Schema):
    status = fields.String(validate=validate.OneOf(("open", "exited")))
    person_id = fields.UUID()
    opened_from = fields.Date()
    opened_to = fields.Date()
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10**6))
    page_size = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class PathwaySummary(Schema):
    id = fields.String()
    structure_id = fields.String()
    person_id = fields.String()
    opened_on = fields.String()
    status = fields.String()
    version = fields.Integer()


class PathwayListOut(Schema):
    items = fields.List(fields.Nested(PathwaySummary))
    page = fields.Integer()
    page_size = fields.Integer()
    total = fields.Integer()


class PathwayView(Schema):
    """The state of a pathway (services/pathways/decide/pathway.py `view`)."""

    id = fields.String()
    person_id = fields.String()
    structure_id = fields.String()
    status = fields.String()
    opened_on = fields.String()
    version = fields.Integer()
    pass_iae = fields.Dict(allow_none=True)
    contracts = fields.List(fields.Dict())
    hours_worked = fields.Float()
    mad_hours = fields.Dict()
    months_in_pathway = fields.Float()
    exit = fields.Dict(allow_none=True)
    alerts = fields.List(fields.Dict())


class PersonIn(Schema):
    first_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    last_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    birth_date = fields.Date(required=True)
    sex = fields.String(required=True, validate=validate.OneOf(("F", "M")))
    nir = fields.String(validate=validate.Length(min=15, max=21))

    @validates("birth_date")
    def _aged_16_to_99(self, value: date, **kwargs) -> None:
        """A person is aged over 16 and under 100 (domain §2)."""
        if not is_valid_birth_date(value, date.today()):
            raise ValidationError("La personne doit avoir entre 16 et 99 ans.")

    @validates_schema
    def _nir_consistent(self, data: dict, **kwargs) -> None:
        """NIR key, and agreement with the declared sex and birth date (domain §2)."""
        if "nir" not in data:
            return
        nir = normalize_digits(data["nir"])
        if not is_valid_nir(nir, data.get("birth_date"), data.get("sex")):
            raise ValidationError(
                "NIR invalide (clé, sexe ou date de naissance incohérents).", field_name="nir"
            )

    @post_load
    def _normalized_nir(self, data: dict, **kwargs) -> dict:
        """The NIR is kept without the spaces people type to read it."""
        if "nir" in data:
            data["nir"] = normalize_digits(data["nir"])
        return data


class PersonId(Schema):
    id = fields.String()


class PersonOut(Schema):
    id = fields.String()
    first_name = fields.String()
    last_name = fields.String()
    birth_date = fields.String()
    sex = fields.String()
    nir = fields.String(allow_none=True)


class PersonIds(Schema):
    """The persons to read at once (`?id=…&id=…`): one page of a list, at most 100."""

    id = fields.List(
        fields.UUID(),
        required=True,
        validate=validate.Length(min=1, max=100, error="De 1 à 100 identifiants (id)."),
        metadata={"description": "Identifiant d'une personne, répété (100 au plus)"},
    )


class PersonBatchOut(Schema):
    items = fields.List(fields.Nested(PersonOut))
    missing = fields.List(
        fields.String(),
        metadata={"description": "Effacées, inconnues ou hors de la portée de la structure"},
    )
