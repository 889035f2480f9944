"""The checkpoint protocol: one row per projection in `projection_checkpoints`, saying up to which
log position its tables are complete. The row is written in the same transaction as the rows a
page derives (exactly once, docs/adr/0006), and its lock is the projection's mutex: whoever holds
it is the only one applying pages. Every statement on that table lives here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, text

REFERENCE = "reference"  # the registry's changes: not a log position of the event feed

_TRY_LOCK = text(
    "SELECT position FROM projection_checkpoints WHERE name = :n FOR UPDATE SKIP LOCKED"
)
_LOCK = text("SELECT position FROM projection_checkpoints WHERE name = :n FOR UPDATE")
_READ = text(
    "SELECT name, position, status, last_error, updated_at FROM projection_checkpoints"
    " WHERE name = :n"
)
_ALL = text(
    "SELECT name, position, status, last_error, updated_at FROM projection_checkpoints"
    " ORDER BY name"
)
_ADVANCE = text(
    "UPDATE projection_checkpoints SET position = :p, updated_at = now(),"
    " last_recorded_at = coalesce(CAST(:r AS timestamptz), last_recorded_at) WHERE name = :n"
)
_FAIL = text(
    "UPDATE projection_checkpoints SET status = 'failed', last_error = :e,"
    " position = coalesce(CAST(:p AS bigint), position), updated_at = now() WHERE name = :n"
)
_RESTART = text(
    "UPDATE projection_checkpoints SET position = :p, status = 'running', last_error = NULL,"
    " updated_at = now() WHERE name = :n"
)
_INCLUDED = text(
    "SELECT coalesce(min(position), 0) FROM projection_checkpoints WHERE name <> :reference"
)


@dataclass(frozen=True)
class Checkpoint:
    name: str
    position: int
    status: str
    last_error: str | None
    updated_at: datetime


def try_lock(conn: Connection, name: str) -> int | None:
    """Take the projection's lock in `conn`'s transaction and return its position, or None at
    once when another transaction holds it (a catch-up then leaves the work to that one)."""
    return conn.execute(_TRY_LOCK, {"n": name}).scalar()


def lock(conn: Connection, name: str) -> int:
    """Take the projection's lock, waiting for whoever holds it; its position."""
    return conn.execute(_LOCK, {"n": name}).scalar_one()


def read(engine: Engine, name: str) -> Checkpoint:
    with engine.connect() as conn:
        return Checkpoint(**conn.execute(_READ, {"n": name}).mappings().one())


def every(conn: Connection) -> list[Checkpoint]:
    return [Checkpoint(**row) for row in conn.execute(_ALL).mappings()]


def advance(conn: Connection, name: str, position: int, recorded_at: str | None) -> None:
    """Record that the tables include `position`, in the transaction that wrote its rows."""
    conn.execute(_ADVANCE, {"p": position, "r": recorded_at, "n": name})


def fail(conn: Connection, name: str, error: str, position: int | None = None) -> None:
    """Stop the projection with `error` (at `position` when given: what precedes it applied)."""
    conn.execute(_FAIL, {"e": error, "p": position, "n": name})


def restart(conn: Connection, name: str, position: int) -> None:
    """After a rebuild: running again from `position`, its failure forgotten."""
    conn.execute(_RESTART, {"p": position, "n": name})


def included_position(conn: Connection) -> int:
    """The log position every event projection includes."""
    return conn.execute(_INCLUDED, {"reference": REFERENCE}).scalar_one()
