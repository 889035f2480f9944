"""GES groups and their dated memberships."""

from __future__ import annotations

import uuid

from flask.views import MethodView
from flask_smorest import Blueprint

from services.registry import groups, journal, schemas
from services.registry.api.common import TOTAL_HEADER, db, errors, guarded, page_limit, paged
from shared.auth import current_caller
from shared.db import transaction
from shared.openapi_links import link, links

blp = Blueprint(
    "groups",
    __name__,
    url_prefix="/v1/groups",
    description="Groupes économiques solidaires (GES) et adhésions datées",
)
ITEM = "/v1/groups/{group_id}"
MEMBER = "/v1/groups/{group_id}/members/{structure_id}"
CREATED_ID = "$response.body#/id"


@blp.route("")
class GroupList(MethodView):
    @guarded(blp, "admin")
    @errors(blp, 422)
    @blp.arguments(schemas.GroupIn)
    @blp.response(201, schemas.GroupOut)
    @links(
        blp,
        201,
        GetGroup=link("get", ITEM, "Lire le GES créé.", group_id=CREATED_ID),
        AddMember=link("put", MEMBER, "Faire adhérer une structure au GES.", group_id=CREATED_ID),
    )
    def post(self, data):
        """Create a group (admin), with no member yet."""
        caller = current_caller()
        with transaction(db()) as session:
            group = groups.create(session, caller, data["name"])
            answer = groups.view(session, caller, group, None)
        journal.nudge_reporting()
        return answer

    @guarded(blp)
    @errors(blp, 422)
    @blp.arguments(schemas.GroupListArgs, location="query")
    @blp.response(200, schemas.GroupOut(many=True), headers=TOTAL_HEADER)
    def get(self, args):
        """List the groups within reach; `on` keeps only the members of that day."""
        caller = current_caller()
        with db()() as session:
            rows, total = groups.listing(session, caller, page_limit(args), args["offset"])
            return paged([groups.view(session, caller, g, args.get("on")) for g in rows], total)


@blp.route("/<uuid:group_id>")
class GroupItem(MethodView):
    @guarded(blp)
    @errors(blp, 404, 422)
    @blp.arguments(schemas.OnArgs, location="query")
    @blp.response(200, schemas.GroupOut)
    def get(self, args, group_id: uuid.UUID):
        """One group with its membership history, or only the members on the day `on`."""
        caller = current_caller()
        with db()() as session:
            return groups.view(
                session, caller, groups.get(session, caller, group_id), args.get("on")
            )


def _answer(session, group_id: uuid.UUID) -> dict:
    caller = current_caller()
    return groups.view(session, caller, groups.get(session, caller, group_id), None)


@blp.route("/<uuid:group_id>/members/<uuid:structure_id>")
class Member(MethodView):
    @guarded(blp, "admin")
    @errors(blp, 404, 409, 422)
    @blp.arguments(schemas.JoinIn)
    @blp.response(200, schemas.GroupOut)
    def put(self, data, group_id: uuid.UUID, structure_id: uuid.UUID):
        """A structure joins the group on `joined_on`; repeating it is harmless, overlaps 409."""
        with transaction(db()) as session:
            groups.join(session, current_caller(), group_id, structure_id, data["joined_on"])
            answer = _answer(session, group_id)
        journal.nudge_reporting()
        return answer


@blp.route("/<uuid:group_id>/members/<uuid:structure_id>/leave")
class MemberLeave(MethodView):
    @guarded(blp, "admin")
    @errors(blp, 404, 409, 422)
    @blp.arguments(schemas.LeaveIn)
    @blp.response(200, schemas.GroupOut)
    def post(self, data, group_id: uuid.UUID, structure_id: uuid.UUID):
        """A member leaves on `left_on` (inclusive); not a member → 409, before joining → 422."""
        with transaction(db()) as session:
            groups.leave(session, current_caller(), group_id, structure_id, data["left_on"])
            answer = _answer(session, group_id)
        journal.nudge_reporting()
        return answer
