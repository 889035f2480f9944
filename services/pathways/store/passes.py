"""The PASS IAE events of a person's other pathways: what the two-year waiting period needs."""

from datetime import date

from services.pathways.store.events import Query, stored_events
from shared.domain.pathway.limits import latest_pass_end
from shared.domain.pathway.records import Event

# The events that set a PASS's end, of the pathways of the given persons other than those being
# appended to; voids come along so that a voided suspension or prolongation does not count.
EARLIER_PASSES_SQL = """
    SELECT e.event_id, e.pathway_id, e.structure_id, e.version, e.position, e.type,
           e.occurred_on, e.recorded_at, e.schema_version, e.data, NULL AS append, p.person_id
      FROM pathways p
      JOIN events e ON e.pathway_id = p.id
     WHERE p.person_id = ANY(%(persons)s::uuid[])
       AND NOT p.id = ANY(%(pathways)s::uuid[])
       AND e.type IN ('pathway_opened', 'pass_suspended', 'pass_prolonged', 'event_voided')
     ORDER BY p.person_id, e.pathway_id, e.version
"""


def earlier_passes(person_ids: list[str], pathway_ids: list[str]) -> Query:
    """The query of the PASS events of the persons' other pathways (rows: `read_query`'s
    columns, then the person's id)."""
    return EARLIER_PASSES_SQL, {"persons": person_ids, "pathways": pathway_ids}


def latest_pass_ends(rows: list[tuple]) -> dict[str, date | None]:
    """Each person's latest PASS end over their other pathways, from `earlier_passes` rows."""
    streams: dict[str, dict[str, list[Event]]] = {}
    for stored, row in zip(stored_events(rows), rows, strict=True):
        pathways = streams.setdefault(str(row[-1]), {})
        event = Event(stored.id, stored.type, stored.occurred_on, stored.data, stored.version)
        pathways.setdefault(stored.pathway_id, []).append(event)
    return {person: latest_pass_end(found.values()) for person, found in streams.items()}
