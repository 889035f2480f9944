"""The report from the monthly tallies, when they answer it exactly (an aggregate navigator).

Tallies are per structure and calendar month, so they serve a period of whole months, with the
smallest grain that holds the dimensions asked, rolled up per structure attributes when no
other one is asked; a group only when its memberships are whole months too, an area
(`department`, `region`) only when the locations it reads are (once a structure has moved:
before, each structure has one location, its current one, and the rollups answer). Otherwise
`queries` aggregates the pathway rows. Both give the same rows: the test
tests/reporting/test_tallied.py compares them. See docs/adr/0006-projections.md.
"""

from __future__ import annotations

import calendar
import dataclasses
from datetime import date, timedelta

from sqlalchemy import Connection, text

from services.reporting.projections import tally_layout as layout
from services.reporting.projections.tally_layout import CATEGORIES, CLIENT_KINDS
from services.reporting.reports import moves
from services.reporting.reports.rows import (
    AREA,
    COUNTED_CATEGORIES,
    DEFAULT_MEASURES,
    Query,
    by_counting_basis,
)

KEY_SQL = {
    "structure": "a.structure_id::text",
    "kind": "s.kind",
    "department": "s.department",
    "region": "s.region",
    "group": "a.group_id::text",
    "criterion": "a.criterion",
    "sex": "nullif(a.sex, '')",
    "age_band": "nullif(a.age_band, '')",
    "measure": "coalesce(nullif(a.measure, ''), dm.measure)",
    "annex": "a.annex_id::text",
}
MEASURES = "tally_measures"
# By measure or annexe: the structure attributes that may come with them (the window of an
# annexe is its months in the period, so no month, no group, no dated area besides).
WITH_MEASURE = frozenset({"measure", "structure", "kind", "department", "region", "month"})
WITH_ANNEX = frozenset({"annex", "structure", "kind", "department", "region"})
# The months of the period each annexe of a structure and measure holds, and those no counting
# annexe holds (annex_id NULL): each a window, as a membership is for a group
# (reference_data.annex_months, docs/adr/0012-etp-attribution.md). The period's months are
# written out (`{months}`): the planner then knows how many there are (of a series it guesses
# 1,000, and compiles the statement, which takes longer than running it).
ANNEX_WINDOWS = f"""(SELECT structure_id, measure, annex_id, min(ms) AS w0, max(ms) AS w1,
                   count(*) AS months
              FROM (SELECT t.structure_id, t.measure, am.annex_id, g.ms::date AS ms
                      FROM (SELECT DISTINCT structure_id, measure FROM outcomes.{MEASURES}
                             WHERE month >= CAST(:m0 AS date)) t
                      LEFT JOIN reference_data.structures s ON s.id = t.structure_id
                      LEFT JOIN (VALUES {DEFAULT_MEASURES}) AS dm (kind, measure)
                        ON dm.kind = s.kind
                     CROSS JOIN (VALUES {{months}}) AS g(ms)
                      LEFT JOIN reference_data.annex_months am
                        ON am.structure_id = t.structure_id AND am.month = g.ms
                       AND am.month BETWEEN CAST(:m0 AS date) AND CAST(:m1 AS date)
                       AND am.measure = coalesce(nullif(t.measure, ''), dm.measure)) w
             GROUP BY structure_id, measure, annex_id)"""
ANNEXED = f"""JOIN {ANNEX_WINDOWS} x
        ON x.structure_id = a.structure_id AND x.measure = a.measure"""
# Whether every window is one run of months: else a pathway active in two runs would count
# twice, and the pathway rows answer.
SPLIT_WINDOWS = f"""SELECT EXISTS (SELECT 1 FROM {ANNEX_WINDOWS} x
     WHERE months <> (extract(year FROM w1) - extract(year FROM w0)) * 12
                     + extract(month FROM w1) - extract(month FROM w0) + 1)"""
