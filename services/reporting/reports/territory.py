"""What a territory token reads in reports (docs/domain.md §6c): the activity of the structures
located in its département or region, on the dates they were located there, as aggregates.

`area` gives the `department` and `region` filters a report runs with, for any caller; the
report queries apply them by the structures' dated locations (`rows.located_sql`, or the joins of
`rows.py` and `tallied.py`), so a report of another kind (the ETP report) restricts a territory
the same way by calling `area` and then `located_sql` with the same two parameters.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from services.reporting.reports.rows import located_sql
from shared.auth import Caller
from shared.domain.territories import DEPARTMENT_REGION, DEPARTMENTS, REGIONS
from shared.problems import Problem

OUTSIDE = "Un jeton territorial ne consulte que les structures de son territoire."
UNBOUND = "Ce jeton territorial ne désigne ni département ni région."


def area(
    conn: Connection,
    caller: Caller,
    department: str | None,
    region: str | None,
    structure_id: str | None = None,
) -> tuple[str | None, str | None]:
    """The (department, region) filters of a report: those asked, and for a territory its own
    area too; a filter or a structure outside a territory's area is refused (403)."""
    if caller.scope != "territory":
        return department, region
    own_department, own_region = caller.department, caller.region
    if own_department is None and own_region is None:
        raise Problem(403, UNBOUND)
    if own_department is not None:
        if department not in (None, own_department):
            raise Problem(403, OUTSIDE)
        if region not in (None, DEPARTMENT_REGION.get(own_department)):
            raise Problem(403, OUTSIDE)
        department = own_department
    else:
        if region not in (None, own_region):
            raise Problem(403, OUTSIDE)
        if department is not None and DEPARTMENT_REGION.get(department) != own_region:
            raise Problem(403, OUTSIDE)
        region = own_region
    if structure_id is not None and not ever_located(conn, structure_id, department, region):
        raise Problem(403, OUTSIDE)
    return department, region


def ever_located(
    conn: Connection, structure_id: str, department: str | None, region: str | None
) -> bool:
    """Whether the structure was ever located in the area (a territory reads its history)."""
    sql = "SELECT " + located_sql(
        "CAST(:structure_id AS uuid)", "'-infinity'::date", "'infinity'::date"
    )
    return conn.execute(
        text(sql), {"structure_id": structure_id, "department": department, "region": region}
    ).scalar_one()


def label(caller: Caller) -> str:
    """The territory's name in French: « Ille-et-Vilaine (35) », « Région Bretagne »."""
    if caller.department:
        return f"{DEPARTMENTS.get(caller.department, caller.department)} ({caller.department})"
    if caller.region:
        return f"Région {REGIONS.get(caller.region, caller.region)}"
    return ""
