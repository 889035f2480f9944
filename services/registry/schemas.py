"""Request and response schemas of the registry (marshmallow; unknown fields are refused)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from shared.domain.codes import STRUCTURE_KINDS
from shared.domain.identifiers import is_valid_department, is_valid_siret, normalize_digits
from shared.domain.territories import DEPARTMENTS, REGIONS

SCOPES = ("admin", "network", "group", "structure")
ENTITIES = ("structure", "group", "membership", "token")
KIND_ERROR = "Type de structure inconnu ; valeurs possibles : " + ", ".join(STRUCTURE_KINDS) + "."


BIGINT_MAX = 2**63 - 1  # PostgreSQL bigint: larger positions and offsets cannot exist


class Text(fields.String):
    """A string PostgreSQL can store: the NUL character is refused (else a driver error)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise ValidationError("Le caractère nul (U+0000) n'est pas accepté.")
        return text


class Siret(fields.String):
    """A SIRET, spaces removed, checked with Luhn and La Poste's exception (domain §2)."""

    def _deserialize(self, value, attr, data, **kwargs):
        siret = normalize_digits(super()._deserialize(value, attr, data, **kwargs))
        if not is_valid_siret(siret):
            raise ValidationError("SIRET invalide : 14 chiffres dont la clé de contrôle (Luhn).")
        return siret


class Department(fields.String):
    """An INSEE département code (01–95 without 20, 2A, 2B, 971–976), upper-cased."""

    def _deserialize(self, value, attr, data, **kwargs):
        code = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        if not is_valid_department(code):
            raise ValidationError("Département inconnu (ex. : 35, 2A, 974).")
        return code


class Problem(Schema):
    """RFC 9457 problem details, as every error is answered."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class PageArgs(Schema):
    limit = fields.Integer(
        validate=validate.Range(min=1),
        metadata={"description": "Taille de page (100 par défaut, 1 000 au plus)."},
    )
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=BIGINT_MAX))


# --- Structures ---------------------------------------------------------------------------------


NAME = validate.Length(min=1, max=200)
KIND = validate.OneOf(STRUCTURE_KINDS, error=KIND_ERROR)
CONVENTION = validate.Length(min=1, max=50)
SECTOR = validate.Length(min=1, max=100)
SECTORS = validate.Length(max=50)


class StructureIn(Schema):
    siret = Siret(required=True)
    name = Text(required=True, validate=NAME)
    kind = fields.String(required=True, validate=KIND)
    department = Department(required=True)
    convention_number = Text(load_default=None, allow_none=True, validate=CONVENTION)
    sectors = fields.List(Text(validate=SECTOR), load_default=list, validate=SECTORS)


class StructurePatch(Schema):
    """The fields to change, validated as on creation; absent fields are kept."""

    siret = Siret()
    name = Text(validate=NAME)
    kind = fields.String(validate=KIND)
    department = Department()
    convention_number = Text(allow_none=True, validate=CONVENTION)
    sectors = fields.List(Text(validate=SECTOR), validate=SECTORS)


class StructureOut(Schema):
    id = fields.UUID()
    siret = fields.String()
    name = fields.String()
    kind = fields.String()
    kind_label = fields.Function(lambda s: STRUCTURE_KINDS[s.kind])
    department = fields.String()
    department_label = fields.Function(lambda s: DEPARTMENTS[s.department])
    region = fields.String(metadata={"description": "Code INSEE de la région (ex. 53)."})
    region_label = fields.Function(lambda s: REGIONS[s.region])
    convention_number = fields.String(allow_none=True)
    sectors = fields.List(fields.String())
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class StructureListArgs(PageArgs):
    kind = fields.String(validate=KIND)
    department = Department()
    group_id = fields.UUID(metadata={"description": "Structures ayant été membres de ce groupe."})
    on = fields.Date(metadata={"description": "Avec group_id : membres à cette date seulement."})


# --- Groups (GES) -------------------------------------------------------------------------------


class GroupIn(Schema):
    name = Text(required=True, validate=NAME)


class MemberOut(Schema):
    structure_id = fields.UUID()
    joined_on = fields.Date()
    left_on = fields.Date(allow_none=True)


class GroupOut(Schema):
    id = fields.UUID()
    name = fields.String()
    members = fields.List(fields.Nested(MemberOut))


class OnArgs(Schema):
    on = fields.Date(metadata={"description": "Seulement les membres à cette date (incluse)."})


class GroupListArgs(PageArgs, OnArgs):
    pass


class JoinIn(Schema):
    joined_on = fields.Date(required=True)


class LeaveIn(Schema):
    left_on = fields.Date(required=True)


# --- Tokens -------------------------------------------------------------------------------------


class TokenIn(Schema):
    scope = fields.String(required=True, validate=validate.OneOf(SCOPES))
    structure_id = fields.UUID(load_default=None, allow_none=True)
    group_id = fields.UUID(load_default=None, allow_none=True)
    label = Text(required=True, validate=NAME)


class TokenInfo(Schema):
    id = fields.UUID()
    scope = fields.String()
    structure_id = fields.UUID(allow_none=True)
    group_id = fields.UUID(allow_none=True)
    label = fields.String()
    created_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)


class TokenOut(TokenInfo):
    class Meta:
        exclude = ("revoked_at",)

    token = fields.String(metadata={"description": "Le jeton, affiché cette seule fois."})


class WhoAmI(Schema):
    scope = fields.String()
    structure_id = fields.String(allow_none=True)
    group_id = fields.String(allow_none=True)
    token_id = fields.String(allow_none=True)


# --- Reference-data changes and audit -----------------------------------------------------------


class ChangesArgs(Schema):
    after = fields.Integer(load_default=0, validate=validate.Range(min=0, max=BIGINT_MAX))
    limit = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=5000))


class ChangeOut(Schema):
    seq = fields.Integer()
    entity = fields.String(metadata={"description": "structure, group ou membership"})
    id = fields.UUID(attribute="entity_id")
    data = fields.Dict(metadata={"description": "État complet de l'entité après le changement."})


class ChangesOut(Schema):
    items = fields.List(fields.Nested(ChangeOut))
    last_seq = fields.Integer()


class AuditArgs(PageArgs):
    entity = fields.String(validate=validate.OneOf(ENTITIES))
    entity_id = fields.UUID()


class AuditOut(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor_token_id = fields.String(allow_none=True)
    action = fields.String()
    entity = fields.String()
    entity_id = fields.UUID()
    changes = fields.Dict()
