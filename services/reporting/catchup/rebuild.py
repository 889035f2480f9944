"""Rebuild a projection from position 0 into a fresh schema, then swap it in atomically.

Reports keep reading the live schema while `<schema>_next` fills; the swap renames both schemas
in one transaction that holds the checkpoint row, so no batch can interleave. A projection with a
bulk path (`outcomes`) first copies the log, then derives its tables from the copy in one pass;
what the log gains meanwhile is applied page by page like a catch-up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import Connection, Engine, text

from services.reporting.catchup import checkpoints
from services.reporting.projections.registry import Projection

log = logging.getLogger("iae.reporting.rebuild")
# Progress is reported per phase, in log entries: copied, then derived (bulk), or applied.
Progress = Callable[[str, int], None]
COPY, DERIVE, APPLY = "copie", "calcul", "application"


def rebuild_projection(
    engine: Engine, client, projection: Projection, limit: int, progress: Progress | None = None
) -> int:
    """Rebuild `projection`; returns entries applied. One rebuild per projection at a time."""
    with engine.connect() as guard:
        if not guard.execute(
            text("SELECT pg_try_advisory_lock(hashtext(:n))"), {"n": "rebuild:" + projection.name}
        ).scalar():
            log.warning("rebuild already running", extra={"projection": projection.name})
            return 0
        try:
            return _rebuild(engine, client, projection, limit, progress or (lambda phase, n: None))
        finally:
            guard.execute(
                text("SELECT pg_advisory_unlock(hashtext(:n))"), {"n": "rebuild:" + projection.name}
            )
            guard.commit()


def _rebuild(engine: Engine, client, projection: Projection, limit: int, progress: Progress) -> int:
    fresh = projection.schema + "_next"
    with engine.begin() as conn:
        _create_fresh(conn, projection, fresh)
    if projection.bulk is None:
        position, applied = _pages(engine, client, projection, limit, fresh, 0, progress)
    else:
        position, applied = _bulk(engine, client, projection, limit, fresh, progress)
    # What the log gained meanwhile, page by page; the last pages under the checkpoint's lock.
    position, more = _pages(engine, client, projection, limit, fresh, position, progress)
    applied += more
    _analyze(engine, projection, fresh)
    with engine.begin() as conn:
        checkpoints.lock(conn, projection.name)
        while page := client.page(position, limit):
            projection.apply(conn, page, fresh)
            position, applied = page[-1][projection.key], applied + len(page)
            progress(APPLY, len(page))
        _swap(conn, projection, fresh, position)
    log.info("projection rebuilt", extra={"projection": projection.name, "position": position})
    return applied


def _pages(
    engine: Engine,
    client,
    projection: Projection,
    limit: int,
    fresh: str,
    position: int,
    progress: Progress,
) -> tuple[int, int]:
    """Apply the log after `position` page by page, a transaction each; (position, applied)."""
    applied = 0
    while page := client.page(position, limit):
        with engine.begin() as conn:
            projection.apply(conn, page, fresh)
        position, applied = page[-1][projection.key], applied + len(page)
        progress(APPLY, len(page))
    return position, applied


def _bulk(
    engine: Engine, client, projection: Projection, limit: int, fresh: str, progress: Progress
) -> tuple[int, int]:
    """Copy the log as it comes, then derive every table from the copy; (position, applied)."""
    assert projection.bulk is not None
    position = 0
    while page := client.page(position, limit):
        with engine.begin() as conn:
            projection.bulk.copy_page(conn, page, fresh)
        position = page[-1][projection.key]
        progress(COPY, len(page))
    applied = projection.bulk.derive(engine, fresh, lambda n: progress(DERIVE, n))
    return position, applied


def _analyze(engine: Engine, projection: Projection, fresh: str) -> None:
    """Statistics for the new tables before they serve reports: without them the first reports
    are planned blind, and autovacuum would analyze them later, in transactions that hold the
    feed back (docs/adr/0001) while they last."""
    with engine.begin() as conn:
        for table in projection.tables:
            conn.execute(text(f"ANALYZE {fresh}.{table}"))


def _create_fresh(conn: Connection, projection: Projection, fresh: str) -> None:
    """An empty copy of every table of the projection, indexes included."""
    conn.execute(text(f"DROP SCHEMA IF EXISTS {fresh} CASCADE"))
    conn.execute(text(f"CREATE SCHEMA {fresh}"))
    for table in projection.tables:
        conn.execute(
            text(f"CREATE TABLE {fresh}.{table} (LIKE {projection.schema}.{table} INCLUDING ALL)")
        )


def _swap(conn: Connection, projection: Projection, fresh: str, position: int) -> None:
    old = projection.schema + "_old"
    conn.execute(text(f"DROP SCHEMA IF EXISTS {old} CASCADE"))
    conn.execute(text(f"ALTER SCHEMA {projection.schema} RENAME TO {old}"))
    conn.execute(text(f"ALTER SCHEMA {fresh} RENAME TO {projection.schema}"))
    conn.execute(text(f"DROP SCHEMA {old} CASCADE"))
    checkpoints.restart(conn, projection.name, position)
