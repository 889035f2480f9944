"""One person's file: what the page shows, from the pathway's events as the pathways service
gives them to the structure (void reasons included) and from the domain's fold and limits.

Pure: the view (`dashboard/people.py`) reads the events, the state and the identity over HTTP
and hands them here; nothing is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from shared.domain import codes
from shared.domain import events as ev
from shared.domain.event_labels import event_label, summary
from shared.domain.limits import AI_MAD_COMPANY_MAX_HOURS, CDDI_MAX_MONTHS
from shared.domain.pathway import limits
from shared.domain.pathway.messages import french_date, french_hours
from shared.domain.pathway.state import Event, PathwayState, event_key, fold
from shared.domain.post_exit import FOLLOWED_MONTHS, MONTHS_AFTER, MONTHS_AFTER_LABELS, due_on

ERASED = "Personne effacée"


@dataclass
class Entry:
    """One line of the timeline; a voided one says when and why it was voided."""

    on: date
    label: str
    text: str
    voided: bool = False
    voided_on: date | None = None
    void_reason: str | None = None


@dataclass
class FollowUp:
    months_after: int
    label: str
    due_on: date | None
    situation: str | None = None
    source: str | None = None
    recorded_on: date | None = None


@dataclass
class PersonFile:
    name: str
    erased: bool
    birth_date: str | None
    state: PathwayState
    criteria: list[str]
    diagnosed_by: str
    timeline: list[Entry]
    contracts: list[dict]
    limits: list[str]
    follow_ups: list[FollowUp] = field(default_factory=list)


def stream_events(stream: list[dict]) -> list[Event]:
    """The API's events as the domain's fold reads them."""
    return [
        Event(
            str(e["id"]), e["type"], date.fromisoformat(e["occurred_on"]), e["data"], e["version"]
        )
        for e in stream
    ]


def person_file(stream: list[dict], identity: dict | None) -> PersonFile:
    events = stream_events(stream)
    state = fold(events)
    name = ERASED
    if identity:
        name = f"{identity.get('first_name', '')} {identity.get('last_name', '')}".strip()
    return PersonFile(
        name=name,
        erased=identity is None,
        birth_date=identity.get("birth_date") if identity else None,
        state=state,
        criteria=[codes.label(codes.ELIGIBILITY_CRITERIA, c) for c in state.criteria],
        diagnosed_by=codes.label(codes.DIAGNOSED_BY, state.diagnosed_by or ""),
        timeline=timeline(events),
        contracts=contracts(state),
        limits=limit_lines(state),
        follow_ups=follow_ups(state),
    )


def timeline(events: list[Event]) -> list[Entry]:
    """Every event in log order; a voided one marked with its void's date and reason."""
    voids = {event_key(e.data.get("event_id", "")): e for e in events if e.type == ev.EVENT_VOIDED}
    entries = []
    for e in events:
        void = voids.get(event_key(e.id))
        text = summary(e.type, e.data)
        if e.type == ev.EVENT_VOIDED:
            target = next((t for t in events if event_key(t.id) == voids_target(e)), None)
            what = event_label(target.type).lower() if target else "un événement"
            text = f"Annule : {what} — motif : {summary(e.type, e.data)}"
        entries.append(
            Entry(
                on=e.occurred_on,
                label=event_label(e.type),
                text=text,
                voided=void is not None,
                voided_on=void.occurred_on if void else None,
                void_reason=summary(ev.EVENT_VOIDED, void.data) if void else None,
            )
        )
    return entries


def voids_target(void: Event) -> str:
    return event_key(void.data.get("event_id", ""))


def contracts(state: PathwayState) -> list[dict]:
    """The pathway's contracts, the latest first, as the page lists them."""
    rows = []
    for c in sorted(state.contracts.values(), key=lambda c: c.start_on, reverse=True):
        rows.append(
            {
                "type": codes.label(codes.CONTRACT_TYPES, c.type),
                "start_on": c.start_on,
                "planned_end_on": c.planned_end_on,
                "ended_on": c.ended_on,
                "weekly_hours": french_hours(c.weekly_hours),
                "running": c.running,
            }
        )
    return rows


def limit_lines(state: PathwayState) -> list[str]:
    """Where the pathway stands against its legal limits, in the words of the domain's rules."""
    lines = []
    cddi = limits.cddi_limit(state)
    if cddi is not None:
        lines.append(
            f"CDDI : {CDDI_MAX_MONTHS} mois au plus en tout, "
            f"atteints le {french_date(cddi.last_on)}"
        )
    for mission in limits.mission_limits(state):
        lines.append(
            f"Contrat de mission du {french_date(mission.start_on)} : 24 mois au plus, "
            f"atteints le {french_date(mission.last_on)}"
        )
    for window in limits.company_mad_windows(state.mises_a_disposition):
        lines.append(
            f"Mises à disposition en entreprises du {french_date(window.start_on)} au "
            f"{french_date(window.last_on)} : {french_hours(window.hours)} sur "
            f"{french_hours(AI_MAD_COMPANY_MAX_HOURS)}"
        )
    return lines


def follow_ups(state: PathwayState) -> list[FollowUp]:
    """The follow-ups after the exit: each one's due date and the situation recorded, if any."""
    if state.exit is None:
        return []
    recorded = {s.months_after: s for s in state.post_exit}
    found = []
    for months in MONTHS_AFTER:
        s = recorded.get(months)
        found.append(
            FollowUp(
                months_after=months,
                label=MONTHS_AFTER_LABELS[months],
                due_on=due_on(state.exit.on, months),
                situation=codes.label(codes.POST_EXIT_SITUATIONS, s.situation) if s else None,
                source=codes.label(codes.POST_EXIT_SOURCES, s.source) if s else None,
                recorded_on=s.recorded_on if s else None,
            )
        )
    return [f for f in found if f.months_after in FOLLOWED_MONTHS or f.situation]
