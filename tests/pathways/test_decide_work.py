from datetime import date

import pytest
from pathway_builders import (
    context,
    contract_ended,
    contract_started,
    errors_of,
    hours_worked,
    mad,
    pathway,
)

from services.pathways.decide.pathway import decide

START = date(2025, 2, 3)
CONTRACT = contract_started(START, "CDD_USAGE", planned_end_on=date(2025, 12, 31))


@pytest.mark.parametrize("kind", ["AI", "ETTI", "ETT_ESS"])
def test_a_mad_is_accepted_in_the_kinds_that_put_workers_at_disposal(kind):
    started = contract_started(START, "OTHER", planned_end_on=None)
    assert errors_of(pathway(started), mad(date(2025, 3, 3)), ctx=context(kind=kind)) == {}


@pytest.mark.parametrize("kind", ["ACI", "EI", "EITI", "OSP"])
def test_a_mad_is_refused_in_other_kinds(kind):
    started = contract_started(START, "OTHER", planned_end_on=None)
    errors = errors_of(pathway(started), mad(date(2025, 3, 3)), ctx=context(kind=kind))
    assert list(errors) == ["events.0.type"]


def test_a_mad_needs_a_contract_running_on_its_start():
    errors = errors_of(pathway(), mad(date(2025, 3, 3)), ctx=context(kind="AI"))
    assert errors == {
        "events.0.data.start_on": ["No contract of the pathway is running on this date."]
    }


def test_a_mad_after_the_contract_ended_is_refused():
    ended = contract_ended(CONTRACT.data["contract_id"], date(2025, 3, 1))
    errors = errors_of(pathway(CONTRACT, ended), mad(date(2025, 3, 3)), ctx=context(kind="AI"))
    assert list(errors) == ["events.0.data.start_on"]


def test_a_mad_on_the_last_day_of_a_contract_is_accepted():
    ended = contract_ended(CONTRACT.data["contract_id"], date(2025, 3, 3))
    assert errors_of(pathway(CONTRACT, ended), mad(date(2025, 3, 3)), ctx=context(kind="AI")) == {}


def test_a_company_mad_without_siret_is_refused():
    event_ = mad(date(2025, 3, 3), client_siret=None)
    errors = errors_of(pathway(CONTRACT), event_, ctx=context(kind="AI"))
    assert list(errors) == ["events.0.data.client_siret"]


def test_a_mad_with_an_individual_needs_no_siret():
    event_ = mad(date(2025, 3, 3), client_kind="particulier", client_siret=None)
    assert errors_of(pathway(CONTRACT), event_, ctx=context(kind="AI")) == {}


def test_a_mad_must_be_dated_by_its_start():
    event_ = mad(date(2025, 3, 3))
    moved = type(event_)(event_.id, event_.type, date(2025, 3, 4), event_.data)
    assert list(errors_of(pathway(CONTRACT), moved, ctx=context(kind="AI"))) == [
        "events.0.occurred_on"
    ]


def test_hours_are_accepted_for_a_month_a_contract_ran():
    assert errors_of(pathway(CONTRACT), hours_worked("2025-02", 120)) == {}


def test_hours_are_accepted_for_a_month_the_contract_ran_only_partly():
    ended = contract_ended(CONTRACT.data["contract_id"], date(2025, 3, 1))
    assert errors_of(pathway(CONTRACT, ended), hours_worked("2025-03", 7, date(2025, 4, 2))) == {}


def test_hours_are_refused_for_a_month_without_contract():
    errors = errors_of(pathway(CONTRACT), hours_worked("2025-01", 10, date(2025, 2, 5)))
    assert errors == {"events.0.data.month": ["No contract of the pathway ran during this month."]}


def test_hours_cannot_be_declared_for_a_month_after_the_declaration():
    errors = errors_of(pathway(CONTRACT), hours_worked("2025-04", 10, date(2025, 3, 31)))
    assert list(errors) == ["events.0.data.month"]


def test_more_than_250_hours_in_a_month_are_refused():
    assert list(errors_of(pathway(CONTRACT), hours_worked("2025-02", 251))) == [
        "events.0.data.hours"
    ]


def test_mad_and_hours_raise_no_warning_outside_the_ai_company_rule():
    event_ = mad(date(2025, 3, 3), hours=48)
    decision = decide(pathway(CONTRACT), [event_], context(kind="ETTI"))
    assert decision.accepted and decision.warnings == []
