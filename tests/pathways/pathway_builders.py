"""Builders of pathway events and contexts with sensible defaults: tests name only what matters.

Event data is built in its stored JSON form (ISO dates, UUID strings), like the log holds it.
"""

from datetime import date
from typing import Any
from uuid import uuid4

from services.pathways.decide.pathway import Context, Event, PathwayState, PersonFacts, decide, fold

TODAY = date(2026, 6, 15)
OPENED_ON = date(2025, 1, 6)
STRUCTURE_ID = "5d1c9f0e-7d0a-4c9e-9a53-3f1f5b2f0a01"
PERSON_ID = "9b2e4c1a-0f7e-4d5b-8c3a-6e2d1f0b9c02"
COMPANY_SIRET = "73282932000074"
OTHER_COMPANY_SIRET = "35600000049837"


def new_id() -> str:
    return str(uuid4())


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def person(birth_date: date = date(1980, 3, 1), sex: str = "F") -> PersonFacts:
    return PersonFacts(person_id=PERSON_ID, birth_date=birth_date, sex=sex)


def context(
    kind: str = "ACI",
    today: date = TODAY,
    who: PersonFacts | None = None,
    structure_id: str = STRUCTURE_ID,
) -> Context:
    return Context(structure_id=structure_id, kind=kind, today=today, person=who or person())


def event(event_type: str, occurred_on: date, data: dict[str, Any], id: str | None = None) -> Event:
    return Event(id=id or new_id(), type=event_type, occurred_on=occurred_on, data=data)


def pass_data(start_on: date = OPENED_ON, end_on: date = date(2027, 1, 5)) -> dict[str, str]:
    return {"number": "999991234567", "start_on": iso(start_on), "end_on": iso(end_on)}


def opened(
    on: date = OPENED_ON,
    diagnosed_by: str = "prescriber",
    criteria: tuple[str, ...] = ("RSA",),
    pass_iae: dict[str, str] | None = None,
    **data: Any,
) -> Event:
    payload = {
        "person_id": PERSON_ID,
        "structure_id": STRUCTURE_ID,
        "orienteur": "03",
        "eligibility": {"diagnosed_by": diagnosed_by, "criteria": list(criteria)},
        "pass_iae": pass_iae or pass_data(),
        **data,
    }
    return event("pathway_opened", on, payload)


def contract_started(
    start_on: date = OPENED_ON,
    contract_type: str = "CDDI",
    planned_end_on: date | None = date(2025, 7, 5),
    weekly_hours: float = 26,
    contract_id: str | None = None,
) -> Event:
    data = {
        "contract_id": contract_id or new_id(),
        "contract_type": contract_type,
        "start_on": iso(start_on),
        "weekly_hours": weekly_hours,
    }
    if planned_end_on:
        data["planned_end_on"] = iso(planned_end_on)
    return event("contract_started", start_on, data)


def contract_renewed(contract_id: str, planned_end_on: date, on: date) -> Event:
    data = {"contract_id": contract_id, "planned_end_on": iso(planned_end_on)}
    return event("contract_renewed", on, data)


def contract_ended(contract_id: str, ended_on: date, reason: str = "term") -> Event:
    data = {"contract_id": contract_id, "ended_on": iso(ended_on), "reason": reason}
    return event("contract_ended", ended_on, data)


def mad(
    start_on: date,
    end_on: date | None = None,
    hours: float = 35,
    client_kind: str = "entreprise",
    client_siret: str | None = COMPANY_SIRET,
) -> Event:
    data: dict[str, Any] = {
        "client_kind": client_kind,
        "start_on": iso(start_on),
        "end_on": iso(end_on or start_on),
        "hours": hours,
    }
    if client_siret:
        data["client_siret"] = client_siret
    return event("mise_a_disposition_recorded", start_on, data)


def hours_worked(month: str, hours: float, on: date | None = None) -> Event:
    declared_on = on or date.fromisoformat(month + "-28")
    return event("hours_worked_recorded", declared_on, {"month": month, "hours": hours})


def training_started(on: date, training_id: str | None = None, kind: str = "qualifying") -> Event:
    return event("training_started", on, {"training_id": training_id or new_id(), "kind": kind})


def training_completed(training_id: str, on: date, hours: float = 70) -> Event:
    data = {"training_id": training_id, "hours": hours, "certified": True}
    return event("training_completed", on, data)


def support_action(on: date, topic: str = "logement", domain: str = "social") -> Event:
    data = {"domain": domain, "topic": topic, "delivery": "internal"}
    return event("support_action_recorded", on, data)


def immersion(start_on: date, end_on: date | None = None) -> Event:
    data = {"objective": "discover", "start_on": iso(start_on), "end_on": iso(end_on or start_on)}
    return event("immersion_recorded", start_on, data)


def pass_suspended(start_on: date, end_on: date, reason: str = "CONTRACT_BROKEN") -> Event:
    data = {"start_on": iso(start_on), "end_on": iso(end_on), "reason": reason}
    return event("pass_suspended", start_on, data)


def pass_prolonged(on: date, end_on: date, reason: str = "RQTH") -> Event:
    return event("pass_prolonged", on, {"end_on": iso(end_on), "reason": reason})


def exited(on: date, reason: str = "cdi", transferred_to: dict[str, str] | None = None) -> Event:
    data: dict[str, Any] = {"reason": reason}
    if transferred_to:
        data["transferred_to"] = transferred_to
    return event("pathway_exited", on, data)


def post_exit(on: date, months_after: int = 6, situation: str = "cdi", source: str = "person"):
    data = {"months_after": months_after, "situation": situation, "source": source}
    return event("post_exit_situation_recorded", on, data)


def voided(target: Event, on: date | None = None) -> Event:
    data = {"event_id": target.id, "reason": "Erreur de saisie"}
    return event("event_voided", on or target.occurred_on, data)


def pathway(*events: Event, opening: Event | None = None) -> PathwayState:
    """State of an opened pathway followed by the given events."""
    return fold((opening or opened(), *events))


def errors_of(state: PathwayState, *events: Event, ctx: Context | None = None) -> dict:
    return decide(state, list(events), ctx or context()).errors


def warning_codes(state: PathwayState, *events: Event, ctx: Context | None = None) -> list[str]:
    decision = decide(state, list(events), ctx or context())
    assert decision.accepted, decision.errors
    return [w.code for w in decision.warnings]
