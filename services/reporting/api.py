"""Reporting HTTP API: the outcome report."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from services.reporting import queries
from shared.auth import current_caller
from shared.problems import Problem

reports = Blueprint("reports", __name__, url_prefix="/v1/reports",
                    description="Rapports de sorties et d'activité")


class OutcomeArgs(Schema):
    from_ = fields.Date(data_key="from", load_default=None)
    to = fields.Date(load_default=None)
    structure_id = fields.UUID(load_default=None)


@reports.route("/outcomes")
class Outcomes(MethodView):
    @reports.arguments(OutcomeArgs, location="query")
    def get(self, args):
        """Outcome indicators for a period."""
        caller = current_caller()
        today = date.today()
        start = args["from_"] or date(today.year, 1, 1)
        end = args["to"] or today
        structure_id = str(args["structure_id"]) if args["structure_id"] else None
        if caller.scope == "structure":
            if structure_id and structure_id != caller.structure_id:
                raise Problem(403, "Une structure ne peut consulter que ses propres rapports.")
            structure_id = caller.structure_id
        with current_app.extensions["iae_engine"].connect() as conn:
            total = {"entries": queries.entries(conn, start, end, structure_id)}
            position = queries.as_of_position(conn)
        return {
            "from": start.isoformat(), "to": end.isoformat(), "group_by": [],
            "as_of_position": position,
            "generated_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "rows": [{"key": {}, "label": {}, **total}], "total": total,
        }