# Dimensions and filters of a structure: rollups hold some of its attributes, never the rest.
STRUCTURE_ATTRIBUTES = frozenset(
    {"structure", "group", "kind", "department", "region", "structure_id", "group_id"}
)
# Filters of the tally rows, then of the structures (reference data) they are summed into.
FILTERS = {
    "structure_id": "a.structure_id = CAST(:structure_id AS uuid)",
    "group_id": "m.group_id = CAST(:group_id AS uuid)",
}
STRUCTURE_FILTERS = {
    "kind": "s.kind = CAST(:kind AS text)",
    "department": "s.department = CAST(:department AS text)",
    "region": "s.region = CAST(:region AS text)",
}
AREA_FILTERS = frozenset({"department", "region"})
# Set in a query's `params` when its area is read by dated locations (`is_dated`).
DATED = "dated_area"
# Tally columns that a dimension reads: the rest is summed away per structure first.
FINE = ("month", "sex", "age_band", "criterion")
PERIOD = ("CAST(:m0 AS date)", "CAST(:m1 AS date)")
# A membership's months in the period: it starts on a 1st and ends on a month's last day.
MEMBERS = """JOIN (SELECT group_id, structure_id, greatest(CAST(:m0 AS date), joined_on) AS w0,
                   least(CAST(:m1 AS date), coalesce(date_trunc('month', left_on)::date,
                                                     'infinity'::date)) AS w1
              FROM reference_data.memberships) m
        ON m.structure_id = a.structure_id AND m.w0 <= m.w1"""
# A location's months in the period, likewise (`locations_aligned`: one per structure).
LOCATED = f"""JOIN (SELECT structure_id, greatest(CAST(:m0 AS date), located_on) AS w0,
                   least(CAST(:m1 AS date), coalesce(date_trunc('month', until_on)::date,
                                                     'infinity'::date)) AS w1
              FROM reference_data.locations l WHERE true {AREA}) l
        ON l.structure_id = a.structure_id AND l.w0 <= l.w1"""
# Whether a structure has ever moved: until then an area is read by current attributes.
MOVED = "SELECT EXISTS (SELECT 1 FROM reference_data.locations WHERE located_on > '-infinity')"


def sums(first: str, last: str) -> dict[str, str]:
    """Aggregates of the window whose first and last months are the SQL `first` and `last`;
    the tally's month is `a.month`. Counted exits both ways: the kind picks one (`outer`)."""
    within = f"FILTER (WHERE a.month BETWEEN {first} AND {last})"
    return {
        "entries": f"sum(a.entries) {within}",
        "exits": f"sum(a.exits) {within}",
        "exit_days": f"sum(a.exit_days) {within}",
        **{f"exits_{c}": f"sum(a.exits_{c}) {within}" for c in CATEGORIES},
        **{f"counted_h_{c}": f"sum(a.counted_h_{c}) {within}" for c in COUNTED_CATEGORIES},
        **{f"counted_m_{c}": f"sum(a.counted_m_{c}) {within}" for c in COUNTED_CATEGORIES},
        "hours_worked": f"sum(a.hours) {within}",
        **{f"mad_{k}": f"sum(a.mad_{k}) {within}" for k in CLIENT_KINDS},
        "trainings_completed": f"sum(a.trainings) {within}",
        "support_actions": f"sum(a.supports) {within}",
        # Rows of other families (a declaration of 0 h still makes a row, as in `queries`).
        "others": f"sum(a.hour_rows + a.mad_rows + a.trainings + a.supports) {within}",
        # From the window's start on: exits and the still open; after its end: entries.
        "leaving": f"sum(a.exits + a.open_now) FILTER (WHERE a.month >= {first})",
        "entering_after": f"sum(a.entries) FILTER (WHERE a.month > {last})",
    }


