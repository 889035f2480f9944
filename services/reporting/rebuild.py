"""Rebuild a projection from position 0 into a fresh schema, then swap it in atomically.

Reports keep reading the live schema while `<schema>_next` fills; the swap renames both schemas
in one transaction that holds the checkpoint row, so no batch can interleave.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import Connection, Engine, text

from services.reporting.projections.registry import Projection

log = logging.getLogger("iae.reporting.rebuild")
Progress = Callable[[int, int], None]


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
            return _rebuild(engine, client, projection, limit, progress or (lambda n, p: None))
        finally:
            guard.execute(
                text("SELECT pg_advisory_unlock(hashtext(:n))"), {"n": "rebuild:" + projection.name}
            )
            guard.commit()


def _rebuild(engine: Engine, client, projection: Projection, limit: int, progress: Progress) -> int:
    fresh = projection.schema + "_next"
    with engine.begin() as conn:
        _create_fresh(conn, projection, fresh)
    position, applied = 0, 0
    while page := client.page(position, limit):
        with engine.begin() as conn:
            projection.apply(conn, page, fresh)
        position, applied = page[-1][projection.key], applied + len(page)
        progress(len(page), position)
    with engine.begin() as conn:
        conn.execute(
            text("SELECT 1 FROM projection_checkpoints WHERE name = :n FOR UPDATE"),
            {"n": projection.name},
        )
        while page := client.page(position, limit):
            projection.apply(conn, page, fresh)
            position, applied = page[-1][projection.key], applied + len(page)
            progress(len(page), position)
        _swap(conn, projection, fresh, position)
    log.info("projection rebuilt", extra={"projection": projection.name, "position": position})
    return applied


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
    conn.execute(
        text(
            "UPDATE projection_checkpoints SET position = :p, status = 'running',"
            " last_error = NULL, updated_at = now() WHERE name = :n"
        ),
        {"p": position, "n": projection.name},
    )
