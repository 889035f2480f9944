from datetime import date

from pathway_builders import (
    OPENED_ON,
    contract_ended,
    contract_renewed,
    contract_started,
    exited,
    hours_worked,
    immersion,
    mad,
    opened,
    pass_prolonged,
    pass_suspended,
    pathway,
    support_action,
    training_completed,
    training_started,
    voided,
)

from services.pathways.decide.pathway import evolve, fold


def test_the_opening_sets_the_pathway_facts():
    state = fold([opened(criteria=("RSA", "QPV"))])
    assert state.opened_on == OPENED_ON
    assert state.status == "open"
    assert state.criteria == ("RSA", "QPV")
    assert state.pass_iae is not None and state.pass_iae.number == "999991234567"


def test_the_version_counts_every_event_including_voids():
    action = support_action(OPENED_ON)
    assert pathway(action, voided(action)).version == 3


def test_a_contract_follows_its_renewals_and_end():
    started = contract_started(date(2025, 2, 3))
    contract_id = started.data["contract_id"]
    renewed = contract_renewed(contract_id, date(2026, 2, 2), date(2025, 7, 1))
    ended = contract_ended(contract_id, date(2025, 12, 31), "dismissal")
    contract = pathway(started, renewed, ended).contracts[contract_id]
    assert contract.planned_end_on == date(2026, 2, 2)
    assert contract.renewals == [date(2026, 2, 2)]
    assert (contract.ended_on, contract.end_reason) == (date(2025, 12, 31), "dismissal")


def test_a_later_declaration_for_a_month_replaces_the_earlier_one():
    state = pathway(
        hours_worked("2025-02", 100), hours_worked("2025-03", 50), hours_worked("2025-02", 80)
    )
    assert state.hours_by_month == {"2025-02": 80, "2025-03": 50}
    assert state.hours_worked == 130


def test_voiding_the_latest_declaration_brings_the_earlier_one_back():
    latest = hours_worked("2025-02", 80)
    state = pathway(hours_worked("2025-02", 100), latest, voided(latest))
    assert state.hours_by_month == {"2025-02": 100}


def test_suspensions_and_prolongations_push_the_pass_end_back():
    suspension = pass_suspended(date(2025, 5, 1), date(2025, 5, 31))
    prolongation = pass_prolonged(date(2026, 6, 1), date(2027, 8, 1))
    state = pathway(suspension, prolongation)
    assert state.pass_iae is not None
    assert state.pass_iae.end_on == date(2027, 8, 1)
    assert (
        state.pass_iae.prolongations[0].extension_days == (date(2027, 8, 1) - date(2027, 2, 5)).days
    )


def test_trainings_support_immersions_and_mads_are_recorded():
    started = training_started(date(2025, 3, 3))
    done = training_completed(started.data["training_id"], date(2025, 4, 3), hours=35)
    state = pathway(
        started,
        done,
        support_action(date(2025, 3, 3)),
        immersion(date(2025, 3, 10)),
        mad(date(2025, 3, 3), hours=20),
    )
    training = state.trainings[started.data["training_id"]]
    assert (training.completed_on, training.hours, training.certified) == (
        date(2025, 4, 3),
        35,
        True,
    )
    assert state.support_actions == 1
    assert len(state.immersions) == 1
    assert state.mises_a_disposition[0].hours == 20


def test_the_exit_records_its_date_and_reason():
    state = pathway(exited(date(2026, 1, 5), "chomage"))
    assert state.status == "exited"
    assert state.exit is not None and (state.exit.on, state.exit.reason) == (
        date(2026, 1, 5),
        "chomage",
    )


def test_a_voided_event_contributes_nothing():
    action = support_action(OPENED_ON)
    state = pathway(action, voided(action))
    assert state.support_actions == 0
    assert state.voided_ids == {action.id}


def test_events_referring_to_a_voided_contract_are_ignored():
    started = contract_started(date(2025, 2, 3))
    ended = contract_ended(started.data["contract_id"], date(2025, 3, 3))
    assert pathway(started, voided(started), ended).contracts == {}


def test_evolve_leaves_the_given_state_untouched():
    state = pathway()
    evolve(state, support_action(OPENED_ON))
    assert state.support_actions == 0
    assert state.version == 1
