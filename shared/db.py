"""Database engines, sessions and database creation: one engine per app, built by its factory."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, *, pool_size: int = 10, pre_ping: bool = True, **kwargs) -> Engine:
    """An engine with pre-ping, so a restarted PostgreSQL costs one failed request, not a pool.

    Without pre-ping (a hot path that saves the round trip), the caller must itself retry once
    on a lost connection after disposing of the pool, as services/pathways/appending.py does.
    """
    kwargs.setdefault("connect_args", {"options": "-c timezone=UTC"})
    return create_engine(
        url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=pre_ping, **kwargs
    )


def limit_statements(engine: Engine, milliseconds: int) -> None:
    """Have PostgreSQL cancel any statement of this engine's sessions that runs longer than
    `milliseconds` (0: no limit), so that no request holds a connection and a web thread for
    long; the cancellation reaches the client as a 503 (shared/problems.py). For web apps only:
    the worker's rebuild and catch-up, migrations and tools use engines without it."""
    if milliseconds <= 0:
        return

    @event.listens_for(engine, "do_connect")
    def _with_timeout(_dialect, _record, _cargs, cparams) -> None:
        options = cparams.get("options", "")
        cparams["options"] = f"{options} -c statement_timeout={int(milliseconds)}".strip()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session


def _maintenance_url(url: str) -> str:
    return make_url(url).set(database="postgres").render_as_string(hide_password=False)


def create_database(url: str) -> bool:
    """Create the database named in `url` if it does not exist; True when it was created."""
    name = make_url(url).database
    engine = create_engine(_maintenance_url(url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).scalar()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            return not exists
    finally:
        engine.dispose()


def drop_database(url: str) -> None:
    """Drop the database named in `url`, closing other sessions first (tests and tools only)."""
    name = make_url(url).database
    engine = create_engine(_maintenance_url(url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


def ping(engine: Engine) -> str | None:
    """None when the database answers, else a short reason for /ready."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return None
    except Exception as exc:  # any driver error means "not ready"
        return f"database: {type(exc).__name__}"
