"""Whether one event is acceptable on a pathway's state (docs/api.md, docs/domain.md).

Each check yields (field path relative to the event, message in English for API clients).
Only impossible data is refused; legal limits at risk are warnings (limit_warnings.py).
"""

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date

from dateutil.relativedelta import relativedelta
from marshmallow import ValidationError

from services.pathways.decide.context import Context
from shared.domain import codes, post_exit
from shared.domain import events as ev
from shared.domain.identifiers import age_on
from shared.domain.limits import (
    PROLONGATION_DECLARED_MONTHS_AFTER,
    PROLONGATION_DECLARED_MONTHS_BEFORE,
    SENIOR_AGE,
    SENIOR_CDI_MIN_AGE,
)
from shared.domain.measures import pathway_measure_problem
from shared.domain.pathway.state import Event, PathwayState, event_key

Problem = tuple[str, str]
Problems = Iterator[Problem]

# Age a prolongation reason requires on its declaration date (our choice: checked when known).
PROLONGATION_MIN_AGE = {"SENIOR": SENIOR_AGE, "SENIOR_CDI": SENIOR_CDI_MIN_AGE}
# What the placement lets through after the exit (the opening is refused by its own check).
AFTER_EXIT = (ev.EVENT_VOIDED, ev.PATHWAY_OPENED, ev.POST_EXIT_SITUATION_RECORDED)


def validated(event: Event) -> tuple[Event, list[Problem]]:
    """The event in stored form (lower-case UUIDs, ISO dates) when its data is valid, else the
    event as sent and its data problems: the one check of the data by its type's schema."""
    if event.type not in ev.DATA_SCHEMAS:
        return event, []
    try:
        return replace(event, data=ev.load_event_data(event.type, event.data)), []
    except ValidationError as error:
        return event, list(_data_problems(error))


def check_event(
    state: PathwayState, event: Event, ctx: Context, data_problems: list[Problem] | None = None
) -> list[Problem]:
    """Every reason to refuse the event, in order: type, place in the pathway, data, rules.

    `data_problems` are those `validated` found, when the caller already checked the data.
    """
    if event.type not in ev.DATA_SCHEMAS:
        return [("type", f"Unknown event type {event.type!r}.")]
    if data_problems is None:
        data_problems = validated(event)[1]
    problems = [*_placement(state, event, ctx), *data_problems]
    return problems or list(RULES[event.type](state, event, ctx))


def _placement(state: PathwayState, event: Event, ctx: Context) -> Problems:
    """First event, events after the exit, and dates outside the pathway's life."""
    if not state.opened and event.type != ev.PATHWAY_OPENED:
        yield "type", "The first event of a pathway must be pathway_opened."
    if state.opened and event.type == ev.PATHWAY_OPENED:
        yield "type", "The pathway is already opened."
    if state.exit and event.type not in AFTER_EXIT:
        yield (
            "type",
            "The pathway has exited: only event_voided and post_exit_situation_recorded are "
            "accepted (void the exit to reopen it).",
        )
    if event.occurred_on > ctx.today:
        yield "occurred_on", f"Must not be after today ({ctx.today.isoformat()})."
    if state.opened_on and event.occurred_on < state.opened_on:
        yield (
            "occurred_on",
            f"Must not be before the pathway opened ({state.opened_on.isoformat()}).",
        )


def _data_problems(error: ValidationError) -> Problems:
    """The schema's messages as problems of the event's data (shared.domain.events)."""
    for path, texts in error.normalized_messages().items():
        field = "data" if path == "_schema" else f"data.{path}"
        yield from ((field, text) for text in texts)


def _on(data: dict, key: str) -> date:
    """A date of the (already validated) data."""
    return date.fromisoformat(data[key])


def _occurred_on_is(event: Event, key: str) -> Problems:
    """Contract, MAD and suspension events are dated by the date they carry."""
    if event.occurred_on != _on(event.data, key):
        yield "occurred_on", f"Must be the {key} of the data ({event.data[key]})."


