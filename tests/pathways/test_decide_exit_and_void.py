from datetime import date

from pathway_builders import (
    OPENED_ON,
    errors_of,
    event,
    exited,
    hours_worked,
    opened,
    pathway,
    support_action,
    voided,
)

from services.pathways.decide.pathway import PathwayState, fold

EXIT_ON = date(2026, 3, 31)


def test_an_open_pathway_can_exit():
    assert errors_of(pathway(), exited(EXIT_ON)) == {}


def test_an_exit_may_name_the_pathway_the_person_is_transferred_to():
    transfer = {
        "structure_id": "5d1c9f0e-7d0a-4c9e-9a53-3f1f5b2f0a0b",
        "pathway_id": "5d1c9f0e-7d0a-4c9e-9a53-3f1f5b2f0a0c",
    }
    assert errors_of(pathway(), exited(EXIT_ON, "autre_siae", transfer)) == {}


def test_after_the_exit_only_voids_are_accepted():
    errors = errors_of(pathway(exited(EXIT_ON)), support_action(EXIT_ON))
    assert errors == {
        "events.0.type": [
            "The pathway has exited: only event_voided and post_exit_situation_recorded are "
            "accepted (void the exit to reopen it)."
        ]
    }


def test_a_pathway_cannot_exit_twice():
    assert list(errors_of(pathway(exited(EXIT_ON)), exited(EXIT_ON))) == ["events.0.type"]


def test_voiding_the_exit_reopens_the_pathway():
    exit_ = exited(EXIT_ON)
    state = pathway(exit_)
    assert errors_of(state, voided(exit_), support_action(EXIT_ON)) == {}
    assert fold([*state.log, voided(exit_)]).status == "open"


def test_an_event_of_the_pathway_can_be_voided_after_the_exit():
    action = support_action(EXIT_ON)
    assert errors_of(pathway(action, exited(EXIT_ON)), voided(action)) == {}


def test_a_void_must_name_an_event_of_this_pathway():
    stranger = support_action(EXIT_ON)
    assert errors_of(pathway(), voided(stranger)) == {
        "events.0.data.event_id": ["No earlier event with this id in this pathway."]
    }


def test_an_event_cannot_be_voided_twice():
    action = support_action(EXIT_ON)
    state = pathway(action, voided(action))
    assert errors_of(state, voided(action)) == {
        "events.0.data.event_id": ["This event is already voided."]
    }


def test_a_void_cannot_be_voided():
    action = support_action(EXIT_ON)
    void = voided(action)
    assert errors_of(pathway(action, void), voided(void)) == {
        "events.0.data.event_id": ["A void cannot be voided."]
    }


def test_the_opening_cannot_be_voided():
    opening = opened()
    assert list(errors_of(fold([opening]), voided(opening))) == ["events.0.data.event_id"]


def test_a_void_cannot_name_an_event_later_in_the_same_request():
    action = support_action(EXIT_ON)
    assert list(errors_of(pathway(), voided(action), action)) == ["events.0.data.event_id"]


def test_a_void_can_name_an_event_earlier_in_the_same_request():
    action = support_action(EXIT_ON)
    assert errors_of(pathway(), action, voided(action)) == {}


def test_a_void_names_its_target_case_insensitively():
    action = support_action(EXIT_ON)
    void = event("event_voided", EXIT_ON, {"event_id": action.id.upper(), "reason": "doublon"})
    assert errors_of(pathway(action), void) == {}


def test_errors_of_one_event_do_not_stop_the_judgement_of_the_next():
    errors = errors_of(PathwayState(), opened(), hours_worked("2025-02", 10), exited(OPENED_ON))
    assert list(errors) == ["events.1.data.month"]
