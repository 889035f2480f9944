from dataclasses import replace
from datetime import date

import pytest
from pathway_builders import (
    OPENED_ON,
    PERSON_ID,
    TODAY,
    context,
    errors_of,
    event,
    opened,
    pathway,
    person,
    support_action,
)

from services.pathways.decide.pathway import PathwayState, PersonFacts, enrich_opened


def test_a_valid_opening_is_accepted():
    assert errors_of(PathwayState(), opened()) == {}


def test_the_first_event_must_be_an_opening():
    assert errors_of(PathwayState(), support_action(OPENED_ON)) == {
        "events.0.type": ["The first event of a pathway must be pathway_opened."]
    }


def test_a_pathway_cannot_be_opened_twice():
    assert list(errors_of(pathway(), opened())) == ["events.0.type"]


def test_a_second_opening_in_the_same_request_is_refused():
    assert list(errors_of(PathwayState(), opened(), opened())) == ["events.1.type"]


def test_an_unknown_event_type_is_refused():
    errors = errors_of(pathway(), event("pathway_paused", TODAY, {}))
    assert errors == {"events.0.type": ["Unknown event type 'pathway_paused'."]}


def test_invalid_data_is_reported_under_the_events_data_path():
    errors = errors_of(PathwayState(), opened(orienteur="42"))
    assert list(errors) == ["events.0.data.orienteur"]


def test_data_that_is_not_an_object_is_reported_on_data():
    errors = errors_of(pathway(), event("support_action_recorded", TODAY, []))
    assert list(errors) == ["events.0.data"]


def test_the_structure_must_be_the_callers():
    ctx = context(structure_id="5d1c9f0e-7d0a-4c9e-9a53-3f1f5b2f0aff")
    assert list(errors_of(PathwayState(), opened(), ctx=ctx)) == ["events.0.data.structure_id"]


def test_the_structure_id_comparison_ignores_case():
    ctx = context(structure_id="5D1C9F0E-7D0A-4C9E-9A53-3F1F5B2F0A01")
    assert errors_of(PathwayState(), opened(), ctx=ctx) == {}


def test_the_person_must_exist():
    ctx = replace(context(), person=None)
    assert list(errors_of(PathwayState(), opened(), ctx=ctx)) == ["events.0.data.person_id"]


def test_the_person_must_be_the_one_named_in_the_data():
    other = PersonFacts("9b2e4c1a-0f7e-4d5b-8c3a-6e2d1f0b9cff", date(1980, 1, 1), "M")
    ctx = context(who=other)
    assert list(errors_of(PathwayState(), opened(), ctx=ctx)) == ["events.0.data.person_id"]


def test_no_event_may_be_dated_after_today():
    errors = errors_of(PathwayState(), opened(on=date(2026, 6, 16)))
    assert list(errors) == ["events.0.occurred_on"]


def test_no_event_may_be_dated_before_the_opening():
    errors = errors_of(pathway(), support_action(date(2025, 1, 5)))
    assert errors == {
        "events.0.occurred_on": ["Must not be before the pathway opened (2025-01-06)."]
    }


@pytest.mark.parametrize("kind", ["AI", "ETTI", "ACI", "EI", "EITI"])
def test_an_employer_diagnosis_with_a_level_one_criterion_is_accepted(kind):
    event_ = opened(diagnosed_by="employer", criteria=("DETLD",))
    assert errors_of(PathwayState(), event_, ctx=context(kind=kind)) == {}


@pytest.mark.parametrize("kind", ["AI", "ETTI"])
def test_two_level_two_criteria_suffice_for_an_employer_diagnosis_in_ai_and_etti(kind):
    event_ = opened(diagnosed_by="employer", criteria=("JEUNE", "QPV"))
    assert errors_of(PathwayState(), event_, ctx=context(kind=kind)) == {}


@pytest.mark.parametrize("kind", ["AI", "ETTI"])
def test_one_level_two_criterion_is_not_enough_in_ai_and_etti(kind):
    event_ = opened(diagnosed_by="employer", criteria=("JEUNE",))
    errors = errors_of(PathwayState(), event_, ctx=context(kind=kind))
    assert list(errors) == ["events.0.data.eligibility.criteria"]


@pytest.mark.parametrize("kind", ["ACI", "EI", "EITI"])
def test_two_level_two_criteria_are_not_enough_in_aci_ei_and_eiti(kind):
    event_ = opened(diagnosed_by="employer", criteria=("JEUNE", "QPV"))
    errors = errors_of(PathwayState(), event_, ctx=context(kind=kind))
    assert list(errors) == ["events.0.data.eligibility.criteria"]


@pytest.mark.parametrize("kind", ["ACI", "EI", "EITI"])
def test_three_level_two_criteria_suffice_in_aci_ei_and_eiti(kind):
    event_ = opened(diagnosed_by="employer", criteria=("JEUNE", "QPV", "MOBILITE"))
    assert errors_of(PathwayState(), event_, ctx=context(kind=kind)) == {}


@pytest.mark.parametrize("kind", ["ETT_ESS", "OSP"])
def test_no_criteria_rule_applies_to_unconventioned_kinds(kind):
    event_ = opened(diagnosed_by="employer", criteria=())
    assert errors_of(PathwayState(), event_, ctx=context(kind=kind)) == {}


def test_a_prescriber_diagnosis_needs_no_minimum_of_criteria():
    assert errors_of(PathwayState(), opened(criteria=())) == {}


def test_the_opening_is_stored_with_sex_and_age_band_at_entry():
    data = opened().data
    stored = enrich_opened(data, person(birth_date=date(1999, 1, 7), sex="M"), date(2025, 1, 6))
    assert stored == {**data, "sex": "M", "age_band": "under_26"}


def test_the_age_band_is_the_age_on_the_opening_date():
    stored = enrich_opened(opened().data, person(birth_date=date(1975, 1, 6)), date(2025, 1, 6))
    assert stored["age_band"] == "50_plus"
    assert stored["person_id"] == PERSON_ID
