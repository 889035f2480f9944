"""Helpers of the replay and tally tests: a log served from memory (the feed, the edge of the
system; storage stays real), events to fill it, and an emptied outcomes projection."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from sqlalchemy import Engine, text

from services.reporting.catchup import jobs
from services.reporting.projections.registry import PROJECTIONS
from shared import db, migrations
from tests.support import make_settings

OUTCOMES = PROJECTIONS["outcomes"]


@contextmanager
def scratch_reporting(engines) -> Iterator[Engine]:
    """A reporting database of its own at the latest revision, dropped afterwards."""
    url = make_settings(engines).database_url_for("reporting")
    migrations.upgrade("reporting", url)
    engine = db.make_engine(url, pool_size=2)
    try:
        yield engine
    finally:
        engine.dispose()
        db.drop_database(url)


def file_structure(engine, kind: str, department: str, region: str = "53") -> str:
    """A structure filed in reporting's reference data, as the registry would: its id."""
    structure_id = str(uuid.uuid4())
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO reference_data.structures (id, name, kind, department, region)"
                " VALUES (CAST(:i AS uuid), 'S', :k, :d, :r)"
            ),
            {"i": structure_id, "k": kind, "d": department, "r": region},
        )
    return structure_id


def catch_up(engine, log, batch: int = 3) -> None:
    """Project the whole of `log` in pages of `batch` events."""
    while jobs.one_batch(engine, log, OUTCOMES, batch):
        pass


def table_rows(engine, tables: Iterable[str]) -> dict[str, list]:
    """Every row of the given tables of the outcomes projection, in a canonical order."""
    with engine.connect() as conn:
        return {
            t: sorted(conn.execute(text(f"SELECT * FROM outcomes.{t}")).all(), key=_canonical)
            for t in tables
        }


def _canonical(row) -> str:
    """A sort key that ignores a numeric's scale: a sum written 0.0 by catch-up and 0 by a
    rebuild is the same amount, and must not order two cells of one structure and month
    (tally_measures holds one per measure) differently in the two tables being compared."""
    return repr(tuple(v.normalize() if isinstance(v, Decimal) else v for v in row))


class MemoryLog:
    """The feed, served from a list: the edge of the system, faked; storage stays real."""

    def __init__(self, events: list[dict]):
        self.events = events

    def page(self, after: int, limit: int) -> list[dict]:
        return [e for e in self.events if e["position"] > after][:limit]


def log_event(type_: str, on: date, data: dict) -> dict:
    return {"id": str(uuid.uuid4()), "type": type_, "occurred_on": on.isoformat(), "data": data}


def transfer_to(target: list[dict]) -> dict:
    """An exit's `transferred_to` naming the pathway of the stream `target`: its opening event's
    id stands for the pathway id until `interleave` gives the streams their pathway ids."""
    return {"structure_id": target[0]["data"]["structure_id"], "pathway_id": target[0]["id"]}


def interleave(streams: list[list[dict]], order: list[int]) -> list[dict]:
    """One global log: pathways' events interleaved, each pathway's order kept; transfers name
    the pathway ids the streams get (see `transfer_to`)."""
    cursors, log = [0] * len(streams), []
    ids = [str(uuid.uuid4()) for _ in streams]
    for pick in order + list(range(len(streams))) * max(map(len, streams)):
        i = pick % len(streams)
        if cursors[i] < len(streams[i]):
            event = streams[i][cursors[i]]
            cursors[i] += 1
            log.append(
                {
                    **event,
                    "pathway_id": ids[i],
                    "position": len(log) + 1,
                    "structure_id": streams[i][0]["data"]["structure_id"],
                }
            )
    opened = {stream[0]["id"]: pid for stream, pid in zip(streams, ids, strict=True) if stream}
    return [_linked(e, opened) for e in log]


def _linked(event: dict, opened: dict[str, str]) -> dict:
    to = event["data"].get("transferred_to")
    if not to or to["pathway_id"] not in opened:
        return event
    data = {**event["data"], "transferred_to": {**to, "pathway_id": opened[to["pathway_id"]]}}
    return {**event, "data": data}


def reset(engine) -> None:
    with engine.begin() as conn:
        for table in OUTCOMES.tables:
            conn.execute(text(f"TRUNCATE outcomes.{table}"))
        conn.execute(
            text(
                "UPDATE projection_checkpoints SET position = 0, status = 'running',"
                " last_error = NULL WHERE name = 'outcomes'"
            )
        )
