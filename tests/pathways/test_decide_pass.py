from datetime import date

import pytest
from pathway_builders import (
    context,
    errors_of,
    opened,
    pass_data,
    pass_prolonged,
    pass_suspended,
    pathway,
    person,
    training_started,
)

from services.pathways.decide.pathway import PathwayState, fold

# Default PASS: 2025-01-06 to 2027-01-05.


def without_pass() -> PathwayState:
    opening = opened()
    del opening.data["pass_iae"]
    return fold([opening])


def test_a_suspension_within_the_pass_dates_is_accepted():
    assert errors_of(pathway(), pass_suspended(date(2025, 5, 1), date(2025, 7, 31))) == {}


def test_a_suspension_needs_a_pass():
    errors = errors_of(without_pass(), pass_suspended(date(2025, 5, 1), date(2025, 7, 31)))
    assert errors == {"events.0.type": ["The pathway has no PASS IAE."]}


def test_a_suspension_starting_before_the_pass_is_refused():
    state = pathway(opening=opened(pass_iae=pass_data(date(2025, 2, 1), date(2027, 1, 31))))
    errors = errors_of(state, pass_suspended(date(2025, 1, 20), date(2025, 3, 1)))
    assert list(errors) == ["events.0.data.start_on"]


def test_a_suspension_starting_after_the_pass_end_is_refused():
    state = pathway(opening=opened(pass_iae=pass_data(date(2025, 1, 6), date(2025, 3, 1))))
    errors = errors_of(state, pass_suspended(date(2025, 3, 2), date(2025, 4, 1)))
    assert list(errors) == ["events.0.data.start_on"]


def test_suspensions_may_not_overlap():
    first = pass_suspended(date(2025, 5, 1), date(2025, 7, 31))
    errors = errors_of(pathway(first), pass_suspended(date(2025, 7, 31), date(2025, 8, 31)))
    assert errors == {
        "events.0.data.start_on": ["Overlaps the suspension of 2025-05-01 to 2025-07-31."]
    }


def test_adjacent_suspensions_are_accepted():
    first = pass_suspended(date(2025, 5, 1), date(2025, 7, 31))
    assert errors_of(pathway(first), pass_suspended(date(2025, 8, 1), date(2025, 8, 31))) == {}


def test_a_suspension_longer_than_36_months_is_refused():
    errors = errors_of(pathway(), pass_suspended(date(2025, 5, 1), date(2028, 5, 2)))
    assert list(errors) == ["events.0.data.end_on"]


@pytest.mark.parametrize("kind", ["EI", "ACI"])
def test_a_contrat_passerelle_suspension_is_open_to_ei_and_aci(kind):
    event_ = pass_suspended(date(2025, 5, 1), date(2025, 7, 31), "CONTRAT_PASSERELLE")
    assert errors_of(pathway(), event_, ctx=context(kind=kind)) == {}


@pytest.mark.parametrize("kind", ["AI", "ETTI", "EITI"])
def test_a_contrat_passerelle_suspension_is_refused_elsewhere(kind):
    event_ = pass_suspended(date(2025, 5, 1), date(2025, 7, 31), "CONTRAT_PASSERELLE")
    errors = errors_of(pathway(), event_, ctx=context(kind=kind))
    assert list(errors) == ["events.0.data.reason"]


def test_a_suspension_must_be_dated_by_its_start():
    event_ = pass_suspended(date(2025, 5, 1), date(2025, 7, 31))
    moved = type(event_)(event_.id, event_.type, date(2025, 5, 2), event_.data)
    assert list(errors_of(pathway(), moved)) == ["events.0.occurred_on"]


def test_a_prolongation_of_twelve_months_is_accepted():
    assert errors_of(pathway(), pass_prolonged(date(2026, 6, 1), date(2028, 1, 5))) == {}


def test_a_prolongation_needs_a_pass():
    errors = errors_of(without_pass(), pass_prolonged(date(2026, 6, 1), date(2028, 1, 5)))
    assert list(errors) == ["events.0.type"]


def test_a_prolongation_must_push_the_end_back():
    errors = errors_of(pathway(), pass_prolonged(date(2026, 6, 1), date(2027, 1, 5)))
    assert errors == {
        "events.0.data.end_on": ["Must be after the current end of the PASS IAE (2027-01-05)."]
    }


def test_a_prolongation_declared_more_than_12_months_before_the_end_is_refused():
    errors = errors_of(pathway(), pass_prolonged(date(2026, 1, 4), date(2027, 6, 1)))
    assert list(errors) == ["events.0.occurred_on"]


def test_a_prolongation_declared_more_than_6_months_after_the_end_is_refused():
    state = pathway(opening=opened(pass_iae=pass_data(date(2025, 1, 6), date(2025, 6, 1))))
    errors = errors_of(state, pass_prolonged(date(2025, 12, 2), date(2026, 6, 1)))
    assert list(errors) == ["events.0.occurred_on"]


