"""The layout of the tally and rollup tables: their grains, keys and metrics, and whether the
rollups are up to date with the reference data. Written by `tallies.py` and `rollups.py`, read by
`services/reporting/reports/tallied.py`: the one description both sides share."""

from __future__ import annotations

from sqlalchemy import Connection, text

from shared.domain import codes

CATEGORIES = tuple(codes.EXIT_CATEGORIES)
CLIENT_KINDS = tuple(codes.CLIENT_KINDS)
# The month of pathways still open, after every real one: `open_now` lives only there (active
# = open now + exits from the window's start − entries after its end). Not 'infinity', which
# Python's date cannot hold.
OPEN = "9999-12-01"
GRAINS = {
    "tally": ("structure_id", "month"),
    "tally_people": ("structure_id", "month", "sex", "age_band"),
    "tally_criteria": ("structure_id", "month", "criterion"),
    # The pathway's measure as it names it at opening ('' for its kind's default, resolved
    # when read, as `measure_hours` has it): the outcome report by measure and by annexe
    # (which annexe holds a month is reference data, joined when read, never stored here).
    "tally_measures": ("structure_id", "month", "measure"),
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

# Each tally grain's rollup and the structure attributes replacing the structure in its key
# (almost every structure has one measure: `tally_measures` has no rollup).
OF = {
    "tally": "tally_kind_department",
    "tally_people": "tally_kind_people",
    "tally_criteria": "tally_kind_criteria",
}
BY = {
    "tally": ("kind", "department", "region"),
    "tally_people": ("kind",),
    "tally_criteria": ("kind",),
}
ATTRIBUTES = "tally_structures"
RECORDED = ("kind", "department", "region")
TABLES = (*OF.values(), ATTRIBUTES)
# '' when the reference data does not know the structure yet (a key column cannot be NULL).
CURRENT = ", ".join(f"coalesce(s.{a}, '') AS {a}" for a in RECORDED)
# The structures whose sums lie under other attributes than the reference data's today.
STALE = f"""
SELECT k.structure_id, {", ".join(f"k.{a} AS old_{a}" for a in RECORDED)}, {CURRENT}
  FROM {{s}}.{ATTRIBUTES} k LEFT JOIN reference_data.structures s ON s.id = k.structure_id
 WHERE ({", ".join(f"k.{a}" for a in RECORDED)})
       <> ({", ".join(f"coalesce(s.{a}, '')" for a in RECORDED)})"""


def keys(grain: str) -> tuple[str, ...]:
    """The rollup's key columns: the tally's, with structure attributes for the structure."""
    return (*BY[grain], *GRAINS[grain][1:])


def fresh(conn: Connection, schema: str = "outcomes") -> bool:
    """Whether every structure's sums lie under its current attributes (the rollups answer)."""
    return conn.execute(text(f"SELECT NOT EXISTS ({STALE.format(s=schema)})")).scalar_one()
