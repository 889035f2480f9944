"""A pathway's state, folded from its events: pure, and tolerant of events referring to voided ones.

Voided events contribute nothing: the state of a log with a void is the state of the log without
the voided event (voiding the exit reopens the pathway). States share their records: an applier
gives the state new collections and records rather than changing ones an earlier state holds.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date

from shared.domain import events as ev
from shared.domain.outcomes import exit_category
from shared.domain.pathway.records import (
    Contract,
    Event,
    Exit,
    Immersion,
    MiseADisposition,
    PassIae,
    PostExitSituation,
    Prolongation,
    Suspension,
    Training,
    pass_end_from,
)

__all__ = [
    "Contract",
    "Event",
    "Exit",
    "Immersion",
    "MiseADisposition",
    "PassIae",
    "PathwayState",
    "PostExitSituation",
    "Prolongation",
    "Suspension",
    "Training",
    "UnreadableEvent",
    "event_key",
    "evolve",
    "evolve_all",
    "fold",
    "parse_date",
]

TRAINING_COMPLETED = "training_completed"
SUPPORT_ACTION = "support_action"


class UnreadableEvent(ValueError):
    """An event whose data the fold cannot read: never one the decider accepted, but a
    reader of an old or damaged log must say which event it is."""

    def __init__(self, event: Event, error: Exception):
        super().__init__(f"{type(error).__name__}: {error}")
        self.event = event


@dataclass
class PathwayState:
    """What the log says about a pathway now; `log` keeps every event, voided or not."""

    opened_on: date | None = None
    person_id: str | None = None
    structure_id: str | None = None
    orienteur: str | None = None
    diagnosed_by: str | None = None
    criteria: tuple[str, ...] = ()
    education_level: str | None = None
    sex: str | None = None
    age_band: str | None = None
    # The measure given at opening (docs/domain.md §6b); None: the structure kind's default.
    measure: str | None = None
    pass_iae: PassIae | None = None
    contracts: dict[str, Contract] = field(default_factory=dict)
    hours_by_month: dict[str, float] = field(default_factory=dict)
    mises_a_disposition: list[MiseADisposition] = field(default_factory=list)
    trainings: dict[str, Training] = field(default_factory=dict)
    # Trainings completed and support actions delivered, in log order: (kind, date).
    activities: tuple[tuple[str, date], ...] = ()
    immersions: list[Immersion] = field(default_factory=list)
    exit: Exit | None = None
    # What became of the person after the exit, one per months_after, by months_after.
    post_exit: tuple[PostExitSituation, ...] = ()
    log: tuple[Event, ...] = ()
    event_types: dict[str, str] = field(default_factory=dict)
    voided_ids: set[str] = field(default_factory=set)

    @property
    def opened(self) -> bool:
        return self.opened_on is not None

    @property
    def status(self) -> str:
        return "exited" if self.exit else "open"

    @property
    def version(self) -> int:
        """Number of events in the log, voids and voided ones included."""
        return len(self.log)

    @property
    def event_ids(self) -> set[str]:
        return set(self.event_types)

    @property
    def support_actions(self) -> int:
        return sum(1 for kind, _ in self.activities if kind == SUPPORT_ACTION)

    @property
    def first_hired_on(self) -> date | None:
        """Start of the pathway's first contract (voided ones left out); None before any."""
        return min((c.start_on for c in self.contracts.values()), default=None)

    @property
    def hours_worked(self) -> float:
        """Sum of the monthly declarations, the latest of each month winning."""
        return sum(self.hours_by_month.values())


def evolve_all(state: PathwayState, events: Iterable[Event]) -> PathwayState:
    """A new state with further events, none of them a void; `state` is left untouched."""
    for event in events:
        state = evolve(state, event)
    return state


def fold(events: Iterable[Event]) -> PathwayState:
    """The state of a pathway from its whole log, in version order."""
    log = tuple(events)
    state = PathwayState(log=log)
    voided = _voided(log)
    for event in log:
        _record(state, event, voided)
    return state


def fold_records(events: Iterable[Event]) -> PathwayState:
    """The same state without the log it was folded from (nor the events' types and voided
    ids): what a reader keeps that never decides, only derives (reporting)."""
    log = tuple(events)
    state, voided = PathwayState(), _voided(log)
    for event in log:
        if event.type != ev.EVENT_VOIDED and event_key(event.id) not in voided:
            _apply(state, event)
    return state


