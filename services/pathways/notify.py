"""After-commit nudges to the reporting worker: names of projections only, never event data."""

from __future__ import annotations

import logging

from redis import Redis

from shared import queues

log = logging.getLogger("iae.pathways.notify")
PROJECTIONS_TO_NUDGE = ("all",)


def after_commit(conn: Redis, prefix: str) -> None:
    """Nudge reporting; a Redis outage is logged, never fails the append (the sweep catches up)."""
    for name in PROJECTIONS_TO_NUDGE:
        try:
            queues.nudge(conn, prefix, name)
        except Exception as exc:  # Redis down or slow: the worker's periodic sweep covers it
            log.warning("nudge not sent", extra={"projection": name, "error": type(exc).__name__})
