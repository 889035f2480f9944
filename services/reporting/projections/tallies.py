"""Monthly tallies per structure: what every pathway adds to the report, summed ahead of time.

Each folded pathway contributes additive counts to cells of three grains (structure × month;
× sex × age band; × criterion). A batch subtracts what the touched pathways contributed before
and adds what they contribute after, in the transaction that writes their rows, so tallies
always equal the rows they summarise. Amounts are exact decimals: a contribution taken away
leaves exactly zero, and an emptied cell (no contribution left) is deleted, so catch-up and
rebuild give identical tables. Reports read them through `services/reporting/tallied.py`.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import orjson
from sqlalchemy import Connection, text

from services.reporting.projections import rollups
from services.reporting.projections.derive import Folded
from shared.codes import EXIT_CATEGORIES, HOUR_COUNTED_KINDS, WITHDRAWN_CATEGORY
from shared.outcomes import exit_category, is_counted_exit

CATEGORIES = tuple(EXIT_CATEGORIES)
CLIENT_KINDS = ("particulier", "entreprise", "association", "collectivite")
# The month of pathways still open, after every real one: `open_now` lives only there (active
# = open now + exits from the window's start − entries after its end). Not 'infinity', which
# Python's date cannot hold.
OPEN = "9999-12-01"
GRAINS = {
    "tally": ("structure_id", "month"),
    "tally_people": ("structure_id", "month", "sex", "age_band"),
    "tally_criteria": ("structure_id", "month", "criterion"),
}
METRICS = (
    "n",  # contributions in the cell: 0 means the cell is empty and goes
    "entries",
    "exits",
    "open_now",
    "exit_days",
    *(f"exits_{c}" for c in CATEGORIES),
    # Counted exits both ways; the structure's kind (reference data) picks one at query time.
    *(f"counted_h_{c}" for c in CATEGORIES),
    *(f"counted_m_{c}" for c in CATEGORIES),
    "hours",
    "hour_rows",
    *(f"mad_{k}" for k in CLIENT_KINDS),
    "mad_rows",
    "trainings",
    "supports",
)
# Hours and MAD hours are decimals; every other amount is a count.
DECIMALS = frozenset({"hours", *(f"mad_{k}" for k in CLIENT_KINDS)})
# MAD shares are rounded to 1e-12 h: sums of such decimals are exact in any order, so a
# cell tallied in one batch or in several holds the very same number.
SHARE_SCALE = Decimal("1e-12")
_HOUR_KIND = sorted(HOUR_COUNTED_KINDS)[0]
UPSERT = """
INSERT INTO {s}.{t} AS t SELECT * FROM json_populate_recordset(NULL::{s}.{t}, CAST(:doc AS json))
ON CONFLICT ({key}) DO UPDATE SET {sums}"""
PRUNE = """
DELETE FROM {s}.{t} AS t USING json_populate_recordset(NULL::{s}.{t}, CAST(:doc AS json)) AS d
 WHERE {match} AND t.n = 0"""

Cells = dict[tuple, dict[str, Decimal]]


def contributions(state: Folded) -> list[tuple[str, dict]]:
    """(month, amounts) a pathway adds, before spreading them over the grains."""
    if state.opened_on is None:
        return []
    items = [(_month(state.opened_on), {"entries": 1})]
    items.append(_exit(state) if state.exit else (OPEN, {"open_now": 1}))
    items += [
        (f"{m}-01", {"hours": _dec(h), "hour_rows": 1}) for m, h in state.hours_by_month.items()
    ]
    for mad in state.mads:
        items += _mad_shares(mad)
    items += [(_month(on), {_ACTIVITY[kind]: 1}) for kind, on in state.activities]
    return items


_ACTIVITY = {"training_completed": "trainings", "support_action": "supports"}


def _exit(state: Folded) -> tuple[str, dict]:
    on, reason = state.exit
    cat, hours = exit_category(reason), float(sum(state.hours_by_month.values()))
    amounts = {"exits": 1, f"exits_{cat}": 1, "exit_days": (on - state.opened_on).days}
    if cat != WITHDRAWN_CATEGORY:
        amounts[f"counted_h_{cat}"] = int(
            is_counted_exit(_HOUR_KIND, state.opened_on, on, cat, hours)
        )
        amounts[f"counted_m_{cat}"] = int(is_counted_exit("", state.opened_on, on, cat, hours))
    return _month(on), amounts


def _mad_shares(mad) -> list[tuple[str, dict]]:
    """A MAD's hours split pro rata by days over the months it covers (ADR 0006)."""
    total, shares, first = (mad.end_on - mad.start_on).days + 1, [], mad.start_on
    while first <= mad.end_on:
        last = min(mad.end_on, first.replace(day=calendar.monthrange(first.year, first.month)[1]))
        share = (_dec(mad.hours) * ((last - first).days + 1) / total).quantize(SHARE_SCALE)
        shares.append((_month(first), {f"mad_{mad.client_kind}": share, "mad_rows": 1}))
        first = last + timedelta(days=1)
    return shares


