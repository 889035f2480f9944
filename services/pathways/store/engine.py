"""The engine appends run on."""

from __future__ import annotations

from sqlalchemy import Engine

from services.pathways.store import roles
from shared import db

RECYCLE_SECONDS = 600


def make_write_engine(url: str, statement_timeout_ms: int = 0, pool_size: int = 10) -> Engine:
    """No pre-ping (a round trip per append: `appending.run` reconnects once instead when it
    finds a connection lost), connections renewed every `RECYCLE_SECONDS` so that none outlives
    a server-side idle timeout unnoticed, and autocommit: the streams are read on their own,
    then the write is one statement committed on its own (`events.append`), with no BEGIN nor
    COMMIT to wait for. Sessions take the writer role, the only one allowed to append, and
    PostgreSQL cancels a statement running longer than `statement_timeout_ms` (0: never)."""
    engine = db.make_engine(
        url,
        pool_size=pool_size,
        pre_ping=False,
        pool_recycle=RECYCLE_SECONDS,
        isolation_level="AUTOCOMMIT",
    )
    db.limit_statements(engine, statement_timeout_ms)
    roles.use_writer_role(engine)
    return engine
