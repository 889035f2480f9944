"""The follow-up calendar after the exit (docs/domain.md §8): pure, no I/O."""

from datetime import date

import pytest

from shared.domain.post_exit import (
    awaited,
    due_on,
    in_employment,
    recording_problem,
    situation_category,
)

EXIT = date(2026, 1, 31)


def test_a_follow_up_is_due_that_many_calendar_months_after_the_exit():
    assert [due_on(EXIT, m) for m in (1, 3, 6)] == [
        date(2026, 2, 28),
        date(2026, 4, 30),
        date(2026, 7, 31),
    ]


@pytest.mark.parametrize(
    ("situation", "category", "employed"),
    [
        ("cdi", "emploi_durable", True),
        ("cdd_moins_6_mois", "emploi_transition", True),
        ("formation_qualifiante", "sortie_positive", False),
        ("chomage", "autre_sortie", False),
        ("inconnu", None, False),
    ],
)
def test_employment_is_a_durable_or_transition_situation(situation, category, employed):
    assert situation_category(situation) == category
    assert in_employment(situation) is employed


def test_follow_ups_are_awaited_from_30_days_before_they_are_due_until_7_months_after():
    assert awaited(EXIT, "chomage", False, set(), date(2026, 1, 28)) == ()
    assert awaited(EXIT, "chomage", False, set(), date(2026, 1, 29)) == (1,)
    assert awaited(EXIT, "chomage", False, {1}, date(2026, 4, 1)) == (3,)
    assert awaited(EXIT, "chomage", False, set(), date(2026, 7, 1)) == (1, 3, 6)
    assert awaited(EXIT, "chomage", False, set(), date(2026, 8, 31)) == (1, 3, 6)
    assert awaited(EXIT, "chomage", False, set(), date(2026, 9, 1)) == ()


def test_neither_a_death_nor_a_transfer_is_followed_up():
    assert awaited(EXIT, "deces", False, set(), date(2026, 3, 1)) == ()
    assert awaited(EXIT, "autre_siae", True, set(), date(2026, 3, 1)) == ()


def test_a_situation_needs_an_exit_and_a_date_from_it_on():
    assert recording_problem(None, EXIT) is not None
    assert recording_problem(EXIT, date(2026, 1, 30)) == "Must not be before the exit (2026-01-31)."
    assert recording_problem(EXIT, EXIT) is None
