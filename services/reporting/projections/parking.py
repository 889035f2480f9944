"""Parked pathways: a pathway whose events a projection cannot apply is set aside, not the
projection (docs/adr/0015-parked-pathways.md).

Deriving a pathway is pure (fold, then rows), so a failure there concerns that pathway alone:
`derive` runs it and answers either the state or why it failed. A failing pathway is recorded
in `<schema>.parked` with the first event of its copied stream after which it cannot be derived
(`locate`), a pure function of the stream: catch-up, a retry and a rebuild name the same event
and the same error. A parked pathway has no derived rows, no state and no tally contributions;
its later events are copied with the log but not applied, until a retry derives it again from
its whole copied stream.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any, TypeVar

import orjson
from sqlalchemy import Connection, text

from services.reporting.projections.derive import EventNotApplicable
from shared.domain import events as ev

TABLE = "parked"
T = TypeVar("T")
# The error kept for an operator: the first line of the exception, bounded.
MAX_ERROR = 500

HELD = """
SELECT pathway_id::text FROM {s}.parked WHERE pathway_id = ANY(CAST(:ids AS uuid[]))
"""
PARK = """
INSERT INTO {s}.parked (pathway_id, structure_id, position, event_id, type, occurred_on, error)
SELECT pathway_id, structure_id, position, event_id, type, occurred_on, error
  FROM json_populate_recordset(NULL::{s}.parked, CAST(:doc AS json))
ON CONFLICT (pathway_id) DO UPDATE SET
  structure_id = excluded.structure_id, position = excluded.position,
  event_id = excluded.event_id, type = excluded.type, occurred_on = excluded.occurred_on,
  error = excluded.error
"""
UNPARK = "DELETE FROM {s}.parked WHERE pathway_id = CAST(:id AS uuid)"
FORGET_STATES = "DELETE FROM {s}.states WHERE pathway_id = ANY(CAST(:ids AS uuid[]))"
ONE = "SELECT pathway_id::text FROM {s}.parked WHERE pathway_id = CAST(:id AS uuid)"
COUNT = "SELECT count(*) FROM {s}.parked"
OLDEST = """
SELECT pathway_id::text, position, occurred_on, type, error
  FROM {s}.parked ORDER BY position, pathway_id LIMIT 1
"""


@dataclass(frozen=True)
class Parked:
    """A pathway set aside: the event from which it cannot be derived, and the error."""

    pathway_id: str
    structure_id: str | None
    position: int
    event_id: str
    type: str
    occurred_on: date | str
    error: str

    def row(self) -> dict[str, Any]:
        return vars(self)


def attempt(derivation: Callable[[], T]) -> tuple[T | None, str | None]:
    """(what the derivation gives, None), or (None, the error) when it fails.

    Every exception of a pathway's pure derivation is that pathway's: an unknown schema
    version, data the fold refuses, a bug in a derive function. It holds no connection and
    writes nothing, so nothing is left half-done when it fails."""
    try:
        return derivation(), None
    except Exception as error:  # the pathway's failure, recorded with it (ADR 0015)
        return None, describe(error)


def describe(error: Exception) -> str:
    """The error as an operator reads it: the reader's own message for an event it refuses,
    else the exception's type and first line (a bug)."""
    message = str(error).splitlines()[0] if str(error) else ""
    if isinstance(error, EventNotApplicable):
        return message[:MAX_ERROR]
    return f"{type(error).__name__}: {message}"[:MAX_ERROR]


def locate(
    pid: str, stream: list[dict[str, Any]], derivation: Callable[[list[dict[str, Any]]], object]
) -> Parked:
    """The first event of a failing pathway's copied stream after which `derivation` (fold
    and rows of a stream) fails, with that error. Only failing pathways are located."""
    for k in range(1, len(stream) + 1):
        _, error = attempt(partial(derivation, stream[:k]))
        if error is not None:
            return _parked(pid, stream, stream[k - 1], error)
    # Derivable whole but not event by event cannot happen (the fold is incremental): blame
    # the last event rather than lose the pathway.
    return _parked(pid, stream, stream[-1], "échec non reproduit sur le flux copié")


def _parked(pid: str, stream: list[dict[str, Any]], event: dict[str, Any], error: str) -> Parked:
    opening = stream[0]["data"] if stream[0]["type"] == ev.PATHWAY_OPENED else {}
    structure = opening.get("structure_id") if isinstance(opening, dict) else None
    return Parked(
        pid,
        str(structure) if structure else None,
        event["position"],
        str(event.get("event_id") or event.get("id")),
        event["type"],
        event["occurred_on"],
        error,
    )


def held(conn: Connection, schema: str, ids: Iterable[str]) -> set[str]:
    """The pathways among `ids` that are parked: their new events are copied, not applied."""
    found = conn.execute(text(HELD.format(s=schema)), {"ids": sorted(ids)}).scalars()
    return set(found)


def park(conn: Connection, schema: str, parked: list[Parked]) -> None:
    """Record the parked pathways (an error found again replaces the one recorded) and forget
    their states: a retry folds their whole copied stream."""
    if not parked:
        return
    doc = orjson.dumps([p.row() for p in parked], default=str).decode()
    conn.execute(text(PARK.format(s=schema)), {"doc": doc})
    ids = [p.pathway_id for p in parked]
    conn.execute(text(FORGET_STATES.format(s=schema)), {"ids": ids})


def unpark(conn: Connection, schema: str, pid: str) -> None:
    conn.execute(text(UNPARK.format(s=schema)), {"id": pid})


def is_parked(conn: Connection, schema: str, pid: str) -> bool:
    return conn.execute(text(ONE.format(s=schema)), {"id": pid}).first() is not None


def summary(conn: Connection, schema: str) -> tuple[int, dict | None]:
    """How many pathways are parked, and the oldest of them (lowest log position)."""
    count = conn.execute(text(COUNT.format(s=schema))).scalar_one()
    oldest = conn.execute(text(OLDEST.format(s=schema))).mappings().first()
    return count, dict(oldest) if oldest else None
