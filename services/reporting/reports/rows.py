"""Report queries: SQL aggregates over projection tables, never a fold of events.

Every metric is attributed by its own date inside a window: the period, narrowed to the row's
month (`month` dimension), to the structure's membership dates (`group` dimension or
filter, both ends inclusive) and to the dates it was located in the area (`department` or
`region` filter, a territory's scope: docs/domain.md §6c). The `department` and `region`
dimensions read the structure's current location. See docs/adr/0006-projections.md for the
attribution rules.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Connection, text

from shared.domain.codes import EXIT_CATEGORIES, WITHDRAWN_CATEGORY
from shared.domain.measures import MEASURES
from shared.domain.outcomes import BASIS_KINDS, EVERY_BASIS, HOURS_BASIS

KEY_SQL = {
    "structure": "p.structure_id::text",
    "group": "m.group_id::text",
    "kind": "s.kind",
    "department": "s.department",
    "region": "s.region",
    "month": "to_char(w.ms, 'YYYY-MM')",
    "criterion": "c.criterion",
    "sex": "p.sex",
    "age_band": "p.age_band",
    "measure": "coalesce(p.measure, dm.measure)",
    "annex": "am.annex_id::text",
}
# Each kind's default measure (a pathway naming none counts under it), as an SQL table.
DEFAULT_MEASURES = ", ".join(
    f"('{m.kind}', '{m.code}')" for m in MEASURES.values() if m.code == f"{m.kind}_DC"
)
# By measure or annexe: the pathway's measure; an annexe holds the months of its structure and
# measure (`reference_data.annex_months`), so a row's window is one of its months and each
# metric goes to the annexe holding the month of its date (docs/adr/0012-etp-attribution.md).
MEASURE_JOIN = f" LEFT JOIN (VALUES {DEFAULT_MEASURES}) AS dm (kind, measure) ON dm.kind = s.kind"
ANNEX_JOIN = """ LEFT JOIN reference_data.annex_months am ON am.structure_id = p.structure_id
       AND am.measure = coalesce(p.measure, dm.measure) AND am.month = {month}"""
MONTHLY = frozenset({"month", "annex"})
CATEGORIES = tuple(EXIT_CATEGORIES)
COUNTED_CATEGORIES = tuple(c for c in CATEGORIES if c != WITHDRAWN_CATEGORY)
CLIENT_KINDS = ("particulier", "entreprise", "association", "collectivite")
# The area filters, on a structure's location `l` (reference_data.locations, dated).
AREA = (
    " AND (CAST(:department AS text) IS NULL OR l.department = CAST(:department AS text))"
    " AND (CAST(:region AS text) IS NULL OR l.region = CAST(:region AS text))"
)


def by_counting_basis(hours: str, months: str, every: str) -> str:
    """SQL choosing, by the structure's kind (`s.kind`), the expression of its counting basis:
    the kinds are the domain's, the rule itself is applied when the rows are derived."""
    expressions = {HOURS_BASIS: hours, EVERY_BASIS: every}
    cases = " ".join(
        f"WHEN s.kind IN ({', '.join(repr(k) for k in sorted(kinds))}) THEN {expressions[basis]}"
        for basis, kinds in BASIS_KINDS.items()
    )
    return f"CASE {cases} ELSE {months} END"


COUNTED_SQL = by_counting_basis(
    "p.counted_hours", "p.counted_months", f"p.exit_category <> '{WITHDRAWN_CATEGORY}'"
)
MONTHS_CTE = """months AS (
    SELECT d::date AS ms, (d + interval '1 month' - interval '1 day')::date AS me
      FROM generate_series(date_trunc('month', CAST(:start AS date)), CAST(:end AS date),
                           interval '1 month') AS d)"""


# Whether a pathway `p`, counted for the group of membership `m` on its exit date, left for
# another member of that group on that date (an internal move, docs/domain.md §8); whether `p`
# is the pathway such a move leads to, for that group.
MEMBER_ON_EXIT = """JOIN reference_data.memberships {a} ON {a}.structure_id = t.{column}
       AND {a}.group_id = m.group_id
       AND t.exited_on BETWEEN {a}.joined_on AND coalesce({a}.left_on, 'infinity'::date)"""
