"""Which cells a report hides outside the owning structure (docs/domain.md §10): primary
suppression below MIN_CELL, then complementary suppression so that no hidden cell is a readable
sum minus the visible cells of its breakdown."""

import random

from hypothesis import given
from hypothesis import strategies as st

from shared.domain.disclosure import SENSITIVE_DIMENSIONS, Hidden, hidden_cells
from shared.domain.limits import MIN_CELL


def test_a_breakdown_by_a_public_dimension_hides_nothing():
    assert hidden_cells({("s1",): 1, ("s2",): 40}, ["structure"]) == Hidden(frozenset())
    assert hidden_cells({("2025-01", "s1"): 0}, ["month", "structure"]) == Hidden(frozenset())


def test_cells_of_at_least_five_stay_visible():
    counts = {("F",): MIN_CELL, ("M",): 12}
    assert hidden_cells(counts, ["sex"]) == Hidden(frozenset())


def test_one_hidden_cell_hides_the_smallest_other_one_too():
    counts = {("under_26",): 3, ("26_49",): 12, ("50_plus",): 8}
    assert hidden_cells(counts, ["age_band"]) == Hidden(
        frozenset({("under_26",), ("50_plus",)}), total=False
    )


def test_two_hidden_cells_hide_nothing_more():
    counts = {("under_26",): 2, ("26_49",): 12, ("50_plus",): 4}
    assert hidden_cells(counts, ["age_band"]) == Hidden(frozenset({("under_26",), ("50_plus",)}))


def test_a_single_hidden_cell_hides_the_total():
    assert hidden_cells({("F",): 3}, ["sex"]) == Hidden(frozenset({("F",)}), total=True)


def test_a_single_visible_cell_hides_nothing():
    assert hidden_cells({("F",): 7}, ["sex"]) == Hidden(frozenset())


def test_criteria_get_the_same_protection_though_they_overlap():
    counts = {("RSA",): 9, ("TH",): 2, ("QPV",): 30}
    assert hidden_cells(counts, ["criterion"]).cells == {("TH",), ("RSA",)}


def test_a_tie_hides_the_smaller_key_whatever_the_order_of_the_rows():
    rows = [(("F",), 3), (("M",), 7), (("X",), 7)]
    for _ in range(20):
        random.shuffle(rows)
        assert hidden_cells(dict(rows), ["sex"]).cells == {("F",), ("M",)}


def test_two_dimensions_protect_the_cells_sharing_either_value():
    # A network reading structures by sex: each structure's cells add up to its row of the
    # report by structure, each sex's cells to its row of the report by sex.
    counts = {
        ("s1", "F"): 3,
        ("s1", "M"): 10,
        ("s2", "F"): 8,
        ("s2", "M"): 20,
        ("s3", "F"): 60,
        ("s3", "M"): 70,
    }
    found = hidden_cells(counts, ["structure", "sex"])
    # s1/F alone below 5; s1/M hides with it (s1's row), s2/F with it (the women), then s2/M,
    # left alone among the men and in s2's row. s3 stays visible.
    assert found == Hidden(
        frozenset({("s1", "F"), ("s1", "M"), ("s2", "F"), ("s2", "M")}), total=False
    )


def test_hiding_a_second_cell_repeats_until_no_breakdown_has_a_single_hidden_cell():
    counts = {
        ("2025-01", "under_26"): 2,
        ("2025-01", "26_49"): 20,
        ("2025-01", "50_plus"): 9,
        ("2025-02", "under_26"): 3,
        ("2025-02", "26_49"): 8,
        ("2025-02", "50_plus"): 12,
        ("2025-03", "under_26"): 15,
        ("2025-03", "26_49"): 25,
        ("2025-03", "50_plus"): 30,
    }
    # The under-26 of January and February hide together (their band); each month then has a
    # single hidden cell: January hides its 50 and over (9), February its 26-49 (8). That leaves
    # one hidden cell in the 50 and over band and one in the 26-49 band, which hide February's
    # 50 and over and January's 26-49 in turn (smaller than March's): a second round.
    january_and_february = {k for k in counts if k[0] != "2025-03"}
    assert hidden_cells(counts, ["month", "age_band"]) == Hidden(frozenset(january_and_february))


def test_a_breakdown_of_one_cell_in_two_dimensions_leaves_the_total_alone():
    counts = {("s1", "F"): 3, ("s2", "F"): 10, ("s2", "M"): 12}
    found = hidden_cells(counts, ["structure", "sex"])
    assert found == Hidden(frozenset(counts), total=False)


def test_a_none_value_sorts_like_any_other():
    counts = {(None, "F"): 2, (None, "M"): 9, ("a1", "F"): 30, ("a1", "M"): 40}
    assert hidden_cells(counts, ["annex", "sex"]).cells == set(counts)


def _breakdowns(keys, width):
    if width == 1:
        return [list(keys)]
    found: dict = {}
    for key in keys:
        for axis in range(width):
            shared = tuple(v for i, v in enumerate(key) if i != axis)
            found.setdefault((axis, shared), []).append(key)
    return list(found.values())


DIMS = st.sampled_from(
    [["sex"], ["age_band"], ["criterion"], ["structure", "sex"], ["sex", "age_band"]]
)


@given(DIMS, st.data())
def test_no_hidden_cell_is_ever_alone_in_a_breakdown_of_several(dims, data):
    values = [["a", "b", "c", "d"][: data.draw(st.integers(1, 4))] for _ in dims]
    keys = data.draw(
        st.lists(st.tuples(*(st.sampled_from(v) for v in values)), min_size=1, unique=True)
    )
    counts = {k: data.draw(st.integers(0, 12)) for k in keys}
    found = hidden_cells(counts, dims)
    assert {k for k, n in counts.items() if n < MIN_CELL} <= found.cells <= set(counts)
    for cells in _breakdowns(keys, len(dims)):
        alone = sum(k in found.cells for k in cells) == 1
        assert not alone or len(cells) == 1
        if len(dims) == 1:
            assert found.total == (alone and len(cells) == 1)
    shuffled = list(counts.items())
    random.Random(0).shuffle(shuffled)
    assert hidden_cells(dict(shuffled), dims) == found
    assert SENSITIVE_DIMENSIONS & set(dims)
