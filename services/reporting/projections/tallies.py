"""Monthly tallies per structure: what every pathway adds to the report, summed ahead of time.

Each folded pathway contributes additive counts to cells of four grains (structure × month;
× sex × age band; × criterion; × measure). A batch subtracts what the touched pathways
contributed before and adds what they contribute after, in the transaction that writes their
rows, so tallies always equal the rows they summarise. Amounts are exact decimals: a
contribution taken away leaves exactly zero, and an emptied cell (no contribution left) is
deleted, so catch-up and rebuild give identical tables. Reports read them through
`services/reporting/reports/tallied.py`.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import orjson
from sqlalchemy import Connection, text

from services.reporting.projections import rollups
from services.reporting.projections.tally_layout import (
    GRAINS,
    METRICS,
    OPEN,
)
from shared.domain.codes import WITHDRAWN_CATEGORY
from shared.domain.outcomes import HOURS_BASIS, MONTHS_BASIS, counted_by_basis, exit_category
from shared.domain.pathway.state import PathwayState as State

# MAD shares are rounded to 1e-12 h: sums of such decimals are exact in any order, so a
# cell tallied in one batch or in several holds the very same number.
SHARE_SCALE = Decimal("1e-12")
# Rows carry only their non-zero amounts (most of a cell's metrics stay zero in a batch).
UPSERT = """
INSERT INTO {s}.{t} AS t ({names})
SELECT {values} FROM json_populate_recordset(NULL::{s}.{t}, CAST(:doc AS json)) AS d
ON CONFLICT ({key}) DO UPDATE SET {sums}"""
PRUNE = """
DELETE FROM {s}.{t} AS t USING json_populate_recordset(NULL::{s}.{t}, CAST(:doc AS json)) AS d
 WHERE {match} AND t.n = 0"""

Cells = dict[tuple, dict[str, Decimal]]
# The derived tables whose rows carry amounts; criteria and alerts add none.
TALLIED = ("pathways", "monthly_hours", "mads", "activities")


@dataclass(frozen=True)
class RowChanges:
    """Derived rows a batch deleted (`gone`) and inserted (`came`), by table: complete for
    every pathway but the `replaced` ones, whose old rows were deleted without being derived."""

    gone: dict[str, list[dict]]
    came: dict[str, list[dict]]
    replaced: Collection[str]


def counted_of(state: State) -> Counted:
    """Whether the pathway's exit counts by hours and by months, as the domain's rule decides
    (None for both while it is open): what its row stores and its tallies add."""
    if state.exit is None or state.opened_on is None:
        return (None, None)
    category = exit_category(state.exit.reason)
    bases = counted_by_basis(state.first_hired_on, state.exit.on, category, state.hours_worked)
    return (bases[HOURS_BASIS], bases[MONTHS_BASIS])


def contributions(state: State) -> list[tuple[str, dict]]:
    """(month, amounts) a pathway adds, before spreading them over the grains."""
    if state.opened_on is None:
        return []
    exit_on, reason = (state.exit.on, state.exit.reason) if state.exit else (None, None)
    items = _pathway(state.opened_on, exit_on, reason, counted_of(state))
    items += [_hours(f"{m}-01", h) for m, h in state.hours_by_month.items()]
    for mad in state.mises_a_disposition:
        items += _mad_shares(mad.client_kind, mad.start_on, mad.end_on, mad.hours)
    items += [_activity(kind, on) for kind, on in state.activities]
    return items


def row_contributions(table: str, row: dict) -> list[tuple[str, dict]]:
    """What one derived row adds: the pathway's contributions are the sum over its rows, so a
    batch can tally the rows it deleted and inserted instead of whole pathways."""
    if table == "pathways":
        counted = (row["counted_hours"], row["counted_months"])
        return _pathway(row["opened_on"], row["exited_on"], row["exit_reason"], counted)
    if table == "monthly_hours":
        return [_hours(row["month"], row["hours"])]
    if table == "mads":
        return _mad_shares(row["client_kind"], row["start_on"], row["end_on"], row["hours"])
    if table == "activities":
        return [_activity(row["kind"], row["occurred_on"])]
    return []


Counted = tuple[bool | None, bool | None]  # the exit counts by hours, by months (domain rule)


def _pathway(
    opened_on: date, exit_on: date | None, reason: str | None, counted: Counted
) -> list[tuple[str, dict]]:
    """Its entry, and its exit or its being open now; `counted` as the domain decided it."""
    if exit_on is None or reason is None:
        return [(_month(opened_on), {"entries": 1}), (OPEN, {"open_now": 1})]
    return [(_month(opened_on), {"entries": 1}), _exit(opened_on, exit_on, reason, counted)]


def _hours(month: str, hours: float) -> tuple[str, dict]:
    return month, {"hours": _dec(hours), "hour_rows": 1}


def _activity(kind: str, on: date) -> tuple[str, dict]:
    return _month(on), {_ACTIVITY[kind]: 1}


_ACTIVITY = {"training_completed": "trainings", "support_action": "supports"}


def _exit(opened_on: date, on: date, reason: str, counted: Counted) -> tuple[str, dict]:
    """An exit's amounts; a kind counting every exit reads `exits_<category>` (EITI)."""
    cat = exit_category(reason)
    amounts = {"exits": 1, f"exits_{cat}": 1, "exit_days": (on - opened_on).days}
    if cat != WITHDRAWN_CATEGORY:
        amounts[f"counted_h_{cat}"] = int(bool(counted[0]))
        amounts[f"counted_m_{cat}"] = int(bool(counted[1]))
    return _month(on), amounts


