"""National-scale data: generated pathways (valid per docs/api.md) loaded with COPY into the log.

Positions come from the log's own sequence and each chunk is one transaction, so positions and
transaction ids stay in the same order, as the gap-free feed requires (docs/adr/0001)."""

from __future__ import annotations

import random
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import orjson
import psycopg

from bench import bootstrap, payloads
from shared.domain.measures import MEASURES

CHUNK = 50_000
COPY = (
    "COPY events (position, event_id, pathway_id, version, structure_id, type, occurred_on,"
    " data, metadata) FROM STDIN"
)
METADATA = orjson.dumps({"source": "bench"}).decode()


def _opening(rng: random.Random, structure: dict, on: date) -> dict:
    e = payloads.opened(structure["id"], str(uuid.uuid4()), on, rng)
    # Stored by the service with the opening so that statistics survive an erasure (docs/api.md).
    e["data"].update(sex=rng.choice("FM"), age_band=rng.choice(payloads.AGE_BANDS))
    return e


def pathway(rng: random.Random, structure: dict, today: date) -> list[dict]:
    """One pathway's events over the last two years: opening, contract, hours, maybe an exit."""
    opened_on = today - timedelta(days=rng.randrange(730))
    events = [_opening(rng, structure, opened_on)]
    start = min(today, opened_on + timedelta(days=rng.randrange(15)))
    if rng.random() < 0.6:
        events.append(payloads.contract_started(structure["kind"], start))
        if rng.random() < 0.7:
            events.append(payloads.hours_worked(start, round(rng.uniform(40, 140), 1)))
    exit_on = opened_on + timedelta(days=rng.randrange(30, 700))
    if rng.random() < 0.4 and exit_on <= today:
        events.append(payloads.exited(exit_on, rng.choice(payloads.EXIT_REASONS)))
    return events


class Source:
    """Endless log rows (without position), pathway after pathway, as (row, is_opening).

    A row read but not loaded is pushed back, so that the next load goes on exactly there."""

    def __init__(self, seed: int, structures: list[dict], today: date):
        self.rng, self.structures, self.today = random.Random(seed), structures, today
        self.pending: list[tuple] = []

    def __iter__(self):
        return self

    def __next__(self) -> tuple:
        if not self.pending:
            structure = self.rng.choice(self.structures)
            pathway_id = uuid.uuid4()
            self.pending = [
                (
                    (
                        e["id"],
                        pathway_id,
                        version,
                        structure["id"],
                        e["type"],
                        e["occurred_on"],
                        orjson.dumps(e["data"]).decode(),
                        METADATA,
                    ),
                    version == 1,
                )
                for version, e in enumerate(pathway(self.rng, structure, self.today), start=1)
            ][::-1]
        return self.pending.pop()

    def push_back(self, item: tuple) -> None:
        self.pending.append(item)


def _copy_chunk(conn: psycopg.Connection, chunk: list[tuple]) -> None:
    with conn.transaction():
        conn.execute("SELECT pg_current_xact_id()")
        last = conn.execute(
            "SELECT setval('events_position_seq', nextval('events_position_seq') + %s - 1)",
            (len(chunk),),
        )
        first = last.fetchall()[0][0] - len(chunk) + 1
        with conn.cursor().copy(COPY) as copy:
            for offset, row in enumerate(chunk):
                copy.write_row((first + offset, *row))


def load(
    url: str, source: Source, *, events: int | None = None, pathways: int | None = None
) -> tuple[int, int]:
    """COPY from `source` until `events` events or `pathways` openings; (events, pathways)."""
    loaded = opened = 0
    chunk: list[tuple] = []
    with psycopg.connect(url) as conn:
        for row, is_opening in source:
            if (events is not None and loaded == events) or (
                pathways is not None and is_opening and opened == pathways
            ):
                source.push_back((row, is_opening))
                break
            chunk.append(row)
            loaded, opened = loaded + 1, opened + is_opening
            if len(chunk) == CHUNK:
                _copy_chunk(conn, chunk)
                chunk = []
        if chunk:
            _copy_chunk(conn, chunk)
    return loaded, opened


def annexes(registry_url: str, admin_token: str, structures: list[dict], today: date) -> int:
    """One validated annexe a calendar year (the two years of pathways and this one) for every
    structure of a kind with a default measure, 1 to 30 ETP, through the registry's API as
    staff file them, 8 at a time: the ETP report then has annexes to attribute hours to.
    Returns how many were created."""
    rng = random.Random(len(structures))
    bodies = [
        (
            s["id"],
            {
                "number": f"AF{i:06d}Y{year}",
                "measure": f"{s['kind']}_DC",
                "state": "VALIDE",
                "starts_on": f"{year}-01-01",
                "ends_on": f"{year}-12-31",
                "etp_conventioned": rng.randint(1, 30),
            },
        )
        for i, s in enumerate(structures)
        if f"{s['kind']}_DC" in MEASURES
        for year in range(today.year - 2, today.year + 1)
    ]
    local = threading.local()

    def create(item: tuple[str, dict]) -> dict:
        if not hasattr(local, "session"):
            local.session = bootstrap.admin_session(admin_token)
        structure_id, body = item
        return bootstrap._post(
            local.session, f"{registry_url}/v1/structures/{structure_id}/annexes", body
        )

    with ThreadPoolExecutor(8) as pool:
        return len(list(pool.map(create, bodies)))
