"""Request and response schemas of the registry (marshmallow; unknown fields are refused)."""

from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from webargs.fields import DelimitedList

from shared import auth
from shared.domain import annexes
from shared.domain.codes import STRUCTURE_KINDS
from shared.domain.identifiers import (
    SPACES,
    is_valid_department,
    is_valid_siret,
    normalize_digits,
)
from shared.domain.measures import MEASURES
from shared.domain.territories import DEPARTMENTS, REGIONS

ENTITIES = ("structure", "group", "membership", "annex", "token", "staff")
# What `GET /v1/changes` publishes; a reader names those it copies (docs/api.md, "Changes").
CHANGE_ENTITIES = ("structure", "group", "membership", "annex")
CHANGE_ENTITIES_1_0 = ("structure", "group", "membership")
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


def _one_of(codes, *, any_case: bool) -> str:
    """The pattern a client can check before sending: one of `codes`, around spaces (a letter in
    either case when the field upper-cases it)."""
    escaped = (re.escape(c) for c in sorted(codes))
    if any_case:
        escaped = (re.sub(r"[A-Z]", lambda m: f"[{m[0]}{m[0].lower()}]", c) for c in escaped)
    return rf"^[{SPACES}]*(" + "|".join(escaped) + rf")[{SPACES}]*$"