def _voided(log: tuple[Event, ...]) -> set[str]:
    return {event_key(e.data.get("event_id", "")) for e in log if e.type == ev.EVENT_VOIDED}


def evolve(state: PathwayState, event: Event) -> PathwayState:
    """A new state with one more event; the given state is left untouched.

    The new state shares every object the event does not touch: appliers never mutate what
    they did not create, they give the state new collections and new records instead.
    """
    if event.type == ev.EVENT_VOIDED:
        return fold((*state.log, event))
    new = replace(state, log=(*state.log, event), event_types=dict(state.event_types))
    _record(new, event, set())
    return new


def event_key(event_id: str) -> str:
    """Ids compare case-insensitively: a UUID may be written in upper case."""
    return str(event_id).lower()


def parse_date(value: str | None) -> date | None:
    """A stored ISO date, or None."""
    return date.fromisoformat(value) if value else None


def _record(state: PathwayState, event: Event, voided: set[str]) -> None:
    """Note an event of the log, and apply it unless it is a void or voided."""
    state.event_types[event_key(event.id)] = event.type
    if event.type == ev.EVENT_VOIDED:
        state.voided_ids.add(event_key(event.data.get("event_id", "")))
    elif event_key(event.id) not in voided:
        _apply(state, event)


def _apply(state: PathwayState, event: Event) -> None:
    applier = _APPLIERS.get(event.type)
    if applier is None:
        return
    try:
        applier(state, event)
    except (KeyError, TypeError, ValueError) as error:
        raise UnreadableEvent(event, error) from error


def _opened(state: PathwayState, event: Event) -> None:
    data = event.data
    state.opened_on = event.occurred_on
    state.person_id, state.structure_id = data.get("person_id"), data.get("structure_id")
    state.orienteur, state.education_level = data.get("orienteur"), data.get("education_level")
    eligibility = data.get("eligibility", {})
    state.diagnosed_by = eligibility.get("diagnosed_by")
    state.criteria = tuple(dict.fromkeys(eligibility.get("criteria") or ()))  # once each
    state.sex, state.age_band = data.get("sex"), data.get("age_band")
    state.measure = data.get("measure")
    state.pass_iae = _pass_iae(data.get("pass_iae"))


def _pass_iae(data: dict[str, str] | None) -> PassIae | None:
    if not data:
        return None
    start_on = date.fromisoformat(data["start_on"])
    end_on = date.fromisoformat(data["end_on"]) if data.get("end_on") else pass_end_from(start_on)
    return PassIae(data.get("number"), start_on, end_on)  # not in the log (docs/domain.md §10)


def _put_contract(state: PathwayState, contract: Contract) -> None:
    state.contracts = {**state.contracts, contract.id: contract}


def _contract_started(state: PathwayState, event: Event) -> None:
    data = event.data
    contract = Contract(
        id=data["contract_id"],
        type=data["contract_type"],
        start_on=date.fromisoformat(data["start_on"]),
        planned_end_on=parse_date(data.get("planned_end_on")),
        weekly_hours=data.get("weekly_hours", 0.0),
        rome_code=data.get("rome_code"),
    )
    _put_contract(state, contract)


def _contract_renewed(state: PathwayState, event: Event) -> None:
    contract = state.contracts.get(event.data["contract_id"])
    if contract:
        planned_end_on = date.fromisoformat(event.data["planned_end_on"])
        renewals = [*contract.renewals, planned_end_on]
        _put_contract(state, replace(contract, planned_end_on=planned_end_on, renewals=renewals))


def _contract_ended(state: PathwayState, event: Event) -> None:
    contract = state.contracts.get(event.data["contract_id"])
    if contract:
        ended_on = date.fromisoformat(event.data["ended_on"])
        _put_contract(state, replace(contract, ended_on=ended_on, end_reason=event.data["reason"]))


def _mise_a_disposition(state: PathwayState, event: Event) -> None:
    data = event.data
    mad = MiseADisposition(
        client_kind=data["client_kind"],
        client_siret=data.get("client_siret"),
        start_on=date.fromisoformat(data["start_on"]),
        end_on=date.fromisoformat(data["end_on"]),
        hours=data["hours"],
    )
    state.mises_a_disposition = [*state.mises_a_disposition, mad]


