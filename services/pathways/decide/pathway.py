"""A pathway's decisions and view: pure functions over its events (design §2, "Validation").

state = fold(stored_events)
decision = decide(state, new_events, ctx)   # errors → 422; warnings returned with the 201
body = view(fold(all_events), kind, today, pathway_id=...)
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from services.pathways.decide.context import Context, PersonFacts
from services.pathways.decide.limit_warnings import LimitWarning, warnings_for
from services.pathways.decide.rules import PROLONGATION_MIN_AGE, check_event, validated
from shared.domain import events as ev
from shared.domain.codes import CLIENT_KINDS
from shared.domain.identifiers import age_band
from shared.domain.outcomes import exit_category, is_counted_exit, pathway_months
from shared.domain.pathway.alerts import Alert, alerts
from shared.domain.pathway.state import Contract, Event, PathwayState, evolve, fold

__all__ = [
    "Alert",
    "Context",
    "Decision",
    "Event",
    "LimitWarning",
    "PathwayState",
    "PersonFacts",
    "alerts",
    "decide",
    "enrich_opened",
    "evolve",
    "fold",
    "view",
]


@dataclass(frozen=True)
class Decision:
    """Errors keyed by request field path (events.{i}.data.x); warnings of accepted events;
    the state once the accepted events are applied (so the caller need not fold again)."""

    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[LimitWarning] = field(default_factory=list)
    state: PathwayState = field(default_factory=PathwayState, compare=False)

    @property
    def accepted(self) -> bool:
        return not self.errors


def decide(
    state: PathwayState, new_events: list[Event], ctx: Context, *, stored: bool = False
) -> Decision:
    """Judge each new event on the state folded with the valid events before it, in order.

    `stored` says the events' data already passed `shared.domain.events.load_event_data` and is in
    its stored form, so it is not checked a second time.
    """
    errors: dict[str, list[str]] = {}
    warnings: list[LimitWarning] = []
    for index, sent in enumerate(new_events):
        event, data_problems = (sent, []) if stored else validated(sent)
        problems = check_event(state, event, ctx, data_problems)
        for path, message in problems:
            errors.setdefault(f"events.{index}.{path}", []).append(message)
        if not problems:
            state = evolve(state, event)
            warnings.extend(warnings_for(state, event, ctx))
    return Decision(errors, warnings, state)


def needs_person(event: Event) -> bool:
    """Whether deciding `event` reads the person's facts (`Context.person`): an opening, a
    contract start (the CDI inclusion warning depends on age), a prolongation for a reason with
    a minimum age. An append of none of these need not read the person at all."""
    if event.type in (ev.PATHWAY_OPENED, ev.CONTRACT_STARTED):
        return True
    return event.type == ev.PASS_PROLONGED and event.data.get("reason") in PROLONGATION_MIN_AGE


def needs_earlier_passes(event: Event) -> bool:
    """Whether deciding `event` reads the PASS of the person's other pathways
    (`Context.previous_pass_end_on`): an opening the employer diagnosed, to which the two-year
    waiting period applies."""
    if event.type != ev.PATHWAY_OPENED:
        return False
    eligibility = event.data.get("eligibility")
    return isinstance(eligibility, dict) and eligibility.get("diagnosed_by") == "employer"


def enrich_opened(data: dict[str, Any], person: PersonFacts, opened_on: date) -> dict[str, Any]:
    """Opening data as stored: sex and age band at entry, so statistics survive an erasure."""
    return {**data, "sex": person.sex, "age_band": age_band(person.birth_date, opened_on)}


def view(state: PathwayState, kind: str, today: date, *, pathway_id: str) -> dict[str, Any]:
    """The JSON body of GET /v1/pathways/{id}."""
    assert state.opened_on is not None, "a pathway is viewed once opened"
    end_on = state.exit.on if state.exit else today
    return {
        "id": pathway_id,
        "person_id": state.person_id,
        "structure_id": state.structure_id,
        "status": state.status,
        "opened_on": state.opened_on.isoformat(),
        "version": state.version,
        "pass_iae": _pass_view(state),
        "contracts": [_contract_view(c) for c in state.contracts.values()],
        "hours_worked": state.hours_worked,
        "mad_hours": _mad_hours(state),
        "months_in_pathway": round(pathway_months(state.opened_on, end_on), 1),
        "exit": _exit_view(state, kind),
        "alerts": [_alert_view(a) for a in alerts(state, kind, today)],
    }


def _pass_view(state: PathwayState) -> dict[str, str | None] | None:
    """The PASS with its end pushed back by suspensions and prolongations; its number is None
    where the reader may not see it, or once erased (docs/domain.md §10)."""
    pass_iae = state.pass_iae
    if pass_iae is None:
        return None
    return {
        "number": pass_iae.number,
        "start_on": pass_iae.start_on.isoformat(),
        "end_on": pass_iae.end_on.isoformat(),
    }


def _contract_view(contract: Contract) -> dict[str, Any]:
    return {
        "contract_id": contract.id,
        "contract_type": contract.type,
        "start_on": contract.start_on.isoformat(),
        "planned_end_on": _iso(contract.planned_end_on),
        "weekly_hours": contract.weekly_hours,
        "rome_code": contract.rome_code,
        "ended_on": _iso(contract.ended_on),
        "end_reason": contract.end_reason,
        "renewals": len(contract.renewals),
    }


def _mad_hours(state: PathwayState) -> dict[str, float]:
    """MAD hours by client kind, every kind present."""
    totals = dict.fromkeys(CLIENT_KINDS, 0.0)
    for mad in state.mises_a_disposition:
        totals[mad.client_kind] += mad.hours
    return totals


def _exit_view(state: PathwayState, kind: str) -> dict[str, Any] | None:
    """Exit with its category and whether it counts in the rates (domain §8)."""
    if state.exit is None or state.opened_on is None:
        return None
    category = exit_category(state.exit.reason)
    counted = is_counted_exit(
        kind, state.first_hired_on, state.exit.on, category, state.hours_worked
    )
    return {
        "on": state.exit.on.isoformat(),
        "reason": state.exit.reason,
        "category": category,
        "counted": counted,
        "transferred_to": state.exit.transferred_to,
    }


def _alert_view(alert: Alert) -> dict[str, str | None]:
    return {"code": alert.code, "message": alert.message, "due_on": _iso(alert.due_on)}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