class Department(fields.String):
    """An INSEE département code (01–95 without 20, 2A, 2B, 971–976), upper-cased."""

    def __init__(self, **kwargs):
        metadata = {"pattern": _one_of(DEPARTMENTS, any_case=True), **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        code = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        if not is_valid_department(code):
            raise ValidationError("Département inconnu (ex. : 35, 2A, 974).")
        return code


class Region(fields.String):
    """An INSEE region code (e.g. 53 for Bretagne)."""

    def __init__(self, **kwargs):
        metadata = {"pattern": _one_of(REGIONS, any_case=False), **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        code = super()._deserialize(value, attr, data, **kwargs).strip()
        if code not in REGIONS:
            raise ValidationError("Région inconnue : code INSEE de la région (ex. : 53, 11, 04).")
        return code


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
    moved_on = fields.Date(
        metadata={
            "description": "Avec un nouveau département : date du déménagement (défaut : le jour "
            "du changement) ; les rapports comptent l'activité au lieu où elle a eu lieu."
        }
    )
    closed_on = fields.Date(
        allow_none=True,
        metadata={
            "description": "Date de fermeture (pas dans le futur) : ses jetons de portée "
            "structure sont révoqués."
        },
    )


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
    closed_on = fields.Date(allow_none=True)
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


# --- Annexes financières (docs/domain.md §6b) -----------------------------------------------


class AnnexNumber(fields.String):
    """An ASP number, spaces dropped and upper-cased (shape: shared/domain/annexes.py)."""

    def _deserialize(self, value, attr, data, **kwargs):
        number = super()._deserialize(value, attr, data, **kwargs)
        if not annexes.is_valid_number(number):
            raise ValidationError(annexes.NUMBER_MESSAGE)
        return annexes.normalize_number(number)


MEASURE = validate.OneOf(
    MEASURES, error="Mesure inconnue ; valeurs possibles : " + ", ".join(MEASURES) + "."
)
STATE = validate.OneOf(annexes.STATES, error=annexes.UNKNOWN_STATE)
ETP = validate.Range(min=0, max=annexes.MAX_ETP, min_inclusive=False, error=annexes.ETP_MESSAGE)
REFERENCE_HOURS = validate.Range(
    min=0,
    max=annexes.MAX_REFERENCE_HOURS,
    min_inclusive=False,
    error=annexes.REFERENCE_HOURS_MESSAGE,
)
# apispec writes a Range's bounds, not that the lower one is excluded (OpenAPI 3.0's boolean).
ABOVE_ZERO = {"exclusiveMinimum": True}


class AnnexIn(Schema):
    number = AnnexNumber(required=True, metadata={"example": "ACI051170013A0M1"})
    measure = fields.String(required=True, validate=MEASURE)
    state = fields.String(required=True, validate=STATE)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    etp_conventioned = fields.Float(required=True, validate=ETP, metadata=ABOVE_ZERO)
    reference_hours = fields.Float(
        load_default=None,
        allow_none=True,
        validate=REFERENCE_HOURS,
        metadata={
            "description": "Heures annuelles d'un ETP (défaut : celles de la mesure).",
            **ABOVE_ZERO,
        },
    )

    @validates_schema
    def _dates(self, data, **kwargs):
        if data["ends_on"] < data["starts_on"]:
            message = annexes.ENDS_BEFORE_START.format(data["starts_on"].isoformat())
            raise ValidationError({"ends_on": [message]})


class AnnexPatch(Schema):
    """A new state or end date; checked against the annexe's start, avenants and overlaps."""

    state = fields.String(validate=STATE)
    ends_on = fields.Date()


class AmendmentIn(Schema):
    number = AnnexNumber(required=True, metadata={"example": "ACI051170013A1M0"})
    effective_on = fields.Date(required=True)
    etp_conventioned = fields.Float(required=True, validate=ETP, metadata=ABOVE_ZERO)


class AmendmentOut(Schema):
    id = fields.UUID()
    number = fields.String()
    effective_on = fields.Date()
    etp_conventioned = fields.Float()


class AnnexOut(Schema):
    id = fields.UUID()
    structure_id = fields.UUID()
    number = fields.String()
    measure = fields.String()
    measure_label = fields.Function(lambda a: MEASURES[a.measure].label)
    state = fields.String()
    state_label = fields.Function(lambda a: annexes.STATES[a.state])
    counts = fields.Function(
        lambda a: annexes.counts(a.state),
        metadata={"description": "L'état compte (PROVISOIRE, VALIDE, CLOTURE)."},
    )
    starts_on = fields.Date()
    ends_on = fields.Date()
    etp_conventioned = fields.Float()
    reference_hours = fields.Float()
    amendments = fields.List(fields.Nested(AmendmentOut))
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class AnnexListArgs(PageArgs):
    department = Department(metadata={"description": "Département de la structure."})
    region = Region(metadata={"description": "Région de la structure (code INSEE)."})
    year = fields.Integer(
        validate=validate.Range(min=2000, max=2100),
        metadata={"description": "Annexes valides au moins un jour de cette année."},
    )


# --- Tokens -------------------------------------------------------------------------------------


class TokenIn(Schema):
    scope = fields.String(required=True, validate=validate.OneOf(auth.SCOPES))
    structure_id = fields.UUID(load_default=None, allow_none=True)
    group_id = fields.UUID(load_default=None, allow_none=True)
    department = Department(
        load_default=None,
        allow_none=True,
        metadata={"description": "Portée territory : le département lu (ou region)."},
    )
    region = Region(
        load_default=None,
        allow_none=True,
        metadata={"description": "Portée territory : la région lue (ou department)."},
    )
    label = Text(required=True, validate=NAME)
    expires_on = fields.Date(
        load_default=None,
        allow_none=True,
        metadata={"description": "Refusé à partir de ce jour (00:00 UTC) ; absent : n'expire pas."},
    )


class TokenInfo(Schema):
    id = fields.UUID()
    scope = fields.String()
    structure_id = fields.UUID(allow_none=True)
    group_id = fields.UUID(allow_none=True)
    department = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    label = fields.String()
    created_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)
    expires_on = fields.Date(allow_none=True)
    staff_id = fields.UUID(
        allow_none=True, metadata={"description": "Jeton émis pour ce compte des équipes."}
    )
    expires_at = fields.DateTime(
        allow_none=True, metadata={"description": "Jeton d'un compte : refusé dès cet instant."}
    )


class TokenOut(TokenInfo):
    class Meta:
        exclude = ("revoked_at", "staff_id", "expires_at")

    token = fields.String(metadata={"description": "Le jeton, affiché cette seule fois."})


class WhoAmI(Schema):
    scope = fields.String()
    structure_id = fields.String(allow_none=True)
    group_id = fields.String(allow_none=True)
    token_id = fields.String(allow_none=True)
    department = fields.String(allow_none=True, metadata={"description": "Portée territory."})
    region = fields.String(allow_none=True, metadata={"description": "Portée territory."})
    expires_on = fields.Date(
        allow_none=True, metadata={"description": "Refusé à partir de ce jour."}
    )
    staff_id = fields.String(
        allow_none=True, metadata={"description": "Jeton d'un compte des équipes connecté."}
    )
    expires_at = fields.DateTime(
        allow_none=True,
        metadata={"description": "Jeton d'un compte : refusé à partir de cet instant."},
    )


# --- Reference-data changes and audit -----------------------------------------------------------


class ChangesArgs(Schema):
    after = fields.Integer(load_default=0, validate=validate.Range(min=0, max=BIGINT_MAX))
    limit = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=5000))
    entities = DelimitedList(
        fields.String(validate=validate.OneOf(CHANGE_ENTITIES)),
        load_default=lambda: list(CHANGE_ENTITIES_1_0),
        validate=validate.Length(min=1),
        metadata={
            "description": "Entités à lire, séparées par des virgules (défaut : structure, group, "
            "membership ; ajoutez annex pour les annexes financières)."
        },
    )


class ChangeOut(Schema):
    seq = fields.Integer()
    entity = fields.String(metadata={"description": "structure, group, membership ou annex"})
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
