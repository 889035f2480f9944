"""Staff accounts: managed by admins; looked up and acted for by the reporting service's token
when a person signs in to the dashboard (docs/api.md, "Staff accounts")."""

from __future__ import annotations

import uuid

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate

from services.registry import staff
from services.registry.api.common import TOTAL_HEADER, db, errors, guarded, page_limit, paged
from services.registry.schemas import Department, PageArgs, Region, Text
from shared.auth import current_caller
from shared.db import transaction
from shared.domain.identifiers import EMAIL_PATTERN, SPACES, is_valid_email, normalize_email
from shared.openapi_links import link, links

blp = Blueprint("staff", __name__, url_prefix="/v1", description="Comptes des équipes (connexion)")
STAFF_SCOPES = ("admin", "network", "group", "structure", "territory")


class Email(Text):
    """An e-mail address, trimmed and lower-cased (shared/domain/identifiers.py)."""

    def __init__(self, **kwargs):
        pattern = rf"^[{SPACES}]*{EMAIL_PATTERN}[{SPACES}]*$"
        super().__init__(metadata={"pattern": pattern, **kwargs.pop("metadata", {})}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        email = normalize_email(super()._deserialize(value, attr, data, **kwargs))
        if not is_valid_email(email):
            raise ValidationError("Adresse électronique invalide (ex. : prenom.nom@exemple.fr).")
        return email


class StaffIn(Schema):
    email = Email(required=True, metadata={"description": "Adresse de connexion de la personne."})
    scope = fields.String(required=True, validate=validate.OneOf(STAFF_SCOPES))
    structure_id = fields.UUID(load_default=None, allow_none=True)
    group_id = fields.UUID(load_default=None, allow_none=True)
    department = Department(load_default=None, allow_none=True)
    region = Region(load_default=None, allow_none=True)


class StaffInfo(Schema):
    id = fields.UUID()
    email = fields.String()
    scope = fields.String()
    structure_id = fields.UUID(allow_none=True)
    group_id = fields.UUID(allow_none=True)
    department = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    target_name = fields.String(
        allow_none=True, metadata={"description": "Nom de la structure ou du GES du compte."}
    )
    created_at = fields.DateTime()


class StaffListArgs(PageArgs):
    email = Email(metadata={"description": "Les comptes de cette adresse seulement."})


class LookupIn(Schema):
    email = Email(required=True)


class LookupOut(Schema):
    accounts = fields.List(fields.Nested(StaffInfo))


class MintIn(Schema):
    email = Email(required=True, metadata={"description": "L'adresse attestée à la connexion."})
    minutes = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1, max=24 * 60),
        metadata={"description": "Durée de vie voulue (plafonnée par STAFF_TOKEN_MINUTES)."},
    )
    acr = Text(load_default=None, allow_none=True, validate=validate.Length(max=200))
    amr = fields.List(Text(validate=validate.Length(max=50)), load_default=None, allow_none=True)


class MintOut(Schema):
    id = fields.UUID()
    token = fields.String(metadata={"description": "Le jeton, affiché cette seule fois."})
    scope = fields.String()
    structure_id = fields.UUID(allow_none=True)
    group_id = fields.UUID(allow_none=True)
    department = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    staff_id = fields.UUID()
    expires_at = fields.DateTime()


@blp.route("/staff")
class StaffList(MethodView):
    @guarded(blp, "admin")
    @errors(blp, 409, 422)
    @blp.arguments(StaffIn)
    @blp.response(201, StaffInfo)
    @links(
        blp,
        201,
        RemoveStaff=link(
            "delete",
            "/v1/staff/{staff_id}",
            "Retirer le compte créé.",
            staff_id="$response.body#/id",
        ),
    )
    def post(self, data):
        """Create a staff account (admin): the e-mail may then sign in to the dashboard and see
        what the scope allows. The same e-mail may hold several accounts (one per structure…)."""
        with transaction(db()) as session:
            return staff.create(session, current_caller(), data)

    @guarded(blp, "admin")
    @errors(blp, 422)
    @blp.arguments(StaffListArgs, location="query")
    @blp.response(200, StaffInfo(many=True), headers=TOTAL_HEADER)
    def get(self, args):
        """List the accounts in force, newest first (removed ones stay in the audit)."""
        with db()() as session:
            found = staff.listing(session, page_limit(args), args["offset"], args.get("email"))
            return paged(*found)


@blp.route("/staff/<uuid:staff_id>")
class StaffItem(MethodView):
    @guarded(blp, "admin")
    @errors(blp, 404)
    @blp.response(204)
    def delete(self, staff_id: uuid.UUID):
        """Remove an account: it can no longer sign in, and the tokens minted for it are revoked."""
        with transaction(db()) as session:
            staff.remove(session, current_caller(), staff_id)


@blp.route("/staff/lookup")
class StaffLookup(MethodView):
    @guarded(blp, "service")
    @errors(blp, 422)
    @blp.arguments(LookupIn)
    @blp.response(200, LookupOut)
    def post(self, data):
        """The accounts of an e-mail the identity provider signed in (reporting's `service`
        token): none means the person is refused."""
        with db()() as session:
            return {"accounts": staff.accounts_of(session, data["email"])}


@blp.route("/staff/<uuid:staff_id>/tokens")
class StaffTokens(MethodView):
    @guarded(blp, "service")
    @errors(blp, 404, 422)
    @blp.arguments(MintIn)
    @blp.response(201, MintOut)
    def post(self, data, staff_id: uuid.UUID):
        """Mint a short-lived token of the account's scope for the person signed in as it
        (reporting's `service` token); the e-mail must be the account's. Audited with `acr`
        and `amr`."""
        max_minutes = current_app.config["SETTINGS"].staff_token_minutes
        with transaction(db()) as session:
            return staff.mint(session, current_caller(), staff_id, data, max_minutes)


@blp.route("/staff/tokens/<uuid:token_id>")
class StaffTokenItem(MethodView):
    @guarded(blp, "service")
    @errors(blp, 404)
    @blp.response(204)
    def delete(self, token_id: uuid.UUID):
        """Revoke a token minted for a staff account (the person signed out)."""
        with transaction(db()) as session:
            staff.revoke_minted(session, current_caller(), token_id)
