"""Retrying a parked pathway (docs/adr/0015-parked-pathways.md): once the cause is fixed (a
newer code that reads the event, or a void of the faulty event appended to the log), the
pathway is derived again from its whole copied stream, under the projection's checkpoint lock
so that no catch-up batch interleaves."""

from __future__ import annotations

import uuid

from sqlalchemy import Engine, text

from services.reporting.catchup import checkpoints
from services.reporting.projections import parking
from services.reporting.projections.registry import PROJECTIONS

# A rebuild holds the lock while it swaps its tables in: the retry waits that long at most.
LOCK_PATIENCE_SECONDS = 5


class NotParked(Exception):
    """The projection sets no pathway aside, or not this one."""


def retry(engine: Engine, name: str, pathway_id: str) -> parking.Parked | None:
    """Derive a parked pathway again: None when it is healed, else why it stays parked (the
    new error is recorded). Raises NotParked when there is nothing to retry."""
    projection = PROJECTIONS.get(name)
    if projection is None or projection.retry is None or not _is_uuid(pathway_id):
        raise NotParked()
    with engine.begin() as conn:
        conn.execute(text(f"SET LOCAL lock_timeout = '{LOCK_PATIENCE_SECONDS}s'"))
        checkpoints.lock(conn, projection.name)
        if not parking.is_parked(conn, projection.schema, pathway_id):
            raise NotParked()
        return projection.retry(conn, pathway_id, projection.schema)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