def _mad_shares(kind: str, start_on: date, end_on: date, hours: float) -> list[tuple[str, dict]]:
    """A MAD's hours split pro rata by days over the months it covers (ADR 0006)."""
    total, shares, first = (end_on - start_on).days + 1, [], start_on
    while first <= end_on:
        last = min(end_on, first.replace(day=calendar.monthrange(first.year, first.month)[1]))
        share = (_dec(hours) * ((last - first).days + 1) / total).quantize(SHARE_SCALE)
        shares.append((_month(first), {f"mad_{kind}": share, "mad_rows": 1}))
        first = last + timedelta(days=1)
    return shares


def by_month(state: State) -> dict[str, dict[str, int | Decimal]]:
    """A pathway's amounts per month, `n` counting its contributions there."""
    months: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    for month, amounts in contributions(state):
        cell = months[month]
        cell["n"] += 1
        for name, amount in amounts.items():
            cell[name] += amount
    return months


def _difference(new: dict, old: dict) -> dict[str, dict]:
    """What changed month by month (most batches change one month of one pathway)."""
    changed = {}
    for month in new.keys() | old.keys():
        now, was = new.get(month, {}), old.get(month, {})
        delta = {k: now.get(k, 0) - was.get(k, 0) for k in now.keys() | was.keys()}
        if any(delta.values()):
            changed[month] = delta
    return changed


def _negated(months: dict) -> dict[str, dict]:
    return {m: {k: -v for k, v in amounts.items()} for m, amounts in months.items()}


def _attributes(state: State) -> tuple:
    return (state.structure_id, state.sex, state.age_band, state.criteria, state.measure)


def _changes(before: State | None, after: State | None) -> list[tuple[State, dict]]:
    """(state whose cells take them, amounts by month): one difference when the pathway stays
    in the same cells, else all it took away and all it adds."""
    if before and after and _attributes(before) == _attributes(after):
        return [(after, _difference(by_month(after), by_month(before)))]
    found = [(before, _negated(by_month(before)))] if before else []
    return found + ([(after, by_month(after))] if after else [])


def _row_changes(
    after: dict[str, State], diffed: set[str], rows: RowChanges
) -> list[tuple[State, dict]]:
    """(state, amounts by month) of each pathway `rows` is complete for: what its inserted rows
    add less what its deleted rows took, so unchanged rows cost nothing."""
    found: dict[tuple[str, str], dict] = {}
    for sign, changed in ((-1, rows.gone), (1, rows.came)):
        for table in TALLIED:
            for row in changed.get(table, ()):
                if row["pathway_id"] in diffed:
                    _add(found, row["pathway_id"], row_contributions(table, row), sign)
    # A pathway row replaced for its new total of hours most often adds back what it took.
    return [
        (after[pid], {month: amounts})
        for (pid, month), amounts in found.items()
        if any(amounts.values())
    ]