def _same_id(left: str | None, right: str | None) -> bool:
    return left is not None and right is not None and event_key(left) == event_key(right)


# --- pathway_opened -------------------------------------------------------------------------------


def _opened(state: PathwayState, event: Event, ctx: Context) -> Problems:
    data = event.data
    if not _same_id(data["structure_id"], ctx.structure_id):
        yield "data.structure_id", "Must be the structure the pathway is recorded for."
    if ctx.person is None or not _same_id(data["person_id"], ctx.person.person_id):
        yield "data.person_id", "Unknown person: create it first (POST /v1/persons)."
    eligibility = data["eligibility"]
    if eligibility["diagnosed_by"] == "employer":
        yield from _employer_diagnosis(ctx.kind, eligibility["criteria"])
    if data.get("measure") and (problem := pathway_measure_problem(ctx.kind, data["measure"])):
        yield "data.measure", problem


def _employer_diagnosis(kind: str, criteria: list[str]) -> Problems:
    """Auto-prescription: 1 level-1 criterion, or 2 level-2 (AI, ETTI) or 3 (ACI, EI, EITI)."""
    required = codes.LEVEL_2_CRITERIA_REQUIRED.get(kind)
    if required is None or codes.LEVEL_1_CRITERIA.intersection(criteria):
        return
    if len(codes.LEVEL_2_CRITERIA.intersection(criteria)) < required:
        yield (
            "data.eligibility.criteria",
            f"An employer diagnosis in an {kind} needs one level-1 criterion "
            f"or {required} level-2 criteria.",
        )


# --- contracts ------------------------------------------------------------------------------------


def _contract_started(state: PathwayState, event: Event, ctx: Context) -> Problems:
    data = event.data
    if ctx.kind not in codes.CONTRACT_TYPE_KINDS[data["contract_type"]]:
        yield (
            "data.contract_type",
            f"A structure of kind {ctx.kind} cannot sign a {data['contract_type']}.",
        )
    if data["contract_id"] in state.contracts:
        yield "data.contract_id", "This contract was already started."
    yield from _occurred_on_is(event, "start_on")


def _running_contract(state: PathwayState, contract_id: str) -> Problems:
    contract = state.contracts.get(contract_id)
    if contract is None or not contract.running:
        yield "data.contract_id", "No running contract with this id in the pathway."


def _contract_renewed(state: PathwayState, event: Event, ctx: Context) -> Problems:
    contract = state.contracts.get(event.data["contract_id"])
    yield from _running_contract(state, event.data["contract_id"])
    if contract and contract.type in codes.OPEN_ENDED_CONTRACT_TYPES:
        yield "data.contract_id", "An open-ended contract cannot be renewed."
    if contract and _on(event.data, "planned_end_on") < contract.start_on:
        yield (
            "data.planned_end_on",
            f"Must not be before the contract started ({contract.start_on}).",
        )


def _contract_ended(state: PathwayState, event: Event, ctx: Context) -> Problems:
    contract = state.contracts.get(event.data["contract_id"])
    yield from _running_contract(state, event.data["contract_id"])
    if contract and _on(event.data, "ended_on") < contract.start_on:
        yield "data.ended_on", f"Must not be before the contract started ({contract.start_on})."
    yield from _occurred_on_is(event, "ended_on")


# --- work -----------------------------------------------------------------------------------------


def _mise_a_disposition(state: PathwayState, event: Event, ctx: Context) -> Problems:
    if ctx.kind not in codes.MAD_KINDS:
        yield "type", f"A structure of kind {ctx.kind} does not put workers at a client's disposal."
    start_on = _on(event.data, "start_on")
    if not any(c.ran_during(start_on, start_on) for c in state.contracts.values()):
        yield "data.start_on", "No contract of the pathway is running on this date."
    yield from _occurred_on_is(event, "start_on")


