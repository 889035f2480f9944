from datetime import date

import pytest
from pathway_builders import (
    context,
    contract_ended,
    contract_renewed,
    contract_started,
    errors_of,
    pathway,
)

START = date(2025, 2, 3)


@pytest.mark.parametrize(
    ("kind", "contract_type"),
    [
        ("AI", "CDDI"),
        ("AI", "CDD_USAGE"),
        ("AI", "CDI_INCLUSION"),
        ("EI", "CDDI"),
        ("ACI", "CDDI"),
        ("ETTI", "MISSION"),
        ("ETTI", "CDI_INCLUSION"),
        ("ETT_ESS", "MISSION"),
        ("OSP", "CDI"),
        ("OSP", "CDD"),
        ("EITI", "OTHER"),
    ],
)
def test_a_contract_type_allowed_for_the_kind_is_accepted(kind, contract_type):
    planned = (
        None if contract_type == "CDI_INCLUSION" or contract_type == "CDI" else date(2025, 8, 1)
    )
    started = contract_started(START, contract_type, planned_end_on=planned)
    assert errors_of(pathway(), started, ctx=context(kind=kind)) == {}


@pytest.mark.parametrize(
    ("kind", "contract_type"),
    [
        ("ETTI", "CDDI"),
        ("OSP", "CDDI"),
        ("ACI", "CDD_USAGE"),
        ("ACI", "MISSION"),
        ("OSP", "CDI_INCLUSION"),
        ("ETT_ESS", "CDI_INCLUSION"),
    ],
)
def test_a_contract_type_not_allowed_for_the_kind_is_refused(kind, contract_type):
    planned = None if contract_type == "CDI_INCLUSION" else date(2025, 8, 1)
    started = contract_started(START, contract_type, planned_end_on=planned)
    errors = errors_of(pathway(), started, ctx=context(kind=kind))
    assert list(errors) == ["events.0.data.contract_type"]


def test_a_contract_must_be_dated_by_its_start():
    started = contract_started(START)
    moved = type(started)(started.id, started.type, date(2025, 2, 4), started.data)
    assert errors_of(pathway(), moved) == {
        "events.0.occurred_on": ["Must be the start_on of the data (2025-02-03)."]
    }


def test_a_contract_id_cannot_be_started_twice():
    started = contract_started(START)
    again = contract_started(START, contract_id=started.data["contract_id"])
    assert list(errors_of(pathway(started), again)) == ["events.0.data.contract_id"]


def test_a_running_contract_can_be_renewed():
    started = contract_started(START)
    renewed = contract_renewed(started.data["contract_id"], date(2026, 1, 31), date(2025, 7, 1))
    assert errors_of(pathway(started), renewed) == {}


def test_an_unknown_contract_cannot_be_renewed():
    renewed = contract_renewed("5d1c9f0e-7d0a-4c9e-9a53-3f1f5b2f0aaa", date(2026, 1, 31), START)
    assert list(errors_of(pathway(), renewed)) == ["events.0.data.contract_id"]


def test_an_ended_contract_cannot_be_renewed():
    started = contract_started(START)
    ended = contract_ended(started.data["contract_id"], date(2025, 5, 1))
    renewed = contract_renewed(started.data["contract_id"], date(2026, 1, 31), date(2025, 6, 1))
    assert list(errors_of(pathway(started, ended), renewed)) == ["events.0.data.contract_id"]


def test_an_open_ended_contract_cannot_be_renewed():
    started = contract_started(START, "CDI_INCLUSION", planned_end_on=None)
    renewed = contract_renewed(started.data["contract_id"], date(2026, 1, 31), date(2025, 6, 1))
    errors = errors_of(pathway(started), renewed, ctx=context(kind="AI"))
    assert errors == {"events.0.data.contract_id": ["An open-ended contract cannot be renewed."]}


def test_a_renewal_cannot_plan_an_end_before_the_contract_started():
    started = contract_started(START)
    renewed = contract_renewed(started.data["contract_id"], date(2025, 2, 2), date(2025, 6, 1))
    assert list(errors_of(pathway(started), renewed)) == ["events.0.data.planned_end_on"]


def test_a_running_contract_can_be_ended():
    started = contract_started(START)
    ended = contract_ended(started.data["contract_id"], date(2025, 4, 30), "resignation")
    assert errors_of(pathway(started), ended) == {}


def test_a_contract_cannot_be_ended_twice():
    started = contract_started(START)
    ended = contract_ended(started.data["contract_id"], date(2025, 4, 30))
    again = contract_ended(started.data["contract_id"], date(2025, 5, 30))
    assert list(errors_of(pathway(started, ended), again)) == ["events.0.data.contract_id"]


def test_a_contract_cannot_end_before_it_started():
    started = contract_started(START)
    ended = contract_ended(started.data["contract_id"], date(2025, 1, 31))
    assert list(errors_of(pathway(started), ended)) == ["events.0.data.ended_on"]


def test_an_end_must_be_dated_by_its_ended_on():
    started = contract_started(START)
    ended = contract_ended(started.data["contract_id"], date(2025, 4, 30))
    moved = type(ended)(ended.id, ended.type, date(2025, 5, 2), ended.data)
    assert list(errors_of(pathway(started), moved)) == ["events.0.occurred_on"]


def test_a_contract_started_earlier_in_the_same_request_can_be_ended():
    started = contract_started(START)
    ended = contract_ended(started.data["contract_id"], date(2025, 4, 30))
    assert errors_of(pathway(), started, ended) == {}


def test_a_contract_named_in_upper_case_is_the_same_contract():
    started = contract_started(START)
    ended = contract_ended(started.data["contract_id"].upper(), date(2025, 4, 30))
    assert errors_of(pathway(started), ended) == {}