def _add(found: dict, pid: str, items: list[tuple[str, dict]], sign: int) -> None:
    for month, amounts in items:
        cell = found.setdefault((pid, month), {"n": 0})
        cell["n"] += sign
        for name, amount in amounts.items():
            cell[name] = cell.get(name, 0) + sign * amount


def cells(changes: list[tuple[State, dict]]) -> dict[str, Cells]:
    """Net signed amounts of the given changes, per grain and cell."""
    found: dict[str, Cells] = {grain: {} for grain in GRAINS}
    tally, people, criteria = found["tally"], found["tally_people"], found["tally_criteria"]
    measures = found["tally_measures"]
    for state, months in changes:
        s, sex, age = state.structure_id, state.sex or "", state.age_band or ""
        measure = state.measure or ""
        for month, amounts in months.items():
            _sum_into(tally, (s, month), amounts)
            _sum_into(people, (s, month, sex, age), amounts)
            _sum_into(measures, (s, month, measure), amounts)
            for criterion in state.criteria:
                _sum_into(criteria, (s, month, criterion), amounts)
    return found


def _sum_into(cells: Cells, key: tuple, amounts: dict) -> None:
    """Most cells of a batch take one change: copied whole, not added metric by metric."""
    cell = cells.get(key)
    if cell is None:
        cells[key] = dict(amounts)
        return
    for name, amount in amounts.items():
        cell[name] = cell.get(name, 0) + amount


def write(
    conn: Connection,
    schema: str,
    before: dict[str, State],
    after: dict[str, State],
    rows: RowChanges | None = None,
) -> None:
    """Add what `after` contributes and take away what `before` did; drop emptied cells.

    Pathways that `rows` is complete for and that stay in the same cells are tallied from
    their changed rows alone (most batches add one event to a pathway); the others in whole.
    """
    diffed = _diffed(before, after, rows)
    changes = [
        change
        for pid in (before.keys() | after.keys()) - diffed
        for change in _changes(before.get(pid), after.get(pid))
    ]
    if rows and diffed:
        changes += _row_changes(after, diffed, rows)
    net = cells(changes)
    for grain, columns in GRAINS.items():
        found = [
            _row(columns, key, amounts)
            for key, amounts in net[grain].items()
            if any(amounts.values())
        ]
        if found:
            _upsert(conn, schema, grain, columns, found)


def _diffed(before: dict[str, State], after: dict[str, State], rows: RowChanges | None) -> set:
    """Pathways whose tally changes can be read from their changed rows."""
    if rows is None:
        return set()
    return {
        pid
        for pid in before.keys() & after.keys()
        if pid not in rows.replaced and _attributes(before[pid]) == _attributes(after[pid])
    }


def _row(columns: tuple, key: tuple, amounts: dict) -> dict:
    return {**dict(zip(columns, key, strict=True)), **{m: v for m, v in amounts.items() if v}}


def _upsert(conn: Connection, schema: str, grain: str, columns: tuple, rows: list[dict]) -> None:
    sql = UPSERT.format(
        s=schema,
        t=grain,
        names=", ".join((*columns, *METRICS)),
        values=", ".join((*columns, *(f"COALESCE({m}, 0)" for m in METRICS))),
        key=", ".join(columns),
        sums=", ".join(f"{m} = t.{m} + excluded.{m}" for m in METRICS),
    )
    doc = {"doc": orjson.dumps(rows, default=str).decode()}
    conn.execute(text(sql), doc)
    # Only a cell that lost contributions can be left empty: the others are not looked at.
    shrunk = [r for r in rows if r.get("n", 0) < 0]
    emptied = bool(shrunk)
    if emptied:
        match = " AND ".join(f"t.{c} = d.{c}" for c in columns)
        shrunk_doc = {"doc": orjson.dumps(shrunk, default=str).decode()}
        conn.execute(text(PRUNE.format(s=schema, t=grain, match=match)), shrunk_doc)
    rollups.add(conn, schema, grain, doc, emptied)


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}-01"


def _dec(value: float) -> Decimal:
    """The decimal a float is written as (its shortest repr): exact, as in the JSON rows."""
    return Decimal(repr(float(value)))
