"""Exactly-once appends: a retried request is recognised by its event ids and answered as before.

Pure: it compares a request with what the log already holds (design §2, "Idempotency").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.domain.events import OPENED_SERVER_FIELDS, PATHWAY_OPENED, split_sealed
from shared.domain.pathway.state import Event


@dataclass
class Known:
    """An event the log holds (or that this transaction is about to store)."""

    id: str
    pathway_id: str
    structure_id: str
    version: int
    type: str
    occurred_on: date
    data: dict
    append: dict | None  # first event of an append: {"count": n, "warnings": [...]}
    answer: dict  # {"id", "version", "position"} as the append answered it

    def as_event(self) -> Event:
        return Event(self.id, self.type, self.occurred_on, self.data, self.version)


class EventIdConflict(Exception):
    """An event id of the request is already stored with other content, or elsewhere."""


def client_data(known: Known) -> dict:
    """The data as the client sent it: without what the server added to the opening."""
    if known.type != PATHWAY_OPENED:
        return known.data
    return {k: v for k, v in known.data.items() if k not in OPENED_SERVER_FIELDS}


def same_content(known: Known, event: Event) -> bool:
    return (
        known.type == event.type
        and known.occurred_on == event.occurred_on
        and _same_data(known.type, client_data(known), event.data)
    )


_ABSENT = object()


def _same_data(event_type: str, stored: dict, sent: dict) -> bool:
    """Equal data; a value sealed out of the log (docs/domain.md §10) that reads as None is gone
    (erased with the person) or unknown, and is not compared: a client never sends a null."""
    stored_kept, stored_values = split_sealed(event_type, stored)
    sent_kept, sent_values = split_sealed(event_type, sent)
    if stored_kept != sent_kept:
        return False
    return all(
        stored_values.get(path, _ABSENT) is None
        or stored_values.get(path, _ABSENT) == sent_values.get(path, _ABSENT)
        for path in stored_values.keys() | sent_values.keys()
    )


def replay(pathway_id: str, events: list[Event], index: dict[str, Known]) -> dict | None:
    """The original answer when `events` were all stored by one earlier identical request.

    None when none of the ids is known (a new request); EventIdConflict when only some are, or
    with other content, or in another pathway.
    """
    found = [index.get(e.id) for e in events]
    if not any(found):
        return None
    stored = [k for k in found if k is not None]
    if len(stored) != len(events) or not _is_one_append(pathway_id, stored, events):
        raise EventIdConflict()
    return {
        "pathway_id": pathway_id,
        "version": stored[-1].version,
        "events": [k.answer for k in stored],
        "warnings": stored[0].append["warnings"] if stored[0].append else [],
    }


def _is_one_append(pathway_id: str, stored: list[Known], events: list[Event]) -> bool:
    """Same pathway, consecutive versions from the start of one append, same content."""
    first = stored[0]
    if first.append is None or first.append.get("count") != len(events):
        return False
    return all(
        k.pathway_id == pathway_id and k.version == first.version + i and same_content(k, e)
        for i, (k, e) in enumerate(zip(stored, events, strict=True))
    )
