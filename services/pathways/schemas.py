"""Request and response schemas of the pathways API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class EventIn(Schema):
    id = fields.UUID(required=True)
    type = fields.String(required=True)
    occurred_on = fields.Date(required=True)
    data = fields.Dict(required=True)


class AppendIn(Schema):
    expected_version = fields.Integer(load_default=None, validate=validate.Range(min=0))
    events = fields.List(fields.Nested(EventIn), required=True,
                         validate=validate.Length(min=1, max=1000))


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


class FeedArgs(Schema):
    after = fields.Integer(load_default=0, validate=validate.Range(min=0))
    limit = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=5000))


class FeedEvent(Schema):
    position = fields.Integer()
    pathway_id = fields.String()
    structure_id = fields.String()
    version = fields.Integer()
    id = fields.String()
    type = fields.String()
    occurred_on = fields.String()
    recorded_at = fields.String()
    data = fields.Dict()


class FeedOut(Schema):
    events = fields.List(fields.Nested(FeedEvent))
    last_position = fields.Integer()
