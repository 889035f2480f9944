"""Persons HTTP API: create an identity, read it, erase it (crypto-shredding, docs/adr/0003)."""

from __future__ import annotations

import uuid

from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from services.pathways.store import persons
from services.pathways.web import schemas
from services.pathways.web.access import scoped
from shared.auth import Caller, current_caller
from shared.openapi_errors import ProblemSchema
from shared.openapi_links import link, links
from shared.problems import Problem
from shared.web import json_response

blp = Blueprint(
    "persons",
    __name__,
    url_prefix="/v1/persons",
    description="Personnes : identité chiffrée, effaçable",
)
NOT_FOUND = "Personne introuvable."
ITEM = "/v1/persons/{person_id}"
CREATED_ID = "$response.body#/id"


def _problems(*statuses: int):
    def wrap(view):
        for status in statuses:
            view = blp.alt_response(status, schema=ProblemSchema)(view)
        return view

    return wrap


def _engine():
    return current_app.extensions["iae_engine"]


def _kek():
    return current_app.extensions["iae_kek"]


@blp.route("")
class PersonList(MethodView):
    @scoped("structure")
    @blp.arguments(schemas.PersonIds, location="query")
    @blp.response(200, schemas.PersonBatchOut)
    @_problems(401, 403, 422)
    def get(self, args):
        """Several identities at once (a page of a list), those the structure may see; the
        others (erased, unknown, or not the structure's) are listed as missing."""
        caller = current_caller()
        wanted = list(dict.fromkeys(args["id"]))
        with _engine().connect() as conn:
            found = persons.load(conn, _kek(), wanted, uuid.UUID(caller.structure_id))
        items = [{**p.identity, "id": str(p.id), "nir": None} for p in found.values()]
        missing = [str(i) for i in wanted if i not in found]
        return json_response({"items": items, "missing": missing})

    @scoped("structure")
    @blp.arguments(schemas.PersonIn)
    @blp.response(201, schemas.PersonId)
    @_problems(400, 401, 403, 413, 422)
    @links(
        blp,
        201,
        GetPerson=link("get", ITEM, "Lire l'identité enregistrée.", person_id=CREATED_ID),
        ErasePerson=link("delete", ITEM, "Effacer l'identité pour de bon.", person_id=CREATED_ID),
    )
    def post(self, identity):
        """Record a person; the identity is encrypted with its own key and never enters events."""
        caller = current_caller()
        stored = {**identity, "birth_date": identity["birth_date"].isoformat()}
        with _engine().begin() as conn:
            person_id = persons.create(conn, _kek(), uuid.UUID(caller.structure_id), stored)
        return json_response({"id": str(person_id)}, 201)


@blp.route("/<uuid:person_id>")
class PersonItem(MethodView):
    @scoped("structure")
    @blp.response(200, schemas.PersonOut)
    @_problems(401, 403, 404)
    def get(self, person_id: uuid.UUID):
        """The identity, for the structure that created the person or has a pathway for it."""
        caller = current_caller()
        with _engine().connect() as conn:
            person = _visible(conn, caller, person_id)
        return json_response({"id": str(person.id), "nir": None, **person.identity})

    @scoped("structure", "admin")
    @blp.response(204)
    @_problems(401, 403, 404)
    def delete(self, person_id: uuid.UUID):
        """Erase the identity for good; events and reports are unchanged."""
        caller = current_caller()
        with _engine().begin() as conn:
            person = _visible(conn, caller, person_id)
            if not caller.is_admin and str(person.structure_id) != caller.structure_id:
                raise Problem(403, "Seule la structure qui a créé la personne peut l'effacer.")
            persons.erase(conn, person_id)
        return Response(status=204)


def _visible(conn, caller: Caller, person_id: uuid.UUID) -> persons.Person:
    """The person if the caller may see it, else 404 (its existence is not revealed)."""
    visible_to = None if caller.is_admin else uuid.UUID(caller.structure_id)
    found = persons.load(conn, _kek(), [person_id], visible_to)
    if person_id not in found:
        raise Problem(404, NOT_FOUND)
    return found[person_id]