MOVED_OUT = f"""EXISTS (SELECT 1 FROM outcomes.transfers t
    {MEMBER_ON_EXIT.format(a="mt", column="to_structure_id")}
     WHERE t.pathway_id = p.pathway_id)"""
MOVED_IN = f"""EXISTS (SELECT 1 FROM outcomes.transfers t
    {MEMBER_ON_EXIT.format(a="mf", column="structure_id")}
    {MEMBER_ON_EXIT.format(a="mt", column="to_structure_id")}
     WHERE t.to_pathway_id = p.pathway_id)"""


@dataclass(frozen=True)
class Query:
    """What to aggregate: a period, one or two dimensions, and filters (scope included)."""

    start: date
    end: date
    dims: tuple[str, ...] = ()
    structure_id: str | None = None
    group_id: str | None = None
    kind: str | None = None
    department: str | None = None
    region: str | None = None
    params: dict = field(default_factory=dict, compare=False)

    @property
    def by_group(self) -> bool:
        return "group" in self.dims or self.group_id is not None

    @property
    def located(self) -> bool:
        """Whether an area filter applies: by the structure's dated locations."""
        return self.department is not None or self.region is not None

    @property
    def dated_windows(self) -> bool:
        """Whether one key may hold several windows: a structure's memberships of a group, or
        its locations in an area."""
        return self.by_group or self.located

    @property
    def windowed(self) -> bool:
        """Whether a pathway may be read through several windows (memberships, locations, the
        months of its annexes)."""
        return self.dated_windows or "annex" in self.dims

    @property
    def monthly(self) -> bool:
        """Whether a row's window is one calendar month (`month` or `annex` dimension)."""
        return bool(MONTHLY & set(self.dims))

    def bind(self) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "structure_id": self.structure_id,
            "group_id": self.group_id,
            "kind": self.kind,
            "department": self.department,
            "region": self.region,
        }


def _joins(q: Query, months: bool = True, month: str = "h.month") -> str:
    """The joins of the rows' dimensions and filters; without the calendar of the period
    (`months` false), an annexe is the one holding the `month` given (a date's month)."""
    sql = " LEFT JOIN reference_data.structures s ON s.id = p.structure_id"
    if q.by_group:
        sql += " JOIN reference_data.memberships m ON m.structure_id = p.structure_id"
    if q.located:
        sql += f" JOIN reference_data.locations l ON l.structure_id = p.structure_id{AREA}"
    if "criterion" in q.dims:
        sql += " JOIN outcomes.criteria c ON c.pathway_id = p.pathway_id"
    if months and q.monthly:
        sql += " CROSS JOIN months w"
    if {"measure", "annex"} & set(q.dims):
        sql += MEASURE_JOIN
    if "annex" in q.dims:
        sql += ANNEX_JOIN.format(month="w.ms" if months else month)
    return sql


def _filters(q: Query) -> str:
    sql = ""
    for name, column in (
        ("structure_id", "p.structure_id"),
        ("group_id", "m.group_id"),
        ("kind", "s.kind"),
    ):
        if getattr(q, name) is not None:
            cast = "uuid" if name.endswith("_id") else "text"
            sql += f" AND {column} = CAST(:{name} AS {cast})"
    return sql


def _window(q: Query) -> tuple[str, str]:
    """SQL of the first and last day of a row's window."""
    first, last = ["CAST(:start AS date)"], ["CAST(:end AS date)"]
    if q.monthly:
        first, last = first + ["w.ms"], last + ["w.me"]
    if q.by_group:
        first, last = first + ["m.joined_on"], last + ["coalesce(m.left_on, 'infinity'::date)"]
    if q.located:
        first, last = first + ["l.located_on"], last + ["coalesce(l.until_on, 'infinity'::date)"]
    return f"greatest({', '.join(first)})", f"least({', '.join(last)})"


def _keys(q: Query, month_sql: str | None = None) -> list[str]:
    return [month_sql if d == "month" and month_sql else KEY_SQL[d] for d in q.dims]


def _select_keys(keys: list[str]) -> str:
    return "".join(f"{k} AS k{i}, " for i, k in enumerate(keys))


