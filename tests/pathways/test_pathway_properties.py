"""Properties of fold and decide over random histories built only from accepted events."""

import copy
from dataclasses import replace
from datetime import date, timedelta
from uuid import UUID

import pathway_builders as b
from hypothesis import given, settings
from hypothesis import strategies as st

from services.pathways.decide.pathway import Context, Event, PathwayState, decide, evolve, fold
from shared.domain.codes import ALL_KINDS, CONTRACT_TYPE_KINDS, OPEN_ENDED_CONTRACT_TYPES
from shared.domain.events import load_event_data

FAR = date(2030, 12, 31)
REMOVABLE = {
    "hours_worked_recorded",
    "support_action_recorded",
    "mise_a_disposition_recorded",
    "immersion_recorded",
    "training_completed",
    "pathway_exited",
}


def facts(state: PathwayState) -> PathwayState:
    """The business content of a state, without the log bookkeeping."""
    return replace(state, log=(), event_types={}, voided_ids=set())


def stable_id(number: int) -> str:
    """Ids drawn from the data, so that hypothesis can replay a history exactly."""
    return str(UUID(int=number))


def pick(draw, items: list) -> object:
    """One item of a non-empty list (plain draws keep generation fast)."""
    return items[draw(st.integers(0, len(items) - 1))]


def contract_start(draw, day: date, kind: str) -> Event:
    allowed = sorted(t for t, kinds in CONTRACT_TYPE_KINDS.items() if kind in kinds)
    contract_type = pick(draw, allowed)
    planned = None
    if contract_type not in OPEN_ENDED_CONTRACT_TYPES:
        planned = day + timedelta(days=draw(st.integers(0, 900)))
    hours = pick(draw, [10, 20, 26, 35, 39])
    contract_id = stable_id(1_000_000 + draw(st.integers(0, 10**6)))
    return b.contract_started(
        day, contract_type, planned_end_on=planned, weekly_hours=hours, contract_id=contract_id
    )


def contract_follow_up(draw, state: PathwayState, day: date) -> Event | None:
    if not state.contracts:
        return None
    contract_id = pick(draw, sorted(state.contracts))
    if draw(st.booleans()):
        return b.contract_ended(contract_id, day)
    return b.contract_renewed(contract_id, day + timedelta(draw(st.integers(0, 400))), day)


def training_follow_up(draw, state: PathwayState, day: date) -> Event | None:
    if not state.trainings:
        return None
    training_id = pick(draw, sorted(state.trainings))
    return b.training_completed(training_id, day, draw(st.integers(0, 300)))


def void_of(draw, state: PathwayState, day: date) -> Event | None:
    targets = [e for e in state.log if e.type not in ("pathway_opened", "event_voided")]
    return b.voided(pick(draw, targets), day) if targets else None


def candidate(draw, state: PathwayState, day: date, kind: str) -> Event | None:
    """Any event that may be acceptable on this day; decide has the last word."""
    month = day.strftime("%Y-%m")
    makers = [
        lambda: contract_start(draw, day, kind),
        lambda: contract_follow_up(draw, state, day),
        lambda: b.hours_worked(month, draw(st.integers(0, 250)), day),
        lambda: b.mad(
            day,
            hours=draw(st.integers(1, 48)),
            client_siret=pick(draw, [b.COMPANY_SIRET, b.OTHER_COMPANY_SIRET]),
        ),
        lambda: b.training_started(day, stable_id(2_000_000 + draw(st.integers(0, 10**6)))),
        lambda: training_follow_up(draw, state, day),
        lambda: b.support_action(day),
        lambda: b.immersion(day, day + timedelta(days=4)),
        lambda: b.pass_suspended(day, day + timedelta(draw(st.integers(1, 60)))),
        lambda: void_of(draw, state, day),
    ]
    return pick(draw, makers)()


