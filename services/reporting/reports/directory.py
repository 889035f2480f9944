"""The structures and GES a caller may see, read from reporting's copy of the registry's
reference data (never from the registry while a page is served): a structure sees itself, a
GES the structures that have ever been its members, a territory those ever located in its area
(docs/domain.md §6c), the network and admins every one."""

from __future__ import annotations

from sqlalchemy import Connection, text

from services.reporting.reports.rows import located_sql
from shared.auth import Caller

STRUCTURES = (
    """
SELECT id::text AS id, name, kind, department, region FROM reference_data.structures s
 WHERE CAST(:scope AS text) IN ('admin', 'network')
    OR (CAST(:scope AS text) = 'structure' AND s.id = CAST(:structure AS uuid))
    OR (CAST(:scope AS text) = 'group' AND EXISTS (
            SELECT 1 FROM reference_data.memberships m
             WHERE m.structure_id = s.id AND m.group_id = CAST(:group AS uuid)))
    OR (CAST(:scope AS text) = 'territory'
        AND coalesce(CAST(:department AS text), CAST(:region AS text)) IS NOT NULL
        AND """
    + located_sql("s.id", "'-infinity'::date", "'infinity'::date")
    + """)
 ORDER BY name, id"""
)
GROUPS = "SELECT id::text AS id, name FROM reference_data.groups ORDER BY name, id"


def structures(conn: Connection, caller: Caller) -> list[dict]:
    """The structures within the caller's scope, by name."""
    rows = conn.execute(
        text(STRUCTURES),
        {
            "scope": caller.scope,
            "structure": caller.structure_id,
            "group": caller.group_id,
            "department": caller.department,
            "region": caller.region,
        },
    )
    return [dict(r) for r in rows.mappings()]


def groups(conn: Connection, caller: Caller) -> list[dict]:
    """Every GES, for the network and admins only (a GES or a structure reads none)."""
    if caller.scope not in ("admin", "network"):
        return []
    return [dict(r) for r in conn.execute(text(GROUPS)).mappings()]
