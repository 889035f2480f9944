"""Open alerts: stored alert rows whose window includes today, for open pathways in scope."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, text

from shared.auth import Caller
from shared.domain.pathway.alerts import KIND_OF_CODE

# Legal limits that bind one kind only are checked against the structure's kind here.
KIND_CONDITIONS = "".join(
    f"\n  AND (a.code <> '{code}' OR s.kind = '{kind}')" for code, kind in KIND_OF_CODE.items()
)
OPEN_ALERTS = """
FROM outcomes.alerts a JOIN outcomes.pathways p USING (pathway_id)
LEFT JOIN reference_data.structures s ON s.id = p.structure_id
WHERE p.exited_on IS NULL
  AND coalesce(a.active_from, '-infinity'::date) <= CAST(:today AS date)
  AND coalesce(a.active_until, 'infinity'::date) >= CAST(:today AS date)"""
OPEN_ALERTS += KIND_CONDITIONS + "\n"


def _scope(caller: Caller, structure_id: str | None, code: str | None) -> tuple[str, dict]:
    sql, params = "", {}
    if caller.scope == "structure":
        sql += " AND p.structure_id = CAST(:own AS uuid)"
        params["own"] = caller.structure_id
    elif caller.scope == "group":
        sql += (
            " AND EXISTS (SELECT 1 FROM reference_data.memberships m"
            " WHERE m.structure_id = p.structure_id AND m.group_id = CAST(:g AS uuid)"
            " AND m.joined_on <= CAST(:today AS date)"
            " AND coalesce(m.left_on, 'infinity'::date) >= CAST(:today AS date))"
        )
        params["g"] = caller.group_id
    if structure_id:
        sql += " AND p.structure_id = CAST(:structure_id AS uuid)"
        params["structure_id"] = structure_id
    if code:
        sql += " AND a.code = :code"
        params["code"] = code
    return sql, params


def open_alerts(
    conn: Connection,
    caller: Caller,
    today: date,
    page: int,
    size: int,
    structure_id: str | None = None,
    code: str | None = None,
) -> dict:
    """One page of open alerts, soonest due first, and how many there are."""
    where, params = _scope(caller, structure_id, code)
    params.update(today=today, limit=size, offset=(page - 1) * size)
    total = conn.execute(text(f"SELECT count(*) {OPEN_ALERTS} {where}"), params).scalar_one()
    rows = conn.execute(
        text(
            "SELECT a.pathway_id::text AS pathway_id, p.structure_id::text AS structure_id,"
            f" a.code, a.message, a.due_on {OPEN_ALERTS} {where}"
            " ORDER BY a.due_on, a.pathway_id, a.seq LIMIT :limit OFFSET :offset"
        ),
        params,
    )
    items = [{**r, "due_on": r["due_on"].isoformat()} for r in rows.mappings()]
    return {"items": items, "page": page, "page_size": size, "total": total}