@st.composite
def histories(draw) -> tuple[str, list[Event]]:
    """A kind and a log of accepted events, each judged on the state before it."""
    kind = pick(draw, sorted(ALL_KINDS))
    ctx = b.context(kind=kind, today=FAR)
    events = [replace(b.opened(), id=stable_id(0))]
    state, day = fold(events), b.OPENED_ON
    for _ in range(draw(st.integers(0, 30))):
        day = min(FAR, day + timedelta(days=draw(st.integers(0, 45))))
        state = append_if_accepted(events, state, candidate(draw, state, day, kind), ctx)
    if draw(st.booleans()):  # a pathway's usual end: an exit, sometimes voided afterwards
        state = append_if_accepted(events, state, b.exited(day), ctx)
    if draw(st.booleans()):
        append_if_accepted(events, state, void_of(draw, state, day), ctx)
    return kind, events


def append_if_accepted(
    events: list[Event], state: PathwayState, event: Event | None, ctx: Context
) -> PathwayState:
    """Append the event (with a replayable id) when decide accepts it; the resulting state."""
    if event is None:
        return state
    event = replace(event, id=stable_id(len(events)))
    if not decide(state, [event], ctx).accepted:
        return state
    events.append(event)
    return evolve(state, event)


@settings(max_examples=100, deadline=None)
@given(histories())
def test_appending_events_one_by_one_equals_appending_them_in_one_request(history):
    kind, events = history
    ctx = b.context(kind=kind, today=FAR)
    state, warnings = PathwayState(), []
    for event in events:
        decision = decide(state, [event], ctx)
        assert decision.accepted, decision.errors
        warnings += decision.warnings
        state = fold([*state.log, event])
    together = decide(PathwayState(), events, ctx)
    assert together.accepted, together.errors
    assert together.warnings == warnings
    assert state == fold(events)


@settings(max_examples=100, deadline=None)
@given(histories())
def test_evolving_event_by_event_equals_folding_the_whole_log(history):
    _, events = history
    state = PathwayState()
    for event in events:
        state = evolve(state, event)
    assert state == fold(events)


@settings(max_examples=100, deadline=None)
@given(histories(), st.data())
def test_voiding_an_event_gives_the_state_of_the_log_without_it(history, data):
    kind, events = history
    state = fold(events)
    removable = [e for e in events if e.type in REMOVABLE and e.id not in state.voided_ids]
    if not removable:
        return
    target = data.draw(st.sampled_from(removable))
    void = b.voided(target, max(e.occurred_on for e in events))
    assert decide(state, [void], b.context(kind=kind, today=FAR)).accepted
    without = fold(e for e in events if e.id != target.id)
    assert facts(fold([*events, void])) == facts(without)


@settings(max_examples=100, deadline=None)
@given(histories())
def test_evolving_never_changes_the_states_it_started_from(history):
    _, events = history
    states = [PathwayState()]
    snapshots = [copy.deepcopy(states[0])]
    for event in events:
        states.append(evolve(states[-1], event))
        snapshots.append(copy.deepcopy(states[-1]))
    assert states == snapshots


@settings(max_examples=100, deadline=None)
@given(histories(), st.data())
def test_deciding_on_stored_data_gives_the_decision_of_deciding_on_sent_data(history, data):
    kind, events = history
    ctx = b.context(kind=kind, today=FAR)
    state = fold(events)
    day = max(e.occurred_on for e in events)
    sent = [e for e in (candidate(data.draw, state, day, kind) for _ in range(3)) if e]
    stored = [replace(e, data=load_event_data(e.type, e.data)) for e in sent]
    checked, trusted = decide(state, sent, ctx), decide(state, stored, ctx, stored=True)
    assert (trusted.errors, trusted.warnings) == (checked.errors, checked.warnings)
    assert trusted.state == checked.state


@settings(max_examples=100, deadline=None)
@given(histories())
def test_an_accepted_decision_carries_the_state_of_the_whole_log(history):
    kind, events = history
    opening, rest = events[0], events[1:]
    decision = decide(fold([opening]), rest, b.context(kind=kind, today=FAR))
    assert decision.accepted, decision.errors
    assert decision.state == fold(events)
