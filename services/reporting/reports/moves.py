"""Moves between two members of a group, taken out of the monthly tallies of a group report.

A transfer between two structures that are both members of the group on its date is an internal
move of that group (docs/domain.md §8): neither the exit of the first pathway nor the opening of
the pathway it leads to counts; the move is counted apart, under the exit's keys. The tallies
sum exits and entries per structure whatever their transfers, so a group report they answer
takes these amounts off, read from the small `outcomes.transfers` table; every other report
reads no transfer at all. The pathway rows reach the same figures their own way (`rows.py`):
tests/reporting/test_tallied.py compares both.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from services.reporting.reports import rows as queries
from services.reporting.reports.rows import (
    CATEGORIES,
    COUNTED_CATEGORIES,
    COUNTED_SQL,
    MEMBER_ON_EXIT,
    Query,
)


def _joins(q: Query, day: str) -> str:
    sql = " LEFT JOIN reference_data.structures s ON s.id = p.structure_id"
    if q.located:  # where the structure was located on the move's date (docs/domain.md §6c)
        sql += f""" JOIN reference_data.locations l ON l.structure_id = p.structure_id
                   AND {day} BETWEEN l.located_on AND coalesce(l.until_on, 'infinity'::date)
                   {queries.AREA}"""
    if "criterion" in q.dims:
        sql += " JOIN outcomes.criteria c ON c.pathway_id = p.pathway_id"
    return sql


def _keys(q: Query, day: str) -> tuple[str, str]:
    """(selected keys, grouped keys): the month of `day` for the `month` dimension."""
    keys = [f"to_char({day}, 'YYYY-MM')" if d == "month" else queries.KEY_SQL[d] for d in q.dims]
    names = ", ".join(f"k{i}" for i in range(len(keys)))
    return "".join(f"{k} AS k{i}, " for i, k in enumerate(keys)), names


def _exits_sql(q: Query) -> str:
    """Per key: the group's exits in the period that moved to another member that day."""
    selected, names = _keys(q, "t.exited_on")
    cats = "".join(f", count(*) FILTER (WHERE cat = '{c}') AS exits_{c}" for c in CATEGORIES)
    cats += "".join(
        f", count(*) FILTER (WHERE counted AND cat = '{c}') AS counted_{c}"
        for c in COUNTED_CATEGORIES
    )
    return f"""
    SELECT {names + ", " if names else ""}count(*) AS internal_moves, count(*) AS exits,
           count(*) FILTER (WHERE counted) AS counted_exits, sum(days) AS exit_days {cats}
      FROM (SELECT DISTINCT {selected}p.pathway_id, p.exit_category AS cat,
                   {COUNTED_SQL} AS counted, p.exited_on - p.opened_on AS days
              FROM outcomes.transfers t JOIN outcomes.pathways p ON p.pathway_id = t.pathway_id
              JOIN reference_data.memberships m ON m.structure_id = t.structure_id
               AND t.exited_on BETWEEN m.joined_on AND coalesce(m.left_on, 'infinity'::date)
              {MEMBER_ON_EXIT.format(a="mt", column="to_structure_id")} {_joins(q, "t.exited_on")}
             WHERE t.exited_on BETWEEN CAST(:start AS date) AND CAST(:end AS date)
                   {queries._filters(q)}) AS x
     {"GROUP BY " + names if names else ""} HAVING count(*) > 0"""


def _entries_sql(q: Query) -> str:
    """Per key: the group's openings in the period that an internal move led to."""
    selected, names = _keys(q, "p.opened_on")
    return f"""
    SELECT {names + ", " if names else ""}count(*) AS entries
      FROM (SELECT DISTINCT {selected}p.pathway_id
              FROM outcomes.transfers t JOIN outcomes.pathways p ON p.pathway_id = t.to_pathway_id
              JOIN reference_data.memberships m ON m.structure_id = p.structure_id
               AND p.opened_on BETWEEN m.joined_on AND coalesce(m.left_on, 'infinity'::date)
              {MEMBER_ON_EXIT.format(a="mf", column="structure_id")}
              {MEMBER_ON_EXIT.format(a="mt", column="to_structure_id")} {_joins(q, "p.opened_on")}
             WHERE p.opened_on BETWEEN CAST(:start AS date) AND CAST(:end AS date)
                   {queries._filters(q)}) AS x
     {"GROUP BY " + names if names else ""} HAVING count(*) > 0"""


def take_out(conn: Connection, q: Query, found: dict[tuple, dict]) -> None:
    """Take the group's internal moves off the rows `found` (raw aggregates by row key) and
    count them in `internal_moves`; a report without a group is left as it is."""
    if not q.by_group:
        return
    width = len(q.dims)
    for sql in (_exits_sql(q), _entries_sql(q)):
        for row in conn.execute(text(sql), q.bind()):
            amounts = dict(zip(row._fields[width:], row[width:], strict=True))
            values = found.setdefault(tuple(row[:width]), {})
            for name, amount in amounts.items():
                sign = 1 if name == "internal_moves" else -1
                values[name] = (values.get(name) or 0) + sign * amount
