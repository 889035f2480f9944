"""Request and response schemas of the registry (marshmallow; unknown fields are refused)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

KINDS = ("AI", "ETTI", "ETT_ESS", "EI", "ACI", "EITI", "OSP")
SCOPES = ("admin", "network", "group", "structure")


class StructureIn(Schema):
    siret = fields.String(required=True, validate=validate.Regexp(r"^\d{14}$"))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    department = fields.String(required=True, validate=validate.Regexp(r"^(\d{2}|2A|2B|97[1-6])$"))
    convention_number = fields.String(load_default=None, validate=validate.Length(max=50))
    sectors = fields.List(fields.String(validate=validate.Length(max=100)), load_default=list)


class StructureOut(Schema):
    id = fields.UUID()
    siret = fields.String()
    name = fields.String()
    kind = fields.String()
    department = fields.String()
    region = fields.String()
    convention_number = fields.String(allow_none=True)
    sectors = fields.List(fields.String())
    created_at = fields.DateTime()


class TokenIn(Schema):
    scope = fields.String(required=True, validate=validate.OneOf(SCOPES))
    structure_id = fields.UUID(load_default=None)
    group_id = fields.UUID(load_default=None)
    label = fields.String(required=True, validate=validate.Length(min=1, max=200))


class TokenOut(Schema):
    id = fields.UUID()
    token = fields.String()
    scope = fields.String()
    structure_id = fields.UUID(allow_none=True)
    group_id = fields.UUID(allow_none=True)
    label = fields.String()
    created_at = fields.DateTime()


class WhoAmI(Schema):
    scope = fields.String()
    structure_id = fields.String(allow_none=True)
    group_id = fields.String(allow_none=True)
    token_id = fields.String(allow_none=True)
