"""Registry HTTP API: thin views over the tables; rules live in the schemas and rules module."""

from __future__ import annotations

import uuid

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.registry import schemas, tokens
from services.registry.models import Structure, Token
from shared.auth import current_caller, require
from shared.problems import Problem

structures = Blueprint("structures", __name__, url_prefix="/v1/structures",
                       description="Structures d'insertion (SIAE) du réseau")
access = Blueprint("tokens", __name__, url_prefix="/v1", description="Jetons d'accès et portées")


def db():
    return current_app.extensions["iae_db"]


@structures.route("")
class StructureList(MethodView):
    @structures.arguments(schemas.StructureIn)
    @structures.response(201, schemas.StructureOut)
    def post(self, data):
        """Create a structure (admin)."""
        require("admin")
        structure = Structure(id=uuid.uuid4(), region="", **data)
        try:
            with db()() as session, session.begin():
                session.add(structure)
        except IntegrityError as exc:
            raise Problem(409, "Une structure de ce type existe déjà pour ce SIRET.",
                          slug="duplicate-structure") from exc
        return structure

    @structures.response(200, schemas.StructureOut(many=True))
    def get(self):
        """List structures visible to the caller."""
        caller = current_caller()
        query = select(Structure).order_by(Structure.name)
        if caller.scope == "structure":
            query = query.where(Structure.id == uuid.UUID(caller.structure_id))
        with db()() as session:
            return session.scalars(query).all()


@access.route("/tokens")
class TokenList(MethodView):
    @access.arguments(schemas.TokenIn)
    @access.response(201, schemas.TokenOut)
    def post(self, data):
        """Create a token; its secret is shown in this answer only."""
        require("admin")
        token_id = uuid.uuid4()
        secret, hashed = tokens.new_secret(token_id)
        row = Token(id=token_id, secret_hash=hashed, **data)
        with db()() as session, session.begin():
            session.add(row)
        return {**{c: getattr(row, c) for c in ("id", "scope", "structure_id", "group_id",
                                                 "label", "created_at")}, "token": secret}


@access.route("/whoami")
class WhoAmI(MethodView):
    @access.response(200, schemas.WhoAmI)
    def get(self):
        """Who the presented token is: its scope and what it is bound to."""
        return current_caller().as_dict()
