"""The projections reporting maintains, each with its schema, its log and how to apply a page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine

from services.reporting.projections import (
    measure_hours,
    outcomes,
    outcomes_bulk,
    parking,
    reference,
)
from services.reporting.projections import tally_layout as layout


@dataclass(frozen=True)
class Bulk:
    """How a rebuild fills empty tables faster than page by page: copy each log page as it
    comes, then derive everything from the copy (`derive(engine, schema, progress)`)."""

    copy_page: Callable[[Connection, list[dict], str], None]
    derive: Callable[[Engine, str, Callable[[int], None]], int]


@dataclass(frozen=True)
class Projection:
    name: str
    schema: str
    tables: tuple[str, ...]
    log: str  # "feed" (pathways events) or "changes" (registry reference data)
    key: str  # the ordering field of the log's entries
    apply: Callable[[Connection, list[dict], str], None]
    bulk: Bulk | None = None
    # Derive one parked pathway again (`parking`): None once healed, else why it stays parked.
    # Projections without it have no pathways to set aside: a failure stops them.
    retry: Callable[[Connection, str, str], parking.Parked | None] | None = None


PROJECTIONS: dict[str, Projection] = {
    "outcomes": Projection(
        "outcomes",
        outcomes.SCHEMA,
        (
            "events",
            outcomes.STATES,
            *outcomes.DERIVED,
            *layout.GRAINS,
            *layout.TABLES,
            measure_hours.TABLE,
            parking.TABLE,
        ),
        "feed",
        "position",
        outcomes.apply,
        Bulk(outcomes_bulk.copy_page, outcomes_bulk.derive_all),
        outcomes.retry,
    ),
    "reference": Projection(
        "reference", reference.SCHEMA, reference.TABLES, "changes", "seq", reference.apply
    ),
}
# The nudge "all" means: the event log moved, catch up every projection built from events.
EVENT_PROJECTIONS = tuple(name for name, p in PROJECTIONS.items() if p.log == "feed")


def named(nudge: str) -> list[Projection]:
    """The projections a nudge names ("all" = every event projection); unknown → none."""
    if nudge == "all":
        return [PROJECTIONS[n] for n in EVENT_PROJECTIONS]
    return [PROJECTIONS[nudge]] if nudge in PROJECTIONS else []
