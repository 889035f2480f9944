"""Which ids of earlier imports a structure owns (services/pathways/imports/ids.py): those of
its pathways, and of the events it appended. An id another structure took is never one of them."""

from __future__ import annotations

from sqlalchemy import Connection, text

PATHWAYS = text(
    "SELECT CAST(id AS text) FROM pathways"
    " WHERE id = ANY(CAST(:ids AS uuid[])) AND structure_id = :s"
)
EVENTS = text(
    "SELECT CAST(event_id AS text) FROM events"
    " WHERE event_id = ANY(CAST(:ids AS uuid[])) AND structure_id = :s"
)


def owned_pathways(conn: Connection, structure_id: str, ids: list[str]) -> set[str]:
    """The pathways among `ids` that the structure opened."""
    return _found(conn, PATHWAYS, structure_id, ids)


def owned_events(conn: Connection, structure_id: str, ids: list[str]) -> set[str]:
    """The events among `ids` that the structure appended."""
    return _found(conn, EVENTS, structure_id, ids)


def _found(conn: Connection, query, structure_id: str, ids: list[str]) -> set[str]:
    if not ids:
        return set()
    return set(conn.execute(query, {"ids": ids, "s": structure_id}).scalars())
