from datetime import date, timedelta

import pytest

from shared.domain.outcomes import (
    EVERY_BASIS,
    HOURS_BASIS,
    MONTHS_BASIS,
    counting_basis,
    exit_category,
    is_counted_exit,
    is_dynamic,
    pathway_months,
    stayed_counted_months,
)

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
    for kind in ("ACI", "AI", "EITI"):
        assert not is_counted_exit(kind, OPENED, date(2026, 1, 1), "retrait", 1000)


# The State's rule (docs/domain.md §8): before it, months ran from the opening ("later than 3
# calendar months") and hours had to exceed 150; EITI counted like ACI.
@pytest.mark.parametrize("kind", ["ACI", "EI", "OSP"])
def test_a_duration_kind_counts_an_exit_3_months_of_365_12_days_after_the_first_hire(kind):
    # 3 × 365/12 = 91.25 days: day 91 is short of it, day 92 reaches it.
    assert not is_counted_exit(kind, OPENED, OPENED + timedelta(days=91), "chomage", 10)
    assert is_counted_exit(kind, OPENED, OPENED + timedelta(days=92), "chomage", 10)


def test_months_run_from_the_first_hire_not_from_the_opening():
    # Opened in January, hired on 1 April, left on 30 June: 90 days after the hire.
    assert not is_counted_exit("ACI", date(2025, 4, 1), date(2025, 6, 30), "cdi", 300)
    assert stayed_counted_months(date(2025, 4, 1), date(2025, 7, 2))


def test_a_duration_kind_needs_a_contract_and_some_hours_declared():
    assert not is_counted_exit("ACI", OPENED, date(2026, 1, 1), "cdi", 0)
    assert not is_counted_exit("EI", None, date(2026, 1, 1), "cdi", 0)


@pytest.mark.parametrize("kind", ["AI", "ETTI", "ETT_ESS"])
def test_an_hours_kind_counts_an_exit_from_150_hours(kind):
    assert not is_counted_exit(kind, OPENED, date(2027, 1, 1), "cdi", 149.5)
    assert is_counted_exit(kind, OPENED, date(2025, 2, 1), "cdi", 150)


def test_an_eiti_counts_every_exit_not_withdrawn():
    assert is_counted_exit("EITI", OPENED, OPENED + timedelta(weeks=5), "chomage", 0)
    assert is_counted_exit("EITI", None, OPENED, "cdi", 0)


def test_each_kind_has_one_counting_basis():
    assert {
        k: counting_basis(k) for k in ("AI", "ETTI", "ETT_ESS", "EITI", "ACI", "EI", "OSP")
    } == {
        "AI": HOURS_BASIS,
        "ETTI": HOURS_BASIS,
        "ETT_ESS": HOURS_BASIS,
        "EITI": EVERY_BASIS,
        "ACI": MONTHS_BASIS,
        "EI": MONTHS_BASIS,
        "OSP": MONTHS_BASIS,
    }


def test_pathway_months_divides_days_by_30_4375():
    assert pathway_months(date(2025, 1, 1), date(2026, 1, 1)) == pytest.approx(365 / 30.4375)