def _group_keys(q: Query) -> str:
    return ", ".join(f"k{i}" for i in range(len(q.dims)))


def _with(q: Query) -> str:
    return f"WITH {MONTHS_CTE} " if q.monthly else ""


def pathway_metrics(conn: Connection, q: Query) -> dict[tuple, dict]:
    """Entries, active, exits (by category, counted) and stay lengths, per row key."""
    ws, we = _window(q)
    keys = _group_keys(q)
    cats = "".join(
        f", count(*) FILTER (WHERE exited AND cat = '{c}') AS exits_{c}"
        f", count(*) FILTER (WHERE exited AND counted AND cat = '{c}') AS counted_{c}"
        for c in CATEGORIES
    )
    active = f"p.opened_on <= {we} AND coalesce(p.exited_on, 'infinity'::date) >= {ws}"
    entered, exited = f"p.opened_on BETWEEN {ws} AND {we}", f"p.exited_on BETWEEN {ws} AND {we}"
    moved = "false"
    if q.by_group:  # a move between two members is neither an exit nor an entry of the group
        moved = f"{exited} AND {MOVED_OUT}"
        entered, exited = f"{entered} AND NOT {MOVED_IN}", f"{exited} AND NOT {MOVED_OUT}"
    a = functools.partial(_per_pathway_value, q)
    sql = f"""{_with(q)}
    SELECT {keys + ", " if keys else ""}count(*) FILTER (WHERE entered) AS entries,
           count(*) FILTER (WHERE active) AS active, count(*) FILTER (WHERE exited) AS exits,
           count(*) FILTER (WHERE exited AND counted) AS counted_exits,
           count(*) FILTER (WHERE moved) AS internal_moves,
           coalesce(sum(days) FILTER (WHERE exited), 0) AS exit_days {cats}
      FROM (SELECT {_select_keys(_keys(q))}p.pathway_id,
                   {a("bool_or", entered)} AS entered,
                   {a("bool_or", active)} AS active,
                   {a("bool_or", exited)} AS exited, {a("bool_or", moved)} AS moved,
                   {a("bool_or", COUNTED_SQL)} AS counted, {a("min", "p.exit_category")} AS cat,
                   {a("min", "p.exited_on - p.opened_on")} AS days
              FROM outcomes.pathways p {_joins(q)}
             WHERE p.opened_on <= CAST(:end AS date)
               AND coalesce(p.exited_on, 'infinity'::date) >= CAST(:start AS date)
               AND {ws} <= {we} {_filters(q)}
             {_per_pathway(q, keys)}) AS x
     {"GROUP BY " + keys if keys else ""}"""
    return _by_key(conn, q, sql)


def _per_pathway(q: Query, keys: str) -> str:
    """One row per pathway and key. Only a structure's several memberships of one group, or its
    several locations in the area, can repeat a pathway under a key; without them the rows are
    already one per pathway, and
    bool_or/min of a single row is the row itself: no grouping, no aggregate (faster)."""
    return f"GROUP BY {keys + ', ' if keys else ''}p.pathway_id" if q.windowed else ""


def _per_pathway_value(q: Query, function: str, expression: str) -> str:
    return f"{function}({expression})" if q.windowed else f"({expression})"


def hours_metrics(conn: Connection, q: Query) -> dict[tuple, dict]:
    """Hours declared for the months of the period (months overlapping it, and the membership)."""
    keys = _group_keys(q)
    month_end = "(h.month + interval '1 month' - interval '1 day')::date"
    member = f" AND m.joined_on <= {month_end} AND coalesce(m.left_on, 'infinity'::date) >= h.month"
    located = (
        f" AND l.located_on <= {month_end} AND coalesce(l.until_on, 'infinity'::date) >= h.month"
    )
    sql = f"""
    SELECT {keys + ", " if keys else ""}coalesce(sum(hours), 0) AS hours_worked
      FROM (SELECT DISTINCT {_select_keys(_keys(q, "to_char(h.month, 'YYYY-MM')"))}
                   h.pathway_id, h.month, h.hours
              FROM outcomes.monthly_hours h JOIN outcomes.pathways p USING (pathway_id)
                   {_joins(q, months=False)}
             WHERE h.month <= CAST(:end AS date) AND {month_end} >= CAST(:start AS date)
                   {member if q.by_group else ""} {located if q.located else ""}
                   {_filters(q)}) AS x
     {"GROUP BY " + keys if keys else ""}"""
    return _by_key(conn, q, sql)


