"""Cumulated legal limits over date periods (24 months: the pathway's CDDI in total, L5132-15-1;
each ETTI mission contract with its renewals, L5132-6), shared by the pathways' warnings and
reporting's alerts so both read the law alike."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

Period = tuple[date, date]
SHORTEST_MONTH_DAYS = 28
MONTHS_IN_YEAR = 12
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def plus_months(day: date, months: int) -> date:
    """`day` moved by `months` calendar months (back when negative): the same day of the month,
    or the last day of a shorter one (31 January + 1 month = 28 or 29 February), as dateutil's
    `relativedelta(months=…)` counts, at a fraction of its cost (every pathway's alerts and
    limits compute several, in each catch-up and rebuild)."""
    year, month = divmod(day.year * MONTHS_IN_YEAR + day.month - 1 + months, MONTHS_IN_YEAR)
    last = _MONTH_DAYS[month]
    if month == 1 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        last = 29
    return day.replace(year=year, month=month + 1, day=min(day.day, last))


def limit_passed_on(periods: Iterable[Period], months: int) -> date | None:
    """Last day within a cumulated limit of months, when the periods go beyond it; else None.

    Overlapping periods count once; the budget is the length of `months` calendar months from
    the first start, so a single contract of exactly 24 months stays within 24 months.
    """
    merged = merge(periods)
    if sum((end - start).days + 1 for start, end in merged) <= months * SHORTEST_MONTH_DAYS:
        return None  # within even the shortest run of `months` calendar months
    first = merged[0][0]
    remaining = (plus_months(first, months) - first).days
    last_within = first - timedelta(1)
    for start, end in merged:
        days = (end - start).days + 1
        if days > remaining:
            return start + timedelta(days=remaining - 1) if remaining else last_within
        remaining -= days
        last_within = end
    return None


def merge(periods: Iterable[Period]) -> list[Period]:
    """Sorted periods with overlapping or adjacent ones merged."""
    merged: list[Period] = []
    for start, end in sorted(periods):
        if merged and start <= merged[-1][1] + timedelta(1):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
