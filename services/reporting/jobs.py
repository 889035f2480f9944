"""RQ entry points. A job is a nudge: it names a projection and carries no event data."""

from __future__ import annotations

import logging

from sqlalchemy import Engine, text

from services.reporting.feed import FeedClient
from services.reporting.projections import facts
from shared import db, queues
from shared.settings import Settings

log = logging.getLogger("iae.reporting.jobs")
_context: dict = {}


def configure(settings: Settings) -> None:
    """Bind the jobs of this process to `settings` (the worker does it at start)."""
    dispose()
    _context["settings"] = settings
    _context["engine"] = db.make_engine(settings.database_url_for("reporting"), pool_size=2)
    _context["feed"] = FeedClient(settings)


def dispose() -> None:
    """Close this process's connections (tests and graceful shutdown)."""
    if _context:
        _context["engine"].dispose()
        _context.clear()


def _ctx() -> tuple[Settings, Engine, FeedClient]:
    if not _context:
        configure(Settings.from_env())
    return _context["settings"], _context["engine"], _context["feed"]


def catch_up(projection: str) -> int:
    """Apply the feed to `projection` until it is up to date; returns events applied."""
    settings, engine, feed = _ctx()
    clear_pending_nudge(settings, projection)
    applied = 0
    while True:
        n = _one_batch(engine, feed, projection, settings.catch_up_batch)
        if n is None or n == 0:
            return applied
        applied += n


def _one_batch(engine: Engine, feed: FeedClient, projection: str, limit: int) -> int | None:
    """One transaction: lock the checkpoint, apply the next page, advance it. None = busy."""
    with engine.begin() as conn:
        position = conn.execute(
            text("SELECT position FROM projection_checkpoints WHERE name = :n"
                 " FOR UPDATE SKIP LOCKED"), {"n": projection}
        ).scalar()
        if position is None:
            return None
        events = feed.page(position, limit)
        if not events:
            return 0
        facts.apply(conn, events)
        conn.execute(
            text("UPDATE projection_checkpoints SET position = :p, updated_at = now()"
                 " WHERE name = :n"), {"p": events[-1]["position"], "n": projection}
        )
        return len(events)


def clear_pending_nudge(settings: Settings, projection: str) -> None:
    """Let the next append enqueue a fresh nudge now that this one is being served."""
    try:
        queues.connect(settings.redis_url).delete(queues.nudge_key(settings.queue_prefix, projection))
    except Exception:  # Redis down: the marker expires by itself
        log.warning("could not clear the pending nudge marker", extra={"projection": projection})
