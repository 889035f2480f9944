"""What changed: the reference-data feed reporting copies, and the audit trail for admins."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import func, select

from services.registry import schemas
from services.registry.api.common import TOTAL_HEADER, db, errors, guarded, page_limit, paged
from services.registry.models import AuditEntry, Change

blp = Blueprint(
    "history",
    __name__,
    url_prefix="/v1",
    description="Changements des données de référence et journal d'audit",
)


@blp.route("/changes")
class Changes(MethodView):
    @guarded(blp, "admin", "network", "service")
    @errors(blp, 422)
    @blp.arguments(schemas.ChangesArgs, location="query")
    @blp.response(200, schemas.ChangesOut)
    def get(self, args):
        """Reference-data changes after `after`, in order; a reader paging from 0 skips none.

        `entities` names what the reader copies: by default the entities of contract 1.0
        (structure, group, membership), so a reader that does not know annexes keeps working;
        `annex` adds each annexe financière, whole with its avenants (ADR 0011)."""
        query = (
            select(Change)
            .where(Change.seq > args["after"], Change.entity.in_(args["entities"]))
            .order_by(Change.seq)
            .limit(args["limit"])
        )
        with db()() as session:
            items = list(session.scalars(query))
        return {"items": items, "last_seq": items[-1].seq if items else args["after"]}


@blp.route("/audit")
class Audit(MethodView):
    @guarded(blp, "admin")
    @errors(blp, 422)
    @blp.arguments(schemas.AuditArgs, location="query")
    @blp.response(200, schemas.AuditOut(many=True), headers=TOTAL_HEADER)
    def get(self, args):
        """Who created or changed what, and when, newest first (admin)."""
        query = select(AuditEntry)
        for name in ("entity", "entity_id"):
            if name in args:
                query = query.where(getattr(AuditEntry, name) == args[name])
        with db()() as session:
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            page = query.order_by(AuditEntry.id.desc()).limit(page_limit(args))
            return paged(list(session.scalars(page.offset(args["offset"]))), total)
