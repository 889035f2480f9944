"""A rebuild derives pathways in ranges of ids, one process each: the ranges cover every id
once (without I/O; tests/reporting/test_replay.py compares the tables with catch-up's)."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from services.reporting.projections.outcomes_bulk import FIRST, LAST, id_ranges


@given(st.integers(min_value=1, max_value=8), st.uuids())
def test_every_pathway_id_falls_in_exactly_one_range(count, pathway_id):
    ranges = id_ranges(count)
    holding = [r for r in ranges if uuid.UUID(r[0]) < pathway_id <= uuid.UUID(r[1])]
    assert len(ranges) == count
    assert len(holding) == 1 or pathway_id == uuid.UUID(FIRST)


def test_ranges_follow_each_other_from_the_first_id_to_the_last():
    ranges = id_ranges(3)
    assert ranges[0][0] == FIRST and ranges[-1][1] == LAST
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:], strict=False))
    assert ranges[1][0] == "55555555-5555-5555-5555-555555555554"