INNER = sums(*PERIOD)
# A member's pathways spanning the period, membership aside, make its group's row (`queries`).
SPANNING = {
    "spanning": "sum(a.exits + a.open_now)"
    " - coalesce(sum(a.entries) FILTER (WHERE a.month > CAST(:m1 AS date)), 0)"
}


def outer(inner: dict[str, str]) -> dict[str, str]:
    """The sums of the per-structure sums, counted exits as the structure's kind counts them."""
    found = {}
    for name in inner:
        if name.startswith("counted_h_"):
            c = name.removeprefix("counted_h_")
            found[f"counted_{c}"] = (
                f"sum({by_counting_basis(f'a.counted_h_{c}', f'a.counted_m_{c}', f'a.exits_{c}')})"
            )
        elif not name.startswith("counted_m_"):
            found[name] = f"sum(a.{name})"
    return found


SUMS = outer(INNER)


def grain(q: Query, dated: bool = False) -> str | None:
    """The tally table that answers `q` exactly, or None (then the pathway rows answer). With a
    group, only if `members_aligned` too, and without months (rows then, for now); likewise
    with an area read by dated locations (`dated`) and `locations_aligned`."""
    windowed = q.by_group or dated
    if q.start.day != 1 or q.end.day != _last_day(q.end) or (windowed and "month" in q.dims):
        return None
    if "annex" in q.dims:
        return None if windowed or set(q.dims) - WITH_ANNEX else MEASURES
    if "measure" in q.dims:
        return None if windowed or set(q.dims) - WITH_MEASURE else MEASURES
    people = {"sex", "age_band"} & set(q.dims)
    if "criterion" in q.dims:
        return None if people else "tally_criteria"
    return "tally_people" if people else "tally"


def table(conn: Connection, q: Query) -> str | None:
    """The table that answers `q`: its grain's rollup when that holds every structure attribute
    asked and the rollups are up to date with the reference data; else the grain's tallies."""
    dated = is_dated(conn, q)
    found = grain(q, dated)
    if found and q.by_group and not members_aligned(conn, q):
        return None
    if found and dated and not locations_aligned(conn, q):
        return None
    if found == MEASURES:
        return None if "annex" in q.dims and annexes_split(conn, q) else found
    asked = {*q.dims, *(n for n in (*FILTERS, *STRUCTURE_FILTERS) if getattr(q, n))}
    if found is None or dated or (asked & STRUCTURE_ATTRIBUTES) - set(layout.BY[found]):
        return found
    return layout.OF[found] if layout.fresh(conn) else found


def members_aligned(conn: Connection, q: Query) -> bool:
    """Whether the memberships `q` reads run over whole months, one per group and structure:
    then a member's tallies of its months are exactly what the pathway rows count."""
    only = "WHERE group_id = CAST(:group_id AS uuid)" if q.group_id else ""
    return conn.execute(
        text(
            f"""SELECT NOT EXISTS (
                SELECT 1 FROM reference_data.memberships {only}
                 GROUP BY group_id, structure_id
                HAVING count(*) > 1 OR bool_or(extract(day FROM joined_on) <> 1
                    OR left_on <> (date_trunc('month', left_on) + interval '1 month')::date - 1))"""
        ),
        q.bind(),
    ).scalar_one()


def annexes_split(conn: Connection, q: Query) -> bool:
    """Whether a structure's months held by one annexe (or by none) in the period of `q` are
    not one run (months outside any annexe on both sides of one, mostly)."""
    return conn.execute(text(SPLIT_WINDOWS.format(months=_months(q))), bind(q)).scalar_one()


def is_dated(conn: Connection, q: Query) -> bool:
    """Whether `q`'s area must be read by the structures' dated locations: once one has moved."""
    return q.located and conn.execute(text(MOVED)).scalar_one()


