"""The events of one synthetic pathway being built, and the pathway they end up as.

Pure: the ids of a pathway's events derive from its own id, so a seed always gives the same log.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from client.synthetic import PersonSpec, demo_id
from shared.domain import events as ev

# Order of events of the same day: what must exist first comes first, the exit last.
PRIORITY = {
    t: i
    for i, t in enumerate(
        (
            ev.PATHWAY_OPENED,
            ev.CONTRACT_STARTED,
            ev.CONTRACT_RENEWED,
            ev.MISE_A_DISPOSITION_RECORDED,
            ev.HOURS_WORKED_RECORDED,
            ev.TRAINING_STARTED,
            ev.TRAINING_COMPLETED,
            ev.SUPPORT_ACTION_RECORDED,
            ev.IMMERSION_RECORDED,
            ev.CONTRACT_ENDED,
            ev.PATHWAY_EXITED,
        )
    )
}


@dataclass(frozen=True)
class PathwaySpec:
    pathway_id: str
    structure_index: int
    kind: str
    person: PersonSpec
    opened_on: date
    exited_on: date | None
    exit_reason: str | None
    events: tuple[dict, ...]

    def events_for(self, structure_id: str, person_id: str) -> list[dict]:
        """The events to post, the opening naming the structure and person the services gave."""
        opened = self.events[0]
        data = {**opened["data"], "person_id": person_id, "structure_id": structure_id}
        return [{**opened, "data": data}, *self.events[1:]]


@dataclass
class Timeline:
    """The events of one pathway being built, with what their dates must respect."""

    rng: random.Random
    pathway_id: str
    opened_on: date
    last_day: date
    today: date
    exited: bool
    items: list[tuple[date, str, dict]] = field(default_factory=list)

    def add(self, on: date, event_type: str, data: dict) -> None:
        self.items.append((on, event_type, data))

    def some_day(self, after_days: int = 0) -> date | None:
        """A day of the pathway at least `after_days` after the opening, if there is one."""
        span = (self.last_day - self.opened_on).days - after_days
        if span < 0:
            return None
        return self.opened_on + timedelta(days=after_days + self.rng.randint(0, span))

    def child_id(self, *parts: object) -> str:
        return demo_id(0, self.pathway_id, *parts)

    def events(self) -> tuple[dict, ...]:
        ordered = sorted(self.items, key=lambda item: (item[0], PRIORITY[item[1]]))
        return tuple(
            {
                "id": self.child_id("event", i),
                "type": t,
                "occurred_on": on.isoformat(),
                "data": data,
            }
            for i, (on, t, data) in enumerate(ordered)
        )


def weighted(rng: random.Random, weights: Mapping[str, float]) -> str:
    """One key drawn with its weight."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]
