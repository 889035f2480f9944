"""The dashboard's pure rules: periods, scope of the filters, French formatting (no I/O)."""

from __future__ import annotations

from datetime import date

import pytest

from services.reporting.dashboard.format import (
    count,
    decimal,
    long_date,
    month_label,
    rate,
    row_label,
)
from services.reporting.dashboard.query import (
    InvalidChoice,
    Selection,
    in_region,
    parse_period,
    report_params,
    scoped_filters,
    selection,
)
from shared.auth import Caller

TODAY = date(2026, 11, 26)
MINE = "6f1c2b9e-3a4d-4e5f-8a7b-9c0d1e2f3a4b"
OTHER = "0a1b2c3d-4e5f-4a7b-8c9d-0e1f2a3b4c5d"
GROUP = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a"
STRUCTURE = Caller("structure", structure_id=MINE)
NETWORK = Caller("network")


def test_the_default_period_is_the_current_year_up_to_today():
    period = parse_period({}, TODAY)
    assert (period.start, period.end) == (date(2026, 1, 1), TODAY)


def test_a_past_year_ends_on_the_thirty_first_of_december():
    period = parse_period({"period": "year", "year": "2024"}, TODAY)
    assert (period.start, period.end) == (date(2024, 1, 1), date(2024, 12, 31))


def test_a_quarter_covers_its_three_months():
    period = parse_period({"period": "quarter", "year": "2025", "quarter": "4"}, TODAY)
    assert (period.start, period.end) == (date(2025, 10, 1), date(2025, 12, 31))


def test_february_of_a_leap_year_ends_on_the_twenty_ninth():
    period = parse_period({"period": "month", "year": "2024", "month": "2"}, TODAY)
    assert period.end == date(2024, 2, 29)


def test_a_custom_period_keeps_its_dates():
    period = parse_period({"period": "custom", "from": "2026-02-03", "to": "2026-05-06"}, TODAY)
    assert (period.start, period.end) == (date(2026, 2, 3), date(2026, 5, 6))


def test_a_custom_period_ending_before_it_starts_is_refused():
    with pytest.raises(InvalidChoice, match="précède"):
        parse_period({"period": "custom", "from": "2026-05-06", "to": "2026-02-03"}, TODAY)


def test_a_malformed_date_is_explained_in_french():
    with pytest.raises(InvalidChoice, match="AAAA-MM-JJ"):
        parse_period({"period": "custom", "from": "06/05/2026", "to": "2026-05-07"}, TODAY)


def test_a_period_starting_after_today_is_refused():
    with pytest.raises(InvalidChoice, match="après aujourd'hui"):
        parse_period({"period": "month", "year": "2026", "month": "12"}, TODAY)


def test_a_year_out_of_the_picker_is_refused():
    with pytest.raises(InvalidChoice, match="Année"):
        parse_period({"period": "year", "year": "1999"}, TODAY)


def test_a_structure_is_always_narrowed_to_itself():
    filters, _ = scoped_filters({"kind": "EI", "department": "75"}, STRUCTURE)
    assert filters == {"structure_id": MINE}


def test_a_structure_asking_for_another_structure_is_forbidden():
    with pytest.raises(InvalidChoice) as refused:
        scoped_filters({"structure_id": OTHER}, STRUCTURE)
    assert refused.value.status == 403


def test_a_group_asking_for_another_group_is_forbidden():
    with pytest.raises(InvalidChoice) as refused:
        scoped_filters({"group_id": OTHER}, Caller("group", group_id=GROUP))
    assert refused.value.status == 403


def test_a_group_is_always_narrowed_to_its_own_group():
    filters, _ = scoped_filters({"kind": "ACI"}, Caller("group", group_id=GROUP))
    assert filters == {"kind": "ACI", "group_id": GROUP}


def test_an_unknown_kind_is_refused():
    with pytest.raises(InvalidChoice, match="Type de structure"):
        scoped_filters({"kind": "XYZ"}, NETWORK)


def test_a_department_outside_the_chosen_region_is_refused():
    with pytest.raises(InvalidChoice, match="région"):
        scoped_filters({"region": "53", "department": "75"}, NETWORK)


def test_a_department_inside_the_chosen_region_replaces_it():
    filters, region = scoped_filters({"region": "53", "department": "35"}, NETWORK)
    assert (filters, region) == ({"department": "35"}, None)


def test_a_region_becomes_the_first_dimension_of_the_report_query():
    chosen = Selection(parse_period({}, TODAY), {}, "53", "structure")
    assert report_params(chosen, ("structure",))["group_by"] == "region,structure"


def test_only_the_rows_of_the_chosen_region_are_kept():
    rows = [{"key": {"region": "53", "structure": MINE}}, {"key": {"region": "11"}}]
    assert [r for r in rows if in_region(r, "53")] == rows[:1]


def test_a_structure_cannot_break_its_page_down_by_structure():
    with pytest.raises(InvalidChoice, match="ventilation"):
        selection({"by": "structure"}, STRUCTURE, TODAY)


def test_counts_use_a_narrow_space_between_thousands():
    assert count(12345) == "12\u202f345"


def test_rates_use_a_decimal_comma_and_a_spaced_percent_sign():
    assert rate(0.573).replace("\u00a0", " ").replace("\u202f", " ") == "57,3 %"


def test_a_suppressed_cell_reads_less_than_five_never_zero():
    assert (count(0, True), rate(None, True), decimal(3.2, True)) == ("< 5", "< 5", "< 5")


def test_a_missing_rate_reads_as_a_dash():
    assert rate(None) == "—"


def test_the_first_of_a_month_is_written_as_an_ordinal():
    assert long_date(date(2026, 1, 1)) == "1er janvier 2026"


def test_a_month_is_written_in_french():
    assert month_label("2026-03") == "mars 2026"


def test_a_row_without_a_label_shows_the_official_label_of_its_code():
    assert row_label({"key": {"kind": "ACI"}, "label": {}}, "kind", {}) == (
        "Atelier et chantier d'insertion"
    )
