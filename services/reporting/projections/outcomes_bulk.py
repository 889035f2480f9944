"""The `outcomes` projection built in bulk, for a rebuild into empty tables.

Catch-up works page by page: each page's pathways are loaded, folded further and diffed against
their stored rows. A rebuild has nothing to diff against, so it goes another way (ADR 0006):
first the feed is copied as it comes (`COPY`, nothing derived), then the copied log is read back
pathway by pathway and each stream is folded once, its rows and state written with `COPY`, its
tally contributions staged; PostgreSQL sums the staged contributions into the tallies at the end
(upserting cells chunk by chunk cost more than the fold itself). The folds run in one process
per core, over ranges of pathway ids. Rows and contributions are the
same pure functions of the stream as in catch-up (`derived_rows`, `tallies.contributions`), so
both give identical tables (tests/reporting/test_replay.py).
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import os
import queue
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from itertools import groupby
from typing import Any

import orjson
from psycopg.types.json import set_json_loads
from sqlalchemy import Connection, Engine

from services.reporting.projections import measure_hours, parking, rollups, tallies
from services.reporting.projections import tally_layout as layout
from services.reporting.projections.derive import dump, fold
from services.reporting.projections.outcomes import STATES, derivable, derive_each
from services.reporting.projections.pathway_rows import DERIVED
from shared import db
from shared.domain import events as ev

EVENTS_PER_CHUNK = 10_000
EVENT_COLUMNS = (
    "position",
    "pathway_id",
    "event_id",
    "type",
    "schema_version",
    "occurred_on",
    "data",
)
# The next events in pathway order, through the (pathway_id, position) index.
STREAMS = """
SELECT pathway_id::text, position, event_id::text, type, schema_version, occurred_on, data
  FROM {s}.events
 WHERE pathway_id > %s AND pathway_id <= %s ORDER BY pathway_id, position LIMIT %s"""
STREAM_KEYS = ("position", "id", "type", "schema_version", "occurred_on", "data")
STAGING = "tally_staging"
STAGED_KEYS = ("structure_id", "sex", "age_band", "criteria", "measure", "month")
STAGE = """CREATE UNLOGGED TABLE {s}.tally_staging (structure_id uuid, sex text, age_band text,
 criteria text[], measure text, month date, {metrics})"""
FIRST = "00000000-0000-0000-0000-000000000000"
LAST = "ffffffff-ffff-ffff-ffff-ffffffffffff"
MAX_PROCESSES = 4
# Below this many events, one process: starting another (a Python interpreter importing the
# projection code) costs about as much as deriving that many events.
PARALLEL_FROM_EVENTS = 50_000

Progress = Callable[[int], None]


def copy_page(conn: Connection, page: list[dict[str, Any]], schema: str) -> None:
    """Append a feed page to the copied log, as it comes (the tables are new and empty)."""
    with _driver(conn).cursor() as cur, cur.copy(_copy_sql(schema, "events", EVENT_COLUMNS)) as cp:
        for e in page:
            cp.write_row(
                (
                    e["position"],
                    e["pathway_id"],
                    e["id"],
                    e["type"],
                    ev.version_of(e),
                    e["occurred_on"],
                    orjson.dumps(e["data"]).decode(),
                )
            )


def derive_all(engine: Engine, schema: str, progress: Progress) -> int:
    """Fold every copied pathway once and write what it derives, then sum the tallies.

    The folds are CPU-bound Python while PostgreSQL mostly waits, so a large log's pathway ids
    are split into as many ranges as the machine has cores (`processes()`), each derived by a
    process of its own; the ranges share nothing but the tables they append to."""
    with engine.begin() as conn:
        conn.exec_driver_sql(f"ANALYZE {schema}.events")
        conn.exec_driver_sql(STAGE.format(s=schema, metrics=_staged_metrics()))
        events = conn.exec_driver_sql(
            f"SELECT reltuples FROM pg_class WHERE oid = '{schema}.events'::regclass"
        ).scalar_one()
    ranges = id_ranges(processes() if events >= PARALLEL_FROM_EVENTS else 1)
    if len(ranges) == 1:
        folded = derive_range(engine, schema, *ranges[0], progress)
    else:
        url = engine.url.render_as_string(hide_password=False)
        folded = _in_processes(url, schema, ranges, progress)
    _tally(engine, schema)
    with engine.begin() as conn:
        rollups.fill(conn, schema)
        conn.exec_driver_sql(f"DROP TABLE {schema}.{STAGING}")
    return folded


def processes() -> int:
    """Processes deriving at once: the cores this process may use, at most `MAX_PROCESSES`."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(MAX_PROCESSES, cores or 1))