def _hours_worked(state: PathwayState, event: Event, ctx: Context) -> Problems:
    first = date.fromisoformat(event.data["month"] + "-01")
    last = first + relativedelta(months=1, days=-1)
    if first > event.occurred_on:
        yield "data.month", "Hours cannot be declared for a month after the event's date."
    if not any(c.ran_during(first, last) for c in state.contracts.values()):
        yield "data.month", "No contract of the pathway ran during this month."


# --- training, support, immersion -----------------------------------------------------------------


def _training_started(state: PathwayState, event: Event, ctx: Context) -> Problems:
    if event.data["training_id"] in state.trainings:
        yield "data.training_id", "This training was already started."


def _training_completed(state: PathwayState, event: Event, ctx: Context) -> Problems:
    training = state.trainings.get(event.data["training_id"])
    if training is None:
        yield "data.training_id", "No training started with this id in the pathway."
    elif training.completed_on is not None:
        yield "data.training_id", "This training is already completed."


def _nothing_more(state: PathwayState, event: Event, ctx: Context) -> Problems:
    """Accepted whenever the pathway is open (support actions, exits)."""
    yield from ()


def _immersion(state: PathwayState, event: Event, ctx: Context) -> Problems:
    prescribed_by = event.data.get("prescribed_by")
    if ctx.kind in codes.NO_IMMERSION_KINDS and prescribed_by != codes.PRESCRIBER_FOR_ANY_KIND:
        yield (
            "type",
            (
                f"A structure of kind {ctx.kind} cannot prescribe an immersion (PMSMP) itself: "
                "only France Travail can (prescribed_by: france_travail)."
            ),
        )


# --- PASS IAE -------------------------------------------------------------------------------------


def _has_pass(state: PathwayState) -> Problems:
    if state.pass_iae is None:
        yield "type", "The pathway has no PASS IAE."


def _pass_suspended(state: PathwayState, event: Event, ctx: Context) -> Problems:
    """Within the PASS dates, no overlap, CONTRAT_PASSERELLE only in EI and ACI."""
    yield from _has_pass(state)
    reason = event.data["reason"]
    if ctx.kind not in codes.SUSPENSION_REASON_KINDS[reason]:
        yield "data.reason", f"{reason} is not open to a structure of kind {ctx.kind}."
    if state.pass_iae:
        yield from _suspension_dates(state, _on(event.data, "start_on"), _on(event.data, "end_on"))
    yield from _occurred_on_is(event, "start_on")


def _suspension_dates(state: PathwayState, start_on: date, end_on: date) -> Problems:
    """A suspension starts while the PASS runs and overlaps no other one."""
    assert state.pass_iae is not None
    pass_start, pass_end = state.pass_iae.start_on, state.pass_iae.end_on
    if not pass_start <= start_on <= pass_end:
        yield "data.start_on", f"Must be within the PASS IAE dates ({pass_start} to {pass_end})."
    for other in state.pass_iae.suspensions:
        if other.start_on <= end_on and start_on <= other.end_on:
            yield "data.start_on", f"Overlaps the suspension of {other.start_on} to {other.end_on}."


def _pass_prolonged(state: PathwayState, event: Event, ctx: Context) -> Problems:
    """Prolongation limits of domain §4, per reason."""
    yield from _has_pass(state)
    reason = event.data["reason"]
    if ctx.kind not in codes.PROLONGATION_RULES[reason].kinds:
        yield "data.reason", f"{reason} is not open to a structure of kind {ctx.kind}."
    if state.pass_iae:
        yield from _prolongation_dates(state, event)
        yield from _prolongation_reason(state, event, ctx)


def _prolongation_dates(state: PathwayState, event: Event) -> Problems:
    """Declared from 12 months before to 6 months after the current end, and extending it."""
    assert state.pass_iae is not None
    current_end, new_end = state.pass_iae.end_on, _on(event.data, "end_on")
    if new_end <= current_end:
        yield "data.end_on", f"Must be after the current end of the PASS IAE ({current_end})."
    earliest = current_end - relativedelta(months=PROLONGATION_DECLARED_MONTHS_BEFORE)
    latest = current_end + relativedelta(months=PROLONGATION_DECLARED_MONTHS_AFTER)
    if not earliest <= event.occurred_on <= latest:
        yield "occurred_on", f"A prolongation is declared between {earliest} and {latest}."
    yield from _prolongation_length(state, event.data["reason"], (new_end - current_end).days)


