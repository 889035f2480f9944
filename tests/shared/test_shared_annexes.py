"""Annexes financières (docs/domain.md §6b): counting states, numbers, overlaps, funded ETP."""

from __future__ import annotations

from datetime import date

import pytest

from shared.domain.annexes import (
    COUNTING_STATES,
    STATES,
    Amendment,
    Annex,
    clashes,
    counts,
    default_reference_hours,
    funded_etp_on,
    is_valid_etp,
    is_valid_number,
    is_valid_reference_hours,
    measure_error,
    normalize_number,
)
from shared.domain.measures import MEASURES


def annex(state="VALIDE", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31), **kw) -> Annex:
    values = {"number": "ACI035260001A0M0", "measure": "ACI_DC", "etp_conventioned": 10.0, **kw}
    return Annex(state=state, starts_on=starts_on, ends_on=ends_on, **values)


def test_only_provisional_valid_and_closed_annexes_count():
    assert {"PROVISOIRE", "VALIDE", "CLOTURE"} == COUNTING_STATES
    assert {s for s in STATES if counts(s)} == COUNTING_STATES
    assert not counts("BROUILLON") and not counts("ANNULE")
    assert all(label and label[0].isupper() for label in STATES.values())


@pytest.mark.parametrize("number", ["ACI051170013A0M1", "aci 0511 7001 3a0m1", "AI03526001"])
def test_asp_numbers_are_accepted_loosely(number):
    assert is_valid_number(number)


@pytest.mark.parametrize("number", ["ACI-0511", "ACI05", "A" * 31, "ACI05117001é", ""])
def test_numbers_with_other_characters_or_lengths_are_refused(number):
    assert not is_valid_number(number)


def test_a_number_is_stored_without_spaces_in_capitals():
    assert normalize_number(" aci 051170013a0m1 ") == "ACI051170013A0M1"


def test_a_measure_must_exist_and_be_of_the_structure_s_kind():
    assert measure_error("ACI_DC", "ACI") is None
    assert measure_error("ACI_MP", "ACI") is None
    assert "EI_DC" in (measure_error("ACI_DC", "EI") or "")
    assert "inconnue" in (measure_error("XYZ_DC", "ACI") or "")
    assert "aucune" in (measure_error("ACI_DC", "OSP") or "")


def test_reference_hours_default_to_the_measure_s():
    assert default_reference_hours("ETTI_DC") == MEASURES["ETTI_DC"].reference_hours


@pytest.mark.parametrize(("hours", "ok"), [(1820, True), (1607, True), (0, False), (2497, False)])
def test_reference_hours_are_positive_and_at_most_48_hours_a_week(hours, ok):
    assert is_valid_reference_hours(hours) is ok


@pytest.mark.parametrize(("etp", "ok"), [(0.5, True), (0, False), (-1, False), (10_001, False)])
def test_funded_etp_is_positive(etp, ok):
    assert is_valid_etp(etp) is ok


def test_counting_annexes_of_one_measure_clash_when_they_share_a_day():
    first = annex()
    touching = annex(number="B2", starts_on=date(2026, 12, 31), ends_on=date(2027, 12, 31))
    after = annex(number="B3", starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31))
    assert clashes(touching, [first]) == [first]
    assert clashes(after, [first]) == []


def test_drafts_other_measures_and_cancelled_annexes_never_clash():
    first = annex()
    assert clashes(annex(number="B", state="BROUILLON"), [first]) == []
    assert clashes(annex(number="B"), [annex(state="ANNULE")]) == []
    assert clashes(annex(number="B", measure="ACI_MP"), [first]) == []


def test_funded_etp_follows_the_amendments_from_their_date():
    af = annex(etp_conventioned=10.0)
    amendments = [
        Amendment("ACI035260001A2M0", date(2026, 9, 1), 8.0),
        Amendment("ACI035260001A1M0", date(2026, 4, 1), 12.5),
    ]
    assert funded_etp_on(af, amendments, date(2026, 3, 31)) == 10.0
    assert funded_etp_on(af, amendments, date(2026, 4, 1)) == 12.5
    assert funded_etp_on(af, amendments, date(2026, 8, 31)) == 12.5
    assert funded_etp_on(af, amendments, date(2026, 12, 31)) == 8.0


def test_of_two_amendments_on_one_date_the_last_given_wins():
    af = annex()
    same_day = [Amendment("A1", date(2026, 6, 1), 11.0), Amendment("A2", date(2026, 6, 1), 9.0)]
    assert funded_etp_on(af, same_day, date(2026, 7, 1)) == 9.0


def test_nothing_is_funded_outside_the_validity_or_when_the_annex_does_not_count():
    af = annex()
    assert funded_etp_on(af, [], date(2025, 12, 31)) == 0.0
    assert funded_etp_on(af, [], date(2027, 1, 1)) == 0.0
    assert funded_etp_on(annex(state="BROUILLON"), [], date(2026, 6, 1)) == 0.0
    assert funded_etp_on(af, [], date(2026, 6, 1)) == 10.0
