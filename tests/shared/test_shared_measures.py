"""Measures and ETP as the State computes them (docs/domain.md §6): pure, no I/O."""

from __future__ import annotations

from datetime import date

import pytest

from shared.domain.codes import CONVENTIONED_KINDS, STRUCTURE_KINDS
from shared.domain.measures import (
    MEASURES,
    USUAL_REFERENCE_HOURS,
    calendar_months,
    default_measure,
    monthly_etp,
    period_etp,
    reference_hours,
)


def test_a_month_of_full_time_hours_is_one_etp():
    assert monthly_etp(1820 / 12, 1820) == pytest.approx(1.0)
    assert monthly_etp(1607 / 12, 1607) == pytest.approx(1.0)


def test_a_period_averages_its_calendar_months_without_proration_by_days():
    # Two months, one full-time and one idle: half an ETP, whatever the months' lengths.
    assert period_etp([(151.67, 1820), (0, 1820)], 2) == pytest.approx(0.5, abs=1e-4)
    # A year of 1,820 hours is one ETP (it was 365.25/365 of one when prorated by days).
    assert period_etp([(1820, 1820)], 12) == pytest.approx(1.0)
    assert period_etp([(100, 1820)], 0) == 0.0


def test_each_month_uses_its_own_reference():
    assert period_etp([(1820 / 12, 1820), (1607 / 12, 1607)], 2) == pytest.approx(1.0)


def test_calendar_months_counts_months_touched_even_in_part():
    assert calendar_months(date(2025, 1, 1), date(2025, 12, 31)) == 12
    assert calendar_months(date(2025, 1, 31), date(2025, 2, 1)) == 2
    assert calendar_months(date(2024, 12, 15), date(2025, 1, 15)) == 2
    assert calendar_months(date(2025, 3, 1), date(2025, 2, 28)) == 0


def test_every_conventioned_kind_has_a_common_law_measure_of_its_kind():
    for kind in CONVENTIONED_KINDS:
        measure = default_measure(kind)
        assert measure is not None and measure.kind == kind and measure.counts_in_etp
    assert default_measure("ETT_ESS") is None and default_measure("OSP") is None
    assert reference_hours("OSP") == USUAL_REFERENCE_HOURS
    assert all(m.kind in STRUCTURE_KINDS for m in MEASURES.values())


def test_departmental_funds_never_count_in_etp():
    assert {c for c, m in MEASURES.items() if not m.counts_in_etp} == {
        "FDI_ACI",
        "FDI_EI",
        "FDI_AI",
        "FDI_ETTI",
        "FDI_EITI",
    }


def test_reports_may_use_the_usual_reference_while_every_default_measure_has_it():
    # Report rows are not split by measure: a default measure with another reference would need
    # its hours apart (services/reporting/reports/outcomes.metrics_of).
    assert {reference_hours(k) for k in STRUCTURE_KINDS} == {USUAL_REFERENCE_HOURS}