def id_ranges(count: int) -> list[tuple[str, str]]:
    """`count` ranges `(after, up_to]` of pathway ids that cover them all, of equal width (ids
    are random: each range holds about as many pathways)."""
    bounds = [FIRST, *(str(uuid.UUID(int=(i << 128) // count - 1)) for i in range(1, count)), LAST]
    return list(itertools.pairwise(bounds))


def derive_range(engine: Engine, schema: str, after: str, up_to: str, progress: Progress) -> int:
    """Derive the pathways whose ids are in `(after, up_to]`, a chunk per transaction (short
    transactions: a long one on the cluster would hold the feed back, ADR 0001)."""
    last, folded, limit = after, 0, EVENTS_PER_CHUNK
    while True:
        with engine.begin() as conn:
            conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
            streams, complete = _streams(conn, schema, last, up_to, limit)
            if not streams:
                return folded
            if len(streams) == 1 and not complete:
                limit *= 2  # one pathway longer than a chunk: read it whole
                continue
            if not complete:
                streams.popitem()  # cut short by the limit: read again with the next chunk
            n = _derive_chunk(conn, schema, streams)
        last, folded, limit = next(reversed(streams)), folded + n, EVENTS_PER_CHUNK
        progress(n)


def _in_processes(url: str, schema: str, ranges: list[tuple[str, str]], progress: Progress) -> int:
    """Each range derived by a process of its own; their progress relayed as it comes."""
    ctx = mp.get_context("spawn")  # no copy of this process's connections or threads
    messages = ctx.Queue()
    children = [
        ctx.Process(target=_derive_child, args=(url, schema, *bounds, messages), daemon=True)
        for bounds in ranges
    ]
    for child in children:
        child.start()
    folded, done = 0, 0
    try:
        while done < len(children):
            try:
                kind, value = messages.get(timeout=1.0)
            except queue.Empty:
                if any(c.exitcode not in (None, 0) for c in children):
                    raise RuntimeError("a derive process stopped without a word") from None
                continue
            if kind == "error":
                raise RuntimeError(f"a derive process failed: {value}")
            if kind == "done":
                folded, done = folded + value, done + 1
            else:
                progress(value)
    finally:
        for child in children:
            child.join(5 if done == len(children) else 0.1)
            if child.is_alive():
                child.terminate()
                child.join(5)
    return folded


def _derive_child(url: str, schema: str, after: str, up_to: str, messages) -> None:
    """Body of a derive process: its own engine, its range, its progress sent to the parent."""
    engine = db.make_engine(url, pool_size=1)
    try:
        folded = derive_range(engine, schema, after, up_to, lambda n: messages.put(("n", n)))
        messages.put(("done", folded))
    except BaseException as error:
        messages.put(("error", repr(error)))
        raise
    finally:
        engine.dispose()


def _streams(
    conn: Connection, schema: str, after: str, up_to: str, limit: int
) -> tuple[dict[str, list[dict]], bool]:
    """The streams of the pathways after `after` (up to id `up_to`), up to `limit` events, and
    whether the last one is complete (fewer events than the limit were left)."""
    streams: dict[str, list[dict]] = {}
    with _driver(conn).cursor() as cur:
        set_json_loads(orjson.loads, cur)
        cur.execute(STREAMS.format(s=schema), (after, up_to, limit))
        rows = cur.fetchall()
    for pid, group in groupby(rows, key=lambda r: r[0]):
        streams[pid] = [dict(zip(STREAM_KEYS, r[1:], strict=True)) for r in group]
    return streams, len(rows) < limit


def _derive_chunk(conn: Connection, schema: str, streams: dict[str, list[dict]]) -> int:
    """Fold the given streams and write what they derive; events folded. A stream that cannot
    be derived is parked, as catch-up parks it (`outcomes.apply`)."""
    folds = {pid: partial(fold, stream) for pid, stream in streams.items()}
    states, rows, failed = derive_each(folds, {})
    parking.park(
        conn,
        schema,
        [parking.locate(pid, streams[pid], partial(derivable, pid)) for pid in failed],
    )
    with _driver(conn).cursor() as cur:
        for table in DERIVED:
            if rows[table]:
                _copy_rows(cur, schema, table, rows[table])
        if states:
            _copy_rows(
                cur,
                schema,
                STATES,
                [{"pathway_id": p, "state": dump(s)} for p, s in states.items()],
            )
    _stage_contributions(_driver(conn), schema, states)
    return sum(map(len, streams.values()))


def _stage_contributions(pg, schema: str, states: dict) -> None:
    """One staging row per contribution, with the pathway's cell attributes: summed into the
    tallies once at the end, by PostgreSQL (`_tally`), instead of upserted chunk by chunk."""
    columns = (*STAGED_KEYS, *layout.METRICS)
    with pg.cursor() as cur, cur.copy(_copy_sql(schema, STAGING, columns)) as cp:
        for state in states.values():
            key = (
                state.structure_id,
                state.sex or "",
                state.age_band or "",
                list(state.criteria),
                state.measure or "",
            )
            for month, amounts in tallies.contributions(state):
                counted = {"n": 1, **amounts}
                cp.write_row((*key, month, *(counted.get(m) for m in layout.METRICS)))


def _staged_metrics() -> str:
    """Counts staged as integers, hours as decimals: PostgreSQL sums integers far faster."""
    return ", ".join(
        f"{m} {'numeric' if m in layout.DECIMALS else 'integer'}" for m in layout.METRICS
    )


def _tally(engine: Engine, schema: str) -> None:
    """Every grain summed from the staged contributions, in two sequences run at once (the
    derive processes are done: PostgreSQL has the cores). The rebuild's tables serve nothing
    before the swap, so each statement commits on its own. `tally` (structure, month) is summed
    from `tally_people`, its finer grain, rather than from every contribution again; the hours
    by measure are summed from the pathway rows meanwhile."""
    sequences = (
        (
            partial(_grain, schema, "tally_people"),
            partial(_from_people, schema),
            partial(_grain, schema, "tally_measures"),
        ),
        (partial(_grain, schema, "tally_criteria"), partial(measure_hours.fill, schema=schema)),
    )
    with ThreadPoolExecutor(len(sequences)) as pool:
        for done in [pool.submit(_in_turn, engine, steps) for steps in sequences]:
            done.result()


def _in_turn(engine: Engine, steps: tuple[Callable[[Connection], None], ...]) -> None:
    for step in steps:
        with engine.begin() as conn:
            step(conn)


def _grain(schema: str, grain: str, conn: Connection) -> None:
    keys = layout.GRAINS[grain]
    source = f"{schema}.{STAGING}"
    if "criterion" in keys:
        source += " CROSS JOIN unnest(criteria) AS criterion"
    _sum_into_grain(conn, schema, grain, source)


def _from_people(schema: str, conn: Connection) -> None:
    _sum_into_grain(conn, schema, "tally", f"{schema}.tally_people")


def _sum_into_grain(conn: Connection, schema: str, grain: str, source: str) -> None:
    sums = ", ".join(f"coalesce(sum({m}), 0)" for m in layout.METRICS)
    key = ", ".join(layout.GRAINS[grain])
    conn.exec_driver_sql(
        f"INSERT INTO {schema}.{grain} ({key}, {', '.join(layout.METRICS)})"
        f" SELECT {key}, {sums} FROM {source} GROUP BY {key}"
    )


def _copy_rows(cur, schema: str, table: str, rows: list[dict]) -> None:
    columns = tuple(rows[0])
    with cur.copy(_copy_sql(schema, table, columns)) as cp:
        for row in rows:
            cp.write_row(tuple(row.values()))


def _copy_sql(schema: str, table: str, columns: tuple[str, ...]) -> str:
    return f"COPY {schema}.{table} ({', '.join(columns)}) FROM STDIN"


def _driver(conn: Connection):
    """The psycopg connection under SQLAlchemy's, in the same transaction (for COPY)."""
    return conn.connection.driver_connection
