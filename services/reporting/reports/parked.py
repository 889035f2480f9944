"""How many pathways of a report's scope are parked (docs/adr/0015-parked-pathways.md).

A parked pathway has no rows in the projection, so no figure counts it: the report says how
many of its scope are set aside instead of letting a figure be silently short. The scope is the
report's own filters (structure, group, kind, area), the period aside: a parked pathway's dates
are not known until it is derived again."""

from __future__ import annotations

import dataclasses

from sqlalchemy import Connection, text

from services.reporting.reports.rows import Query, _filters, _joins

MEMBER_IN_PERIOD = (
    " AND m.joined_on <= CAST(:end AS date)"
    " AND coalesce(m.left_on, 'infinity'::date) >= CAST(:start AS date)"
)


def parked_pathways(conn: Connection, q: Query) -> int:
    """Parked pathways of the structures the report's scope and filters select."""
    scope = dataclasses.replace(q, dims=())
    sql = "SELECT count(DISTINCT p.pathway_id) FROM outcomes.parked p"
    sql += _joins(scope, months=False) + " WHERE true" + _filters(scope)
    if scope.by_group:
        sql += MEMBER_IN_PERIOD
    return conn.execute(text(sql), scope.bind()).scalar_one()