def test_a_prolongation_longer_than_12_months_per_request_is_refused():
    errors = errors_of(pathway(), pass_prolonged(date(2026, 6, 1), date(2028, 1, 6)))
    assert errors == {"events.0.data.end_on": ["A RQTH prolongation lasts at most 365 days."]}


def test_rqth_prolongations_total_at_most_three_years():
    first = pass_prolonged(date(2026, 6, 1), date(2028, 1, 5))
    second = pass_prolonged(date(2027, 6, 1), date(2029, 1, 4))
    third = pass_prolonged(date(2028, 6, 1), date(2030, 1, 4))
    state = pathway(first, second, third)
    ctx = context(today=date(2030, 1, 1))
    errors = errors_of(state, pass_prolonged(date(2029, 6, 1), date(2030, 1, 5)), ctx=ctx)
    # The cap now counts every prolongation of the PASS, whatever its reason (docs/domain.md §4):
    # the message says so; here all three are RQTH, so the figures are the same as before.
    assert errors == {
        "events.0.data.end_on": [
            "With a RQTH prolongation, the prolongations of a PASS IAE total at most 1095 days, "
            "whatever their reasons (1095 already granted)."
        ]
    }


def test_a_senior_prolongation_may_go_beyond_three_years():
    ctx = context(today=date(2031, 1, 1), who=person(birth_date=date(1970, 1, 1)))
    steps = [(date(2026, 6, 1), date(2028, 1, 5)), (date(2027, 6, 1), date(2029, 1, 4))]
    steps += [(date(2028, 6, 1), date(2030, 1, 4)), (date(2029, 6, 1), date(2031, 1, 4))]
    state = pathway()
    for on, end_on in steps:
        state = fold([*state.log, pass_prolonged(on, end_on, "SENIOR")])
    fifth_year = pass_prolonged(date(2030, 6, 1), date(2031, 6, 1), "SENIOR")
    assert errors_of(state, fifth_year, ctx=ctx) == {}


def test_a_senior_prolongation_needs_a_person_aged_50():
    ctx = context(who=person(birth_date=date(1980, 1, 1)))
    event_ = pass_prolonged(date(2026, 6, 1), date(2027, 6, 1), "SENIOR")
    assert list(errors_of(pathway(), event_, ctx=ctx)) == ["events.0.data.reason"]


def test_a_senior_cdi_prolongation_has_no_length_limit_from_age_57():
    ctx = context(who=person(birth_date=date(1969, 1, 1)))
    event_ = pass_prolonged(date(2026, 6, 1), date(2034, 1, 1), "SENIOR_CDI")
    assert errors_of(pathway(), event_, ctx=ctx) == {}


def test_a_senior_cdi_prolongation_needs_a_person_aged_57():
    ctx = context(who=person(birth_date=date(1970, 1, 1)))
    event_ = pass_prolonged(date(2026, 6, 1), date(2034, 1, 1), "SENIOR_CDI")
    assert errors_of(pathway(), event_, ctx=ctx) == {
        "events.0.data.reason": ["SENIOR_CDI needs a person aged 57 or more."]
    }


@pytest.mark.parametrize("kind", ["AI", "ACI"])
def test_a_particular_difficulties_prolongation_is_open_to_ai_and_aci(kind):
    event_ = pass_prolonged(date(2026, 6, 1), date(2027, 6, 1), "PARTICULAR_DIFFICULTIES")
    assert errors_of(pathway(), event_, ctx=context(kind=kind)) == {}


@pytest.mark.parametrize("kind", ["EI", "ETTI", "EITI"])
def test_a_particular_difficulties_prolongation_is_refused_elsewhere(kind):
    event_ = pass_prolonged(date(2026, 6, 1), date(2027, 6, 1), "PARTICULAR_DIFFICULTIES")
    errors = errors_of(pathway(), event_, ctx=context(kind=kind))
    assert list(errors) == ["events.0.data.reason"]


def test_a_complete_training_prolongation_needs_a_training_in_progress():
    event_ = pass_prolonged(date(2026, 6, 1), date(2027, 6, 1), "COMPLETE_TRAINING")
    assert list(errors_of(pathway(), event_)) == ["events.0.data.reason"]
    state = pathway(training_started(date(2026, 1, 5)))
    assert errors_of(state, event_) == {}


def test_a_prolongation_starts_from_the_end_pushed_back_by_suspensions():
    suspension = pass_suspended(date(2025, 5, 1), date(2025, 5, 31))
    state = pathway(suspension)
    assert state.pass_iae is not None
    assert state.pass_iae.end_on == date(2027, 2, 5)
    assert errors_of(state, pass_prolonged(date(2026, 6, 1), date(2027, 2, 5))) != {}