def locations_aligned(conn: Connection, q: Query) -> bool:
    """Whether the locations in `q`'s area start on a month's first day, one per structure."""
    return conn.execute(
        text(
            f"""SELECT NOT EXISTS (
                SELECT 1 FROM reference_data.locations l WHERE true {AREA}
                 GROUP BY structure_id
                HAVING count(*) > 1 OR bool_or(located_on > '-infinity'
                                               AND extract(day FROM located_on) <> 1))"""
        ),
        q.bind(),
    ).scalar_one()


def metrics(conn: Connection, q: Query, table: str) -> dict[tuple, dict]:
    """Every family of metrics per row key, in one statement over the tallies."""
    if is_dated(conn, q):  # the per-structure tallies `table` decided, area by locations
        q = dataclasses.replace(q, params={**q.params, DATED: True})
    sql = _by_month(q, table) if "month" in q.dims else _whole(q, table)
    result, width = conn.execute(text(sql), bind(q)), len(q.dims)
    names = list(result.keys())[width:]
    counted = [names.index(f"counted_{c}") for c in COUNTED_CATEGORIES]
    found: dict[tuple, dict] = {}
    for row in result:
        values = dict(zip(names, row[width:], strict=True))
        values["counted_exits"] = sum(row[width + i] for i in counted)
        found[tuple(row[:width])] = values
    moves.take_out(conn, q, found)
    return found


def _source(q: Query, table: str, keys: list[str]) -> str:
    """Sums per structure (per membership with a group: its months are its window, or per
    rollup key) and asked tally column first, then into the row keys: the structures' reference
    data is joined once per structure, not once per tally row."""
    dated = bool(q.params.get(DATED))
    annexed = "annex" in q.dims
    inner = sums(*_window(q.by_group, dated)) | SPANNING if q.by_group or dated else INNER
    entity = _entity(q, table) + [f"a.{c}" for c in FINE if c in q.dims]
    if annexed:
        inner, entity = sums("x.w0", "x.w1") | SPANNING, entity + ["x.annex_id"]
    rows = "".join(f" AND {sql}" for name, sql in FILTERS.items() if getattr(q, name))
    structures = "".join(
        f" AND {sql}"
        for name, sql in STRUCTURE_FILTERS.items()
        if getattr(q, name) and not (dated and name in AREA_FILTERS)
    )
    joins = (MEMBERS if q.by_group else "") + (LOCATED if dated else "")
    joins += ANNEXED.format(months=_months(q)) if annexed else ""
    if q.by_group and dated:
        rows += " AND greatest(m.w0, l.w0) <= least(m.w1, l.w1)"
    selected = "".join(f"{k} AS k{i}, " for i, k in enumerate(keys))
    aggregates = ", ".join(f"coalesce({sql}, 0) AS {name}" for name, sql in outer(inner).items())
    return f"""SELECT {selected}{aggregates}
      FROM (SELECT {", ".join(entity)}, {", ".join(f"{v} AS {n}" for n, v in inner.items())}
              FROM outcomes.{table} a {joins}
             WHERE a.month >= CAST(:m0 AS date) {rows}
             GROUP BY {", ".join(entity)}) a {_kind_of(table)}
     WHERE true {structures}"""


def _entity(q: Query, table: str) -> list[str]:
    """What the tally rows are summed per before the structures' attributes are joined."""
    for grain, rollup in layout.OF.items():
        if table == rollup:
            return [f"a.{c}" for c in layout.BY[grain]]
    if table == MEASURES:
        return ["a.structure_id", "a.measure"]
    return ["a.structure_id", "m.group_id"] if q.by_group else ["a.structure_id"]


def _kind_of(table: str) -> str:
    """`s.kind` and the like: from the reference data for a tally, from the row itself for a
    rollup ('' there when the reference data did not know the structure)."""
    for grain, rollup in layout.OF.items():
        if table == rollup:
            found = ", ".join(f"nullif(a.{c}, '') AS {c}" for c in layout.BY[grain])
            return f"CROSS JOIN LATERAL (SELECT {found}) s"
    joined = "LEFT JOIN reference_data.structures s ON s.id = a.structure_id"
    if table == MEASURES:  # a pathway naming no measure counts under its kind's default
        joined += (
            f" LEFT JOIN (VALUES {DEFAULT_MEASURES}) AS dm (kind, measure) ON dm.kind = s.kind"
        )
    return joined


