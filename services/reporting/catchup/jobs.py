"""RQ entry points. A job is a nudge: it names a projection and carries no event data.

A catch-up batch reads the checkpoint, fetches the next page, then locks the checkpoint row
(FOR UPDATE SKIP LOCKED) and applies the page only if the checkpoint did not move meanwhile.
Fetching before locking matters: the lock gives the transaction an xid, and the feed only
returns events of transactions older than every running one (docs/adr/0006-projections.md).
"""

from __future__ import annotations

import logging
import time

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DataError, IntegrityError

from services.reporting.catchup import checkpoints
from services.reporting.catchup.feed import ChangesClient, FeedClient, ReadAhead
from services.reporting.projections.derive import EventNotApplicable
from services.reporting.projections.registry import PROJECTIONS, Projection, named
from shared import db, queues
from shared.settings import Settings

log = logging.getLogger("iae.reporting.jobs")
_context: dict = {}
BUSY, MOVED = -1, -2
NUDGE_PATIENCE_SECONDS = 2.0
REFERENCE_PATIENCE_SECONDS = 5


def configure(settings: Settings) -> None:
    """Bind the jobs of this process to `settings` (the worker does it at start)."""
    dispose()
    engine = db.make_engine(settings.database_url_for("reporting"), pool_size=2)
    try:
        feed, changes = FeedClient(settings), ChangesClient(settings)
    except Exception:
        engine.dispose()
        raise
    # All or nothing: a binding that fails half-way must not leave a context without its pool.
    _context.update(settings=settings, engine=engine, feed=feed, changes=changes)


def dispose() -> None:
    """Close this process's connections (tests and graceful shutdown)."""
    if _context:
        _context["engine"].dispose()
        _context["feed"].close()
        _context["changes"].close()
        _context.clear()


def context() -> dict:
    if not _context:
        configure(Settings.from_env())
    return _context


def catch_up(nudge: str, patience: float = NUDGE_PATIENCE_SECONDS) -> int:
    """Apply the logs to the projections `nudge` names until up to date; events applied.

    A nudge means the log moved; if the feed still shows nothing, an older transaction of the
    cluster hides the new events for a moment: wait up to `patience` seconds for them.
    """
    ctx = context()
    clear_pending_nudge(ctx["settings"], nudge)
    return sum(catch_up_projection(p, patience) for p in named(nudge))


def catch_up_projection(projection: Projection, patience: float = 0.0) -> int:
    """Apply batches until the log has nothing more or another worker owns the checkpoint."""
    ctx = context()
    applied, deadline = 0, time.monotonic() + patience
    reader = ReadAhead(ctx[projection.log])
    try:
        while True:
            n = one_batch(ctx["engine"], reader, projection, ctx["settings"].catch_up_batch)
            if n == MOVED:
                continue
            if n == 0 and not applied and time.monotonic() < deadline:
                time.sleep(0.05)
                continue
            if n <= 0:
                return applied
            applied += n
    finally:
        reader.close()


def one_batch(engine: Engine, client, projection: Projection, limit: int) -> int:
    """One transaction; returns events applied, 0 when up to date, BUSY or MOVED."""
    checkpoint = checkpoints.read(engine, projection.name)
    status, position = checkpoint.status, checkpoint.position
    if status == "failed":
        return BUSY
    page = client.page(position, limit)
    if not page:
        return 0
    if projection.log == "feed":
        ensure_reference(engine, page)
    try:
        with engine.begin() as conn:
            if (locked := checkpoints.try_lock(conn, projection.name)) is None:
                return BUSY
            if locked != position:
                return MOVED
            _apply(conn, projection, page, projection.schema)
            return len(page)
    except EventNotApplicable as exc:
        return _stop_at(engine, projection, page, position, exc)


def ensure_reference(engine: Engine, page: list[dict]) -> None:
    """Copy the registry's changes first when a page names a structure reporting has not seen.

    Reports join the reference copy (kind decides whether an exit counts), so a checkpoint must
    never include events whose structure is missing there: a structure exists in the registry
    before any event can name it, so catching the copy up now finds it. Another worker may be
    copying the reference data at that moment (a catch-up would then skip the locked
    checkpoint): its copy is waited for first, up to `REFERENCE_PATIENCE_SECONDS`.
    """
    ids = sorted({e["structure_id"] for e in page})
    if not _unknown_structures(engine, ids):
        return
    try:
        with engine.begin() as conn:
            conn.execute(text(f"SET LOCAL lock_timeout = '{REFERENCE_PATIENCE_SECONDS}s'"))
            checkpoints.lock(conn, checkpoints.REFERENCE)
        catch_up_projection(PROJECTIONS["reference"])
    except Exception as exc:  # registry unreachable: events still flow, the sweep retries
        log.warning("reference data not refreshed", extra={"error": type(exc).__name__})


def _unknown_structures(engine: Engine, ids: list[str]) -> bool:
    with engine.connect() as conn:
        known = conn.execute(
            text(
                "SELECT count(*) FROM reference_data.structures"
                " WHERE id = ANY(CAST(:ids AS uuid[]))"
            ),
            {"ids": ids},
        ).scalar_one()
    return known < len(ids)


def _apply(conn: Connection, projection: Projection, page: list[dict], schema: str) -> None:
    """Apply a page and advance the checkpoint, in the caller's transaction."""
    try:
        projection.apply(conn, page, schema)
    except (DataError, IntegrityError, ValueError, KeyError, TypeError) as exc:
        if isinstance(exc, EventNotApplicable):
            raise
        raise EventNotApplicable(page[0][projection.key], f"page refusée : {exc}") from exc
    last = page[-1]
    checkpoints.advance(conn, projection.name, last[projection.key], last.get("recorded_at"))


def _stop_at(
    engine: Engine,
    projection: Projection,
    page: list[dict],
    position: int,
    error: EventNotApplicable,
) -> int:
    """Apply what precedes the failing entry, then mark the projection failed; skip nothing."""
    before = [e for e in page if e[projection.key] < error.position]
    with engine.begin() as conn:
        if checkpoints.try_lock(conn, projection.name) != position:
            return MOVED
        if before:
            projection.apply(conn, before, projection.schema)
        stopped_at = before[-1][projection.key] if before else position
        checkpoints.fail(conn, projection.name, str(error), stopped_at)
    log.error("projection stopped", extra={"projection": projection.name, "error": str(error)})
    return BUSY


def rebuild(name: str, progress=None) -> int:
    """Rebuild a projection from the start of its log into fresh tables, then swap them in."""
    from services.reporting.catchup.rebuild import rebuild_projection

    ctx, projection = context(), PROJECTIONS[name]
    reader = ReadAhead(ctx[projection.log])
    try:
        return rebuild_projection(
            ctx["engine"], reader, projection, ctx["settings"].catch_up_batch, progress
        )
    except EventNotApplicable as exc:
        mark_failed(ctx["engine"], projection.name, f"reconstruction : {exc}")
        raise
    finally:
        reader.close()


def mark_failed(engine: Engine, name: str, error: str) -> None:
    with engine.begin() as conn:
        checkpoints.fail(conn, name, error)


def clear_pending_nudge(settings: Settings, projection: str) -> None:
    """Let the next append enqueue a fresh nudge now that this one is being served."""
    conn = queues.connect(settings.redis_url)
    try:
        conn.delete(queues.nudge_key(settings.queue_prefix, projection))
    except Exception:  # Redis down: the marker expires by itself
        log.warning("could not clear the pending nudge marker", extra={"projection": projection})
    finally:
        conn.close()