def _hours_worked(state: PathwayState, event: Event) -> None:
    """A later declaration for the same month replaces the earlier one (ASP état mensuel)."""
    date.fromisoformat(event.data["month"] + "-01")
    state.hours_by_month = {**state.hours_by_month, event.data["month"]: event.data["hours"]}


def _put_training(state: PathwayState, training: Training) -> None:
    state.trainings = {**state.trainings, training.id: training}


def _training_started(state: PathwayState, event: Event) -> None:
    data = event.data
    training = Training(
        id=data.get("training_id", ""),
        kind=data.get("kind", ""),
        started_on=event.occurred_on,
        title=data.get("title"),
        planned_hours=data.get("planned_hours"),
    )
    _put_training(state, training)


def _training_completed(state: PathwayState, event: Event) -> None:
    state.activities = (*state.activities, (TRAINING_COMPLETED, event.occurred_on))
    training = state.trainings.get(event.data.get("training_id", ""))
    if training:
        done = replace(
            training,
            completed_on=event.occurred_on,
            hours=event.data.get("hours"),
            certified=event.data.get("certified"),
        )
        _put_training(state, done)


def _support_action(state: PathwayState, event: Event) -> None:
    state.activities = (*state.activities, (SUPPORT_ACTION, event.occurred_on))


def _immersion(state: PathwayState, event: Event) -> None:
    data = event.data
    immersion = Immersion(
        objective=data["objective"],
        start_on=date.fromisoformat(data["start_on"]),
        end_on=date.fromisoformat(data["end_on"]),
        host_siret=data.get("host_siret"),
    )
    state.immersions = [*state.immersions, immersion]


def _pass_suspended(state: PathwayState, event: Event) -> None:
    pass_iae = state.pass_iae
    if pass_iae:
        start_on, end_on = (date.fromisoformat(event.data[k]) for k in ("start_on", "end_on"))
        suspension = Suspension(start_on, end_on, event.data.get("reason", ""))
        state.pass_iae = replace(pass_iae, suspensions=[*pass_iae.suspensions, suspension])


def _pass_prolonged(state: PathwayState, event: Event) -> None:
    """A prolongation starts at the PASS's end when declared and sets its new end."""
    pass_iae = state.pass_iae
    if pass_iae:
        end_on = date.fromisoformat(event.data["end_on"])
        extension = max((end_on - pass_iae.end_on).days, 0)
        reason = event.data.get("reason", "")
        prolongation = Prolongation(end_on, reason, event.occurred_on, extension)
        state.pass_iae = replace(pass_iae, prolongations=[*pass_iae.prolongations, prolongation])


def _exited(state: PathwayState, event: Event) -> None:
    exit_category(event.data["reason"])  # an unknown reason cannot be read
    state.exit = Exit(event.occurred_on, event.data["reason"], event.data.get("transferred_to"))
    state.post_exit = ()


def _post_exit(state: PathwayState, event: Event) -> None:
    """A situation after the exit replaces an earlier one of the same months_after; one that
    follows no exit (the exit was voided since) tells nothing about this pathway."""
    if state.exit is None:
        return
    data = event.data
    situation = PostExitSituation(
        int(data["months_after"]), data["situation"], data["source"], event.occurred_on
    )
    kept = [s for s in state.post_exit if s.months_after != situation.months_after]
    state.post_exit = tuple(sorted([*kept, situation], key=lambda s: s.months_after))


_APPLIERS: dict[str, Callable[[PathwayState, Event], None]] = {
    ev.PATHWAY_OPENED: _opened,
    ev.CONTRACT_STARTED: _contract_started,
    ev.CONTRACT_RENEWED: _contract_renewed,
    ev.CONTRACT_ENDED: _contract_ended,
    ev.MISE_A_DISPOSITION_RECORDED: _mise_a_disposition,
    ev.HOURS_WORKED_RECORDED: _hours_worked,
    ev.TRAINING_STARTED: _training_started,
    ev.TRAINING_COMPLETED: _training_completed,
    ev.SUPPORT_ACTION_RECORDED: _support_action,
    ev.IMMERSION_RECORDED: _immersion,
    ev.PASS_SUSPENDED: _pass_suspended,
    ev.PASS_PROLONGED: _pass_prolonged,
    ev.PATHWAY_EXITED: _exited,
    ev.POST_EXIT_SITUATION_RECORDED: _post_exit,
}