def _whole(q: Query, table: str) -> str:
    keys = [KEY_SQL[d] for d in q.dims]
    group = f" GROUP BY {', '.join(keys)}" if keys else ""
    return f"""SELECT * FROM (
        SELECT *, leaving - entering_after AS active FROM ({_source(q, table, keys)}{group}) x) y
     {f"WHERE {_shown(q)} > 0 OR others > 0" if keys else ""}"""


def _shown(q: Query) -> str:
    """What makes a row: someone active in its window, or a group member's pathway spanning
    the period (as the pathway rows list it, active in the membership's months or not; and
    likewise for a structure located in the area)."""
    windowed = q.by_group or q.params.get(DATED) or "annex" in q.dims
    return "spanning" if windowed else "active"


def _window(by_group: bool, dated: bool) -> tuple[str, str]:
    """The first and last months of a membership's or location's window, or of both."""
    if by_group and dated:
        return "greatest(m.w0, l.w0)", "least(m.w1, l.w1)"
    return ("m.w0", "m.w1") if by_group else ("l.w0", "l.w1")


def _by_month(q: Query, table: str) -> str:
    """Per month: active = exits and open from the month on − entries after it (running sums
    over the months, latest first); a key with someone active in the period lists every month."""
    mi, names = q.dims.index("month"), list(SUMS)
    keys = [KEY_SQL[d] if d != "month" else "a.month" for d in q.dims]
    ks = [f"k{i}" for i in range(len(q.dims))]
    others, m = [k for k in ks if k != f"k{mi}"], f"k{mi}"
    part = f"PARTITION BY {', '.join(others)}" if others else ""
    grid_keys = ", ".join("g.ms::date" if k == m else f"d.{k}" for k in ks)
    return f"""WITH t AS ({_source(q, table, keys)} GROUP BY {", ".join(keys)}),
    grid AS (SELECT {", ".join(ks)}, {", ".join(f"sum({n}) AS {n}" for n in names)}
               FROM (SELECT * FROM t UNION ALL
                     SELECT {grid_keys}, {", ".join(f"0 AS {n}" for n in names)}
                       FROM (SELECT DISTINCT {", ".join(others) or "1"} FROM t) d
                      CROSS JOIN generate_series(CAST(:m0 AS date), CAST(:m1 AS date),
                                                 interval '1 month') AS g(ms)) u
              GROUP BY {", ".join(ks)}),
    run AS (SELECT *, sum(leaving) OVER (w ROWS UNBOUNDED PRECEDING)
                      - coalesce(sum(entries + entering_after) OVER (
                            w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS active,
                      sum(leaving) OVER ({part}) - sum(entering_after) OVER ({part}) AS spans
              FROM grid WINDOW w AS ({part} ORDER BY {m} DESC))
    SELECT {", ".join(f"to_char({k}, 'YYYY-MM') AS {k}" if k == m else k for k in ks)},
           {", ".join(names)}, active
      FROM run WHERE {m} <= CAST(:m1 AS date) AND (spans > 0 OR others > 0)"""


def bind(q: Query) -> dict:
    """The query's parameters and the first days of its first and last months."""
    return {**q.bind(), "m0": q.start, "m1": q.end.replace(day=1)}


def _months(q: Query) -> str:
    """The first days of the months of `q`'s period, as SQL rows of a VALUES list."""
    found, month = [], q.start.replace(day=1)
    while month <= q.end:
        found.append(f"(DATE '{month.isoformat()}')")
        month = (month + timedelta(days=32)).replace(day=1)
    return ", ".join(found)


def _last_day(day: date) -> int:
    return calendar.monthrange(day.year, day.month)[1]
