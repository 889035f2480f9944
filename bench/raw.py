"""Raw PostgreSQL baselines on the real event row: what the machine allows before any code."""

from __future__ import annotations

import random
import time
import uuid
from datetime import date

import orjson
import psycopg

from bench import payloads

COLUMNS = "position, event_id, pathway_id, version, structure_id, type, occurred_on, data, metadata"
ROW = "(nextval('events_position_seq'), %s, %s, %s, %s, %s, %s, %s::jsonb, %s::jsonb)"
EVENTS_PER_PATHWAY = 20
BATCH = 100


class RowMaker:
    """Real event rows for one writer: pathways of 20 events, a realistic payload each."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.structure_id = uuid.uuid4()
        self.pathway_id, self.version = uuid.uuid4(), 0
        self.metadata = orjson.dumps({"token_id": str(uuid.uuid4()), "request_id": "bench"})

    def next(self) -> tuple:
        if self.version == EVENTS_PER_PATHWAY:
            self.pathway_id, self.version = uuid.uuid4(), 0
        self.version += 1
        e = payloads.opened(str(self.structure_id), str(uuid.uuid4()), date.today(), self.rng)
        return (
            uuid.uuid4(),
            self.pathway_id,
            self.version,
            self.structure_id,
            e["type"],
            date.today(),
            orjson.dumps(e["data"]).decode(),
            self.metadata.decode(),
        )


def insert_commit_writer(index: int, url: str):
    """One INSERT and one COMMIT per event."""
    conn, rows = psycopg.connect(url), RowMaker(index)
    sql = f"INSERT INTO events ({COLUMNS}) VALUES {ROW}"

    def step() -> int:
        conn.execute(sql, rows.next(), prepare=True)
        conn.commit()
        return 1

    return step, conn.close


def batch_writer(index: int, url: str):
    """One multi-row INSERT of 100 events per transaction."""
    conn, rows = psycopg.connect(url), RowMaker(1000 + index)
    sql = f"INSERT INTO events ({COLUMNS}) VALUES " + ", ".join([ROW] * BATCH)

    def step() -> int:
        params = [value for _ in range(BATCH) for value in rows.next()]
        conn.execute(sql, params, prepare=True)
        conn.commit()
        return BATCH

    return step, conn.close


SCAN_SQL = (
    "SELECT position, pathway_id, structure_id, version, event_id, type, occurred_on,"
    " recorded_at, data FROM events ORDER BY position"
)


def scan(url: str, page: int = 5000) -> float:
    """Every event of the log in position order into Python, jsonb decoded; events/s."""
    with psycopg.connect(url) as conn, conn.transaction():
        started, count = time.perf_counter(), 0
        with conn.cursor(name="scan") as cur:
            cur.itersize = page
            cur.execute(SCAN_SQL)
            while rows := cur.fetchmany(page):
                count += len(rows)
        return count / (time.perf_counter() - started)


def count_events(url: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM events").fetchall()[0][0]
