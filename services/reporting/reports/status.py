"""Projection status for operators: position, head of the log, lag, failure."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection

from services.reporting.catchup import checkpoints
from services.reporting.catchup.feed import FeedUnavailable
from services.reporting.projections import parking
from services.reporting.projections.registry import PROJECTIONS, Projection


def projection_status(conn: Connection, clients: dict) -> list[dict]:
    return [
        {**_one(vars(c), clients[PROJECTIONS[c.name].log]), **_parked(conn, PROJECTIONS[c.name])}
        for c in checkpoints.every(conn)
        if c.name in PROJECTIONS
    ]


def _parked(conn: Connection, projection: Projection) -> dict:
    """How many pathways the projection set aside, and the oldest (none for a projection
    without pathways: a failure stops it, `status`)."""
    if projection.retry is None:
        return {"parked": 0, "oldest_parked": None}
    count, oldest = parking.summary(conn, projection.schema)
    return {"parked": count, "oldest_parked": oldest}


def _one(row: dict, client) -> dict:
    """Head and lag from the log itself; null when the log cannot be read right now."""
    head = lag_seconds = None
    try:
        head = client.head(row["position"])
        nxt = client.page(row["position"], 1) if head > row["position"] else []
        lag_seconds = _seconds_since(nxt[0].get("recorded_at") if nxt else None, row, head)
    except FeedUnavailable:
        pass
    return {
        "name": row["name"],
        "position": row["position"],
        "head_position": head,
        "lag_events": None if head is None else head - row["position"],
        "lag_seconds": lag_seconds,
        "status": row["status"],
        "last_error": row["last_error"],
    }


def _seconds_since(recorded_at: str | None, row: dict, head: int) -> float:
    """Age of the oldest entry not yet applied (or of the checkpoint when entries carry none)."""
    if head <= row["position"]:
        return 0.0
    since = (
        datetime.fromisoformat(recorded_at.replace("Z", "+00:00"))
        if recorded_at
        else row["updated_at"]
    )
    return round(max((datetime.now(UTC) - since).total_seconds(), 0.0), 3)
