"""Open alerts: stored alert rows whose window includes today, for open pathways in scope (for
exited ones, the follow-ups after the exit), and
the annexes financières consuming too little or too much this year (computed on request from
the monthly hours, services/reporting/reports/etp.py).

A territory reads no alert about a pathway (person-level data): only those about a structure
located in its area today, which carry no pathway."""

from __future__ import annotations

from datetime import date

import orjson
from sqlalchemy import Connection, text

from services.reporting.reports import etp, territory
from services.reporting.reports.rows import located_sql
from shared.auth import Caller
from shared.domain.annexes import OVER_CONSUMPTION, UNDER_CONSUMPTION
from shared.domain.pathway.alerts import AFTER_EXIT_CODES, KIND_OF_CODE

# Legal limits that bind one kind only are checked against the structure's kind here.
KIND_CONDITIONS = "".join(
    f"\n  AND (a.code <> '{code}' OR s.kind = '{kind}')" for code, kind in KIND_OF_CODE.items()
)
OPEN_ALERTS = """
FROM outcomes.alerts a JOIN outcomes.pathways p USING (pathway_id)
LEFT JOIN reference_data.structures s ON s.id = p.structure_id
WHERE (p.exited_on IS NULL OR a.code IN ({after_exit}))
  AND coalesce(a.active_from, '-infinity'::date) <= CAST(:today AS date)
  AND coalesce(a.active_until, 'infinity'::date) >= CAST(:today AS date)"""
OPEN_ALERTS = OPEN_ALERTS.format(after_exit=", ".join(f"'{c}'" for c in sorted(AFTER_EXIT_CODES)))
OPEN_ALERTS += KIND_CONDITIONS + "\n"
PATHWAY_ALERTS = (
    "SELECT a.pathway_id::text AS pathway_id, p.structure_id::text AS structure_id,"
    " a.code, a.message, a.due_on, a.seq {open} {where}"
)
ANNEX_ALERTS = """
SELECT NULL::text AS pathway_id, structure_id, code, message, due_on, 0 AS seq
  FROM json_to_recordset(CAST(:annexes AS json))
    AS x (structure_id text, code text, message text, due_on date)"""


def _scope(caller: Caller, structure_id: str | None, code: str | None) -> tuple[str, dict]:
    sql = ""
    params: dict[str, object] = {}
    if caller.scope == "territory":
        # No person-level data (docs/domain.md §6c): an alert about a pathway is not the
        # territory's; only alerts about a structure of its area (no pathway) are.
        sql += " AND a.pathway_id IS NULL AND " + located_sql(
            "s.id", "CAST(:today AS date)", "CAST(:today AS date)"
        )
        params.update(department=caller.department, region=caller.region)
        if caller.department is None and caller.region is None:
            sql += " AND false"
    elif caller.scope == "structure":
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
    thresholds: tuple[float, float] = (UNDER_CONSUMPTION, OVER_CONSUMPTION),
) -> dict:
    """One page of open alerts, soonest due first, and how many there are; a territory asking
    for a structure outside its area is refused (403). Annexes consuming too little or too much
    this year (pathway_id null) are computed now (reports/etp.py)."""
    if structure_id is not None:
        territory.area(conn, caller, None, None, structure_id)
    where, params = _scope(caller, structure_id, code)
    annexes = [
        a
        for a in etp.annex_alerts(conn, caller, today, structure_id, thresholds)
        if code is None or a["code"] == code
    ]
    params.update(
        today=today,
        limit=size,
        offset=(page - 1) * size,
        annexes=orjson.dumps(annexes).decode(),
    )
    total = conn.execute(text(f"SELECT count(*) {OPEN_ALERTS} {where}"), params).scalar_one()
    rows = conn.execute(
        text(
            "SELECT pathway_id, structure_id, code, message, due_on FROM ("
            f"{PATHWAY_ALERTS.format(open=OPEN_ALERTS, where=where)} UNION ALL {ANNEX_ALERTS})"
            " AS u ORDER BY due_on, pathway_id NULLS FIRST, structure_id, seq, code"
            " LIMIT :limit OFFSET :offset"
        ),
        params,
    )
    items = [{**r, "due_on": r["due_on"].isoformat()} for r in rows.mappings()]
    total += len(annexes)
    return {"items": items, "page": page, "page_size": size, "total": total}
