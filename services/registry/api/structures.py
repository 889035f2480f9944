"""Structures: created and changed by admins, read by every scope within its reach."""

from __future__ import annotations

import uuid

from flask.views import MethodView
from flask_smorest import Blueprint

from services.registry import journal, schemas, structures
from services.registry.api.common import TOTAL_HEADER, db, errors, guarded, page_limit, paged
from shared.auth import current_caller
from shared.db import transaction
from shared.openapi_links import link, links

blp = Blueprint(
    "structures",
    __name__,
    url_prefix="/v1/structures",
    description="Structures d'insertion (SIAE) du réseau",
)
ITEM = "/v1/structures/{structure_id}"
MEMBER = "/v1/groups/{group_id}/members/{structure_id}"
ANNEXES = "/v1/structures/{structure_id}/annexes"
CREATED_ID = "$response.body#/id"


@blp.route("")
class StructureList(MethodView):
    @guarded(blp, "admin")
    @errors(blp, 409, 422)
    @blp.arguments(schemas.StructureIn)
    @blp.response(201, schemas.StructureOut)
    @links(
        blp,
        201,
        GetStructure=link("get", ITEM, "Lire la structure créée.", structure_id=CREATED_ID),
        PatchStructure=link("patch", ITEM, "Modifier la structure créée.", structure_id=CREATED_ID),
        JoinGroup=link(
            "put", MEMBER, "Faire adhérer la structure à un GES.", structure_id=CREATED_ID
        ),
        CreateAnnex=link(
            "post", ANNEXES, "Créer une annexe financière de la structure.", structure_id=CREATED_ID
        ),
    )
    def post(self, data):
        """Create a structure (admin); (SIRET, kind) is unique, a twin answers 409."""
        with transaction(db()) as session:
            structure = structures.create(session, current_caller(), data)
        journal.nudge_reporting()
        return structure

    @guarded(blp)
    @errors(blp, 422)
    @blp.arguments(schemas.StructureListArgs, location="query")
    @blp.response(200, schemas.StructureOut(many=True), headers=TOTAL_HEADER)
    def get(self, args):
        """List the structures within the caller's reach, by name, one page at a time."""
        with db()() as session:
            rows, total = structures.listing(session, current_caller(), args, page_limit(args))
        return paged(rows, total)


@blp.route("/<uuid:structure_id>")
class StructureItem(MethodView):
    @guarded(blp)
    @errors(blp, 404)
    @blp.response(200, schemas.StructureOut)
    def get(self, structure_id: uuid.UUID):
        """One structure; outside the caller's reach it answers 404, as an unknown id."""
        with db()() as session:
            return structures.get(session, current_caller(), structure_id)

    @guarded(blp, "admin")
    @errors(blp, 404, 409, 422)
    @blp.arguments(schemas.StructurePatch, required=False)  # no body: nothing changes
    @blp.response(200, schemas.StructureOut)
    def patch(self, data, structure_id: uuid.UUID):
        """Change some fields of a structure (admin), validated as on creation."""
        with transaction(db()) as session:
            structure = structures.update(session, current_caller(), structure_id, data)
        journal.nudge_reporting()
        return structure