def _prolongation_length(state: PathwayState, reason: str, days: int) -> Problems:
    """Maximum per request, and in total beyond the 2 years: the reason's cap applies to every
    prolongation of the PASS together, whatever their reasons (docs/domain.md §4)."""
    assert state.pass_iae is not None
    rule = codes.PROLONGATION_RULES[reason]
    if rule.max_days_per_request is not None and days > rule.max_days_per_request:
        yield (
            "data.end_on",
            f"A {reason} prolongation lasts at most {rule.max_days_per_request} days.",
        )
    done = sum(p.extension_days for p in state.pass_iae.prolongations)
    if rule.max_days_in_total is not None and done + days > rule.max_days_in_total:
        yield (
            "data.end_on",
            f"With a {reason} prolongation, the prolongations of a PASS IAE total at most "
            f"{rule.max_days_in_total} days, whatever their reasons ({done} already granted).",
        )


def _prolongation_reason(state: PathwayState, event: Event, ctx: Context) -> Problems:
    """Facts a reason needs: age for SENIOR and SENIOR_CDI, a training for COMPLETE_TRAINING."""
    reason = event.data["reason"]
    minimum = PROLONGATION_MIN_AGE.get(reason)
    person = ctx.person
    if minimum and person and age_on(person.birth_date, event.occurred_on) < minimum:
        yield "data.reason", f"{reason} needs a person aged {minimum} or more."
    if reason == "COMPLETE_TRAINING" and not _training_in_progress(state):
        yield "data.reason", "COMPLETE_TRAINING needs a training in progress (training_started)."


def _training_in_progress(state: PathwayState) -> bool:
    return any(t.completed_on is None for t in state.trainings.values())


# --- exit and corrections -------------------------------------------------------------------------


def _voided(state: PathwayState, event: Event, ctx: Context) -> Problems:
    """The target is an earlier event of this pathway, not yet voided, not a void or the opening."""
    target = event_key(event.data["event_id"])
    target_type = state.event_types.get(target)
    if target_type is None:
        yield "data.event_id", "No earlier event with this id in this pathway."
    elif target in state.voided_ids:
        yield "data.event_id", "This event is already voided."
    elif target_type == ev.EVENT_VOIDED:
        yield "data.event_id", "A void cannot be voided."
    elif target_type == ev.PATHWAY_OPENED:
        yield "data.event_id", "The opening cannot be voided: exit the pathway instead."


def _post_exit(state: PathwayState, event: Event, ctx: Context) -> Problems:
    """Only on an exited pathway, dated from the exit on (docs/domain.md §8)."""
    problem = post_exit.recording_problem(state.exit.on if state.exit else None, event.occurred_on)
    if problem:
        yield ("type" if state.exit is None else "occurred_on"), problem


RULES: dict[str, Callable[[PathwayState, Event, Context], Problems]] = {
    ev.PATHWAY_OPENED: _opened,
    ev.CONTRACT_STARTED: _contract_started,
    ev.CONTRACT_RENEWED: _contract_renewed,
    ev.CONTRACT_ENDED: _contract_ended,
    ev.MISE_A_DISPOSITION_RECORDED: _mise_a_disposition,
    ev.HOURS_WORKED_RECORDED: _hours_worked,
    ev.TRAINING_STARTED: _training_started,
    ev.TRAINING_COMPLETED: _training_completed,
    ev.SUPPORT_ACTION_RECORDED: _nothing_more,
    ev.IMMERSION_RECORDED: _immersion,
    ev.PASS_SUSPENDED: _pass_suspended,
    ev.PASS_PROLONGED: _pass_prolonged,
    ev.PATHWAY_EXITED: _nothing_more,
    ev.EVENT_VOIDED: _voided,
    ev.POST_EXIT_SITUATION_RECORDED: _post_exit,
}