def by_month(state: Folded) -> dict[str, dict[str, int | Decimal]]:
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


def _attributes(state: Folded) -> tuple:
    return (state.structure_id, state.sex, state.age_band, state.criteria)


def _changes(before: Folded | None, after: Folded | None) -> list[tuple[Folded, dict]]:
    """(state whose cells take them, amounts by month): one difference when the pathway stays
    in the same cells, else all it took away and all it adds."""
    if before and after and _attributes(before) == _attributes(after):
        return [(after, _difference(by_month(after), by_month(before)))]
    found = [(before, _negated(by_month(before)))] if before else []
    return found + ([(after, by_month(after))] if after else [])


def cells(before: dict[str, Folded], after: dict[str, Folded]) -> dict[str, Cells]:
    """Net signed amounts of the given pathways, per grain and cell."""
    found: dict[str, Cells] = {g: defaultdict(lambda: defaultdict(int)) for g in GRAINS}
    for pid in before.keys() | after.keys():
        for state, months in _changes(before.get(pid), after.get(pid)):
            for month, amounts in months.items():
                for grain, key in _cell_keys(state, month):
                    cell = found[grain][key]
                    for name, amount in amounts.items():
                        cell[name] += amount
    return found


def _cell_keys(state: Folded, month: str) -> list[tuple[str, tuple]]:
    s = state.structure_id
    keys = [
        ("tally", (s, month)),
        ("tally_people", (s, month, state.sex or "", state.age_band or "")),
    ]
    return keys + [("tally_criteria", (s, month, c)) for c in state.criteria]


def write(
    conn: Connection, schema: str, before: dict[str, Folded], after: dict[str, Folded]
) -> None:
    """Add what `after` contributes and take away what `before` did; drop emptied cells."""
    net = cells(before, after)
    for grain, columns in GRAINS.items():
        rows = [
            _row(columns, key, amounts)
            for key, amounts in net[grain].items()
            if any(amounts.values())
        ]
        if rows:
            _upsert(conn, schema, grain, columns, rows)


def _row(columns: tuple, key: tuple, amounts: dict) -> dict:
    return {**dict(zip(columns, key, strict=True)), **{m: amounts.get(m, 0) for m in METRICS}}


def _upsert(conn: Connection, schema: str, grain: str, columns: tuple, rows: list[dict]) -> None:
    sums = ", ".join(f"{m} = t.{m} + excluded.{m}" for m in METRICS)
    doc = {"doc": orjson.dumps(rows, default=str).decode()}
    conn.execute(text(UPSERT.format(s=schema, t=grain, key=", ".join(columns), sums=sums)), doc)
    emptied = any(r["n"] < 0 for r in rows)
    if emptied:
        match = " AND ".join(f"t.{c} = d.{c}" for c in columns)
        conn.execute(text(PRUNE.format(s=schema, t=grain, match=match)), doc)
    rollups.add(conn, schema, grain, doc, emptied)


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}-01"


def _dec(value: float) -> Decimal:
    """The decimal a float is written as (its shortest repr): exact, as in the JSON rows."""
    return Decimal(repr(float(value)))