def mad_metrics(conn: Connection, q: Query) -> dict[tuple, dict]:
    """MAD hours split pro rata by days between the windows their dates overlap (a window is
    empty when a group membership does not meet the period: no share, not a negative one)."""
    ws, we = _window(q)
    keys = _group_keys(q)
    share = (
        f"a.hours * (least(a.end_on, {we}) - greatest(a.start_on, {ws}) + 1)"
        " / (a.end_on - a.start_on + 1)"
    )
    kinds = ", ".join(
        f"coalesce(sum({share}) FILTER (WHERE a.client_kind = '{k}'), 0) AS mad_{k}"
        for k in CLIENT_KINDS
    )
    sql = f"""{_with(q)}
    SELECT {_select_keys(_keys(q))}{kinds}
      FROM outcomes.mads a JOIN outcomes.pathways p USING (pathway_id) {_joins(q)}
     WHERE a.start_on <= {we} AND a.end_on >= {ws} AND {ws} <= {we} {_filters(q)}
     {"GROUP BY " + keys if keys else ""}"""
    return _by_key(conn, q, sql)


def activity_metrics(conn: Connection, q: Query) -> dict[tuple, dict]:
    """Trainings completed and support actions recorded in the window."""
    ws, we = _window(q)
    keys = _group_keys(q)
    sql = f"""{_with(q)}
    SELECT {_select_keys(_keys(q))}
           count(*) FILTER (WHERE t.kind = 'training_completed') AS trainings_completed,
           count(*) FILTER (WHERE t.kind = 'support_action') AS support_actions
      FROM outcomes.activities t JOIN outcomes.pathways p USING (pathway_id) {_joins(q)}
     WHERE t.occurred_on BETWEEN {ws} AND {we} {_filters(q)}
     {"GROUP BY " + keys if keys else ""}"""
    return _by_key(conn, q, sql)


def _by_key(conn: Connection, q: Query, sql: str) -> dict[tuple, dict]:
    result: dict[tuple, dict] = {}
    for row in conn.execute(text(sql), q.bind()).mappings():
        key = tuple(row[f"k{i}"] for i in range(len(q.dims)))
        result[key] = {k: v for k, v in row.items() if not re.fullmatch(r"k\d+", k)}
    return result


def names(conn: Connection, table: str, ids: list[str], column: str = "name") -> dict[str, str]:
    """Names of structures or groups (numbers of annexes: `column`) by id (reference data)."""
    if not ids:
        return {}
    rows = conn.execute(
        text(
            f"SELECT id::text, {column} FROM reference_data.{table}"
            " WHERE id = ANY(CAST(:ids AS uuid[]))"
        ),
        {"ids": ids},
    )
    return dict(rows.all())


def located_sql(structure: str, first: str, last: str) -> str:
    """SQL: whether the structure `structure` (SQL) was located in the area of the parameters
    :department and :region (either may be NULL) on at least one day from `first` to `last`."""
    return f"""EXISTS (SELECT 1 FROM reference_data.locations l
     WHERE l.structure_id = {structure}{AREA}
       AND l.located_on <= {last} AND coalesce(l.until_on, 'infinity'::date) >= {first})"""


def ever_member(conn: Connection, group_id: str, structure_id: str) -> bool:
    return conn.execute(
        text(
            "SELECT EXISTS (SELECT 1 FROM reference_data.memberships"
            " WHERE group_id = CAST(:g AS uuid) AND structure_id = CAST(:s AS uuid))"
        ),
        {"g": group_id, "s": structure_id},
    ).scalar_one()


def members_ever(conn: Connection, group_id: str) -> list[str]:
    """Every structure that was ever a member of the group, whatever the dates."""
    return list(
        conn.execute(
            text(
                "SELECT DISTINCT structure_id::text FROM reference_data.memberships"
                " WHERE group_id = CAST(:g AS uuid)"
            ),
            {"g": group_id},
        ).scalars()
    )
