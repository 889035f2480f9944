"""Calendar months as the law counts them (pure, no I/O): moving a date by whole months keeps its
day of the month, or the last day of a shorter month, exactly as dateutil's relativedelta."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.periods import plus_months

DAYS = st.dates(min_value=date(1901, 1, 1), max_value=date(2199, 12, 31))


@given(DAYS, st.integers(min_value=-600, max_value=600))
def test_plus_months_counts_as_relativedelta(day, months):
    assert plus_months(day, months) == day + relativedelta(months=months)


def test_a_month_after_the_31st_is_the_last_day_of_a_shorter_month():
    assert plus_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert plus_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert plus_months(date(2100, 3, 31), -1) == date(2100, 2, 28)
    assert plus_months(date(2000, 3, 31), -1) == date(2000, 2, 29)
    assert plus_months(date(2026, 12, 15), 1) == date(2027, 1, 15)
    assert plus_months(date(2026, 1, 15), -1) == date(2025, 12, 15)
