"""Where reports read: reporting's primary database, or a streaming standby of it.

Reports read only projection tables, so a hot standby of reporting's database can answer them
while the worker writes to the primary (REPORTING_READ_DATABASE_URL). A report never presents
stale figures as current: every report says the log position it reflects (read in the same
transaction as its rows), and the standby answers only when

- it is streaming from the primary and has replayed what it received, or lags by at most
  REPORTING_READ_MAX_LAG_SECONDS;
- it already includes the position a `min_position` or `as_of_position` asks for.

Otherwise — and when the standby cannot be reached — the primary answers; when the primary is
down too, the usual 503 with `Retry-After`. The answer's `X-Reporting-Source` header says which
one answered (`primary` or `standby`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import current_app, g, has_request_context
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from services.reporting.catchup import checkpoints

log = logging.getLogger(__name__)

PRIMARY = "primary"
STANDBY = "standby"

# One round trip: is this a standby, is it streaming (a role without pg_read_all_stats sees
# only that a WAL receiver runs, not its status), how far behind its replay is (0 when it has
# replayed everything it received).
_STANDBY_STATE = text(
    """
    SELECT pg_is_in_recovery() AS in_recovery,
           EXISTS (SELECT 1 FROM pg_stat_wal_receiver
                   WHERE pid IS NOT NULL AND coalesce(status, 'streaming') = 'streaming')
               AS streaming,
           CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn()
                THEN 0.0
                ELSE COALESCE(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0.0)
           END AS lag_seconds
    """
)


@dataclass(frozen=True)
class StandbyState:
    in_recovery: bool
    streaming: bool
    lag_seconds: float
    position: int


@dataclass
class Reader:
    """The engines reports may read from, and the rule that picks one for each report."""

    primary: Engine
    standby: Engine | None = None
    max_lag_seconds: float = 5.0

    def usable(self, state: StandbyState, min_position: int | None) -> bool:
        """Whether a standby in `state` may answer a report that needs `min_position`."""
        if state.in_recovery and not state.streaming:
            return False  # cut off from the primary: it cannot know how far behind it is
        if state.lag_seconds > self.max_lag_seconds:
            return False
        return min_position is None or state.position >= min_position

    @contextmanager
    def connect(self, min_position: int | None = None) -> Iterator[Connection]:
        """A connection for one report: the standby's when it may answer, else the primary's."""
        if self.standby is not None:
            conn = self._standby_connection(min_position)
            if conn is not None:
                with conn:
                    _record_source(STANDBY)
                    yield conn
                return
        _record_source(PRIMARY)
        with self.primary.connect() as conn:
            yield conn

    def _standby_connection(self, min_position: int | None) -> Connection | None:
        assert self.standby is not None
        try:
            conn = self.standby.connect()
        except DBAPIError as error:
            log.warning("standby unreachable, reports read the primary: %s", error.orig)
            return None
        try:
            row = conn.execute(_STANDBY_STATE).one()
            state = StandbyState(
                bool(row.in_recovery),
                bool(row.streaming),
                float(row.lag_seconds),
                checkpoints.included_position(conn),
            )
        except DBAPIError as error:
            conn.close()
            log.warning("standby unreadable, reports read the primary: %s", error.orig)
            return None
        if self.usable(state, min_position):
            return conn
        conn.close()
        return None


def _record_source(source: str) -> None:
    """Remember, for the response's header, which database answered this request."""
    if has_request_context():
        g.reporting_source = source


def reader() -> Reader:
    """The reader of the current app."""
    found: Reader = current_app.extensions["iae_reader"]
    return found


def install(app, primary: Engine, standby: Engine | None, max_lag_seconds: float) -> None:
    """Give `app` its reader and say, on every answer that read a report, where it came from."""
    app.extensions["iae_reader"] = Reader(primary, standby, max_lag_seconds)

    @app.after_request
    def _say_source(response):
        source = g.get("reporting_source")
        if source is not None:
            response.headers["X-Reporting-Source"] = source
        return response
