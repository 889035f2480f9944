from datetime import date

import pytest

from shared.domain.outcomes import etp, exit_category, is_counted_exit, is_dynamic, pathway_months

OPENED = date(2025, 1, 31)


def test_each_exit_reason_belongs_to_its_category():
    assert exit_category("cdi_inclusion") == "emploi_durable"
    assert exit_category("contrat_aide") == "emploi_transition"
    assert exit_category("autre_siae") == "sortie_positive"
    assert exit_category("chomage") == "autre_sortie"
    assert exit_category("deces") == "retrait"


def test_only_the_first_three_categories_are_dynamic():
    assert is_dynamic("sortie_positive")
    assert not is_dynamic("autre_sortie")
    assert not is_dynamic("retrait")


def test_a_withdrawn_exit_is_never_counted():
    assert not is_counted_exit("ACI", OPENED, date(2026, 1, 1), "retrait", 0)
    assert not is_counted_exit("AI", OPENED, date(2026, 1, 1), "retrait", 1000)


@pytest.mark.parametrize("kind", ["ACI", "EI", "EITI", "OSP"])
def test_a_duration_kind_counts_an_exit_later_than_three_calendar_months(kind):
    assert not is_counted_exit(kind, OPENED, date(2025, 4, 30), "chomage", 0)
    assert is_counted_exit(kind, OPENED, date(2025, 5, 1), "chomage", 0)


@pytest.mark.parametrize("kind", ["AI", "ETTI", "ETT_ESS"])
def test_an_hours_kind_counts_an_exit_after_more_than_150_hours(kind):
    assert not is_counted_exit(kind, OPENED, date(2027, 1, 1), "cdi", 150)
    assert is_counted_exit(kind, OPENED, date(2025, 2, 1), "cdi", 150.5)


def test_pathway_months_divides_days_by_30_4375():
    assert pathway_months(date(2025, 1, 1), date(2026, 1, 1)) == pytest.approx(365 / 30.4375)


def test_etp_relates_hours_to_1820_hours_a_year():
    assert etp(1820, 365) == pytest.approx(365.25 / 365)
    assert etp(151.67, 0) == 0.0
