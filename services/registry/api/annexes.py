"""Annexes financières and their avenants: written by admins, read within each scope's reach
(admin, network, territory for its area, group for its members, structure for its own)."""

from __future__ import annotations

import uuid

from flask.views import MethodView
from flask_smorest import Blueprint

from services.registry import annexes, journal, schemas, structures
from services.registry.api.common import TOTAL_HEADER, db, errors, guarded, page_limit, paged
from shared.auth import current_caller
from shared.db import transaction
from shared.openapi_links import link, links

blp = Blueprint(
    "annexes",
    __name__,
    url_prefix="/v1",
    description="Annexes financières (ETP conventionnés) et leurs avenants",
)
ITEM = "/v1/annexes/{annex_id}"
CREATED_ID = "$response.body#/id"
READERS = ("admin", "network", "territory", "group", "structure")


@blp.route("/structures/<uuid:structure_id>/annexes")
class StructureAnnexes(MethodView):
    @guarded(blp, "admin")
    @errors(blp, 404, 409, 422)
    @blp.arguments(schemas.AnnexIn)
    @blp.response(201, schemas.AnnexOut)
    @links(
        blp,
        201,
        GetAnnex=link("get", ITEM, "Lire l'annexe créée.", annex_id=CREATED_ID),
        AmendAnnex=link(
            "post", ITEM + "/amendments", "Ajouter un avenant à l'annexe.", annex_id=CREATED_ID
        ),
    )
    def post(self, data, structure_id: uuid.UUID):
        """Create an annexe financière of a structure (admin): its measure must be of the
        structure's kind; same number, or a counting annexe of the same measure overlapping
        it, answers 409."""
        with transaction(db()) as session:
            annex = annexes.create(session, current_caller(), structure_id, data)
        journal.nudge_reporting()
        return annex

    @guarded(blp, *READERS)
    @errors(blp, 404, 422)
    @blp.arguments(schemas.PageArgs, location="query")
    @blp.response(200, schemas.AnnexOut(many=True), headers=TOTAL_HEADER)
    def get(self, args, structure_id: uuid.UUID):
        """The annexes of one structure within the caller's reach, by start date."""
        caller = current_caller()
        with db()() as session:
            structures.get(session, caller, structure_id)
            filters = {**args, "structure_id": structure_id}
            return paged(*annexes.listing(session, caller, filters, page_limit(args)))


@blp.route("/annexes")
class AnnexList(MethodView):
    @guarded(blp, *READERS)
    @errors(blp, 422)
    @blp.arguments(schemas.AnnexListArgs, location="query")
    @blp.response(200, schemas.AnnexOut(many=True), headers=TOTAL_HEADER)
    def get(self, args):
        """The annexes within the caller's reach, filtered by the structure's département or
        region and by a year of validity, one page at a time."""
        with db()() as session:
            return paged(*annexes.listing(session, current_caller(), args, page_limit(args)))


@blp.route("/annexes/<uuid:annex_id>")
class AnnexItem(MethodView):
    @guarded(blp, *READERS)
    @errors(blp, 404)
    @blp.response(200, schemas.AnnexOut)
    def get(self, annex_id: uuid.UUID):
        """One annexe with its avenants."""
        with db()() as session:
            return annexes.get(session, current_caller(), annex_id)

    @guarded(blp, "admin")
    @errors(blp, 404, 409, 422)
    @blp.arguments(schemas.AnnexPatch, required=False)  # no body: nothing changes
    @blp.response(200, schemas.AnnexOut)
    def patch(self, data, annex_id: uuid.UUID):
        """Change the state or the end date (admin); the no-overlap rule is checked again."""
        with transaction(db()) as session:
            annex = annexes.update(session, current_caller(), annex_id, data)
        journal.nudge_reporting()
        return annex


@blp.route("/annexes/<uuid:annex_id>/amendments")
class AnnexAmendments(MethodView):
    @guarded(blp, "admin")
    @errors(blp, 404, 409, 422)
    @blp.arguments(schemas.AmendmentIn)
    @blp.response(201, schemas.AnnexOut)
    def post(self, data, annex_id: uuid.UUID):
        """Add an avenant (admin): from `effective_on`, within the annexe's validity, it funds
        `etp_conventioned` ETP."""
        with transaction(db()) as session:
            annex = annexes.amend(session, current_caller(), annex_id, data)
        journal.nudge_reporting()
        return annex
