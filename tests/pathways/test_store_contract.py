"""The event store's contract, on a real PostgreSQL database of its own (no service writes to
it, no worker reads it): what `append` writes, what it refuses, what `read` and `feed` return,
and how data of an older schema version is brought to the current one on read, in the pathways
service and in reporting alike."""

from __future__ import annotations

import time
import uuid
from datetime import date

import orjson
import pytest
from pathways_support import open_pathway, poll_feed, support
from psycopg.errors import UniqueViolation
from sqlalchemy import create_engine, text

from services.pathways.store import events as store
from services.reporting.projections.derive import EventNotApplicable, fold
from shared import db, migrations
from shared.domain import events as ev
from tests.support import make_settings

SUPPORT = ev.SUPPORT_ACTION_RECORDED
SUPPORT_DATA = {"domain": "social", "topic": "logement", "delivery": "internal"}
HOURS = ev.HOURS_WORKED_RECORDED
HOURS_DATA = {"month": "2026-03", "hours": 35}
HOURS_V1 = {"month": "2026-03", "worked": 35}  # the shape of the version-2 scenario below
STRUCTURE = str(uuid.uuid4())


@pytest.fixture(scope="module")
def url(engines):
    url = make_settings(engines).database_url_for("pathways")
    migrations.upgrade("pathways", url)
    yield url
    db.drop_database(url)


@pytest.fixture
def engine(url):
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


def row(pathway_id: str, version: int, **overrides) -> store.NewRow:
    values = dict(
        id=str(uuid.uuid4()),
        pathway_id=pathway_id,
        structure_id=STRUCTURE,
        version=version,
        type=SUPPORT,
        occurred_on=date(2026, 3, 2),
        data=SUPPORT_DATA,
        metadata={"request_id": "r-1"},
        schema_version=ev.SCHEMA_VERSION[SUPPORT],
    )
    values.update(overrides)
    return store.NewRow(**values)


def append(engine, rows: list[store.NewRow]) -> list[int]:
    with engine.connect() as conn:
        return store.append(conn, rows, [])


def count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM events")).scalar_one()


# The feed hands out an event once every older transaction of the PostgreSQL cluster has ended:
# on a server shared with other sessions, that may take a while (a deadline, not a measure).
FEED_PATIENCE = 120.0
SETTLED = text(
    "SELECT NOT EXISTS (SELECT FROM events WHERE tx_id >= pg_snapshot_xmin(pg_current_snapshot()))"
)


def feed(engine, after: int = 0, limit: int = 5000) -> list[dict]:
    """A feed page, once every event stored so far may be handed out."""
    deadline = time.monotonic() + FEED_PATIENCE
    with engine.connect() as conn:
        while not conn.execute(SETTLED).scalar_one():
            assert time.monotonic() < deadline, "a transaction of the cluster never ended"
            time.sleep(0.05)
        page, _ = store.feed(conn, after, limit)
    return orjson.loads(page)


def test_append_gives_increasing_positions_and_read_returns_the_stream_in_version_order(engine):
    pathway = str(uuid.uuid4())
    rows = [row(pathway, v) for v in (1, 2, 3)]
    positions = append(engine, rows)
    assert positions == sorted(positions) and len(set(positions)) == 3
    with engine.connect() as conn:
        stream = store.stream(conn, uuid.UUID(pathway))
    assert [e.version for e in stream] == [1, 2, 3]
    assert [e.id for e in stream] == [r.id for r in rows]
    assert [e.position for e in stream] == positions
    assert all(e.data == SUPPORT_DATA and e.pathway_id == pathway for e in stream)


def test_the_store_writes_each_events_schema_version(engine, version_two):
    pathway = str(uuid.uuid4())
    append(engine, [row(pathway, 1, type=HOURS, data=HOURS_DATA, schema_version=2)])
    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT schema_version FROM events WHERE pathway_id = :p"), {"p": pathway}
        ).scalar_one()
    assert stored == 2  # written, not the column's default


def test_a_version_taken_twice_is_refused_and_nothing_of_the_append_is_written(engine):
    pathway = str(uuid.uuid4())
    append(engine, [row(pathway, 1)])
    before = count(engine)
    with pytest.raises(UniqueViolation):
        append(engine, [row(pathway, 2), row(pathway, 1)])
    assert count(engine) == before


def test_an_event_id_stored_once_is_refused_a_second_time(engine):
    first = row(str(uuid.uuid4()), 1)
    append(engine, [first])
    before = count(engine)
    with pytest.raises(UniqueViolation):
        append(engine, [row(str(uuid.uuid4()), 1, id=first.id)])
    assert count(engine) == before


def test_the_feed_returns_every_event_once_in_position_order_with_its_schema_version(engine):
    start = feed(engine)[-1]["position"] if feed(engine) else 0
    pathways = [str(uuid.uuid4()) for _ in range(3)]
    positions = []
    for version in (1, 2):
        positions += append(engine, [row(p, version) for p in pathways])
    seen, after = [], start
    while page := feed(engine, after, limit=2):
        seen += page
        after = page[-1]["position"]
    assert [e["position"] for e in seen] == positions
    assert {e["schema_version"] for e in seen} == {ev.SCHEMA_VERSION[SUPPORT]}
    assert set(seen[0]) == {
        "position",
        "pathway_id",
        "structure_id",
        "version",
        "id",
        "type",
        "schema_version",
        "occurred_on",
        "recorded_at",
        "data",
    }


@pytest.fixture
def version_two(monkeypatch):
    """The code as it would be once `hours_worked_recorded` reached version 2, its `worked`
    field renamed `hours`: an upcaster brings version 1 data to the new shape."""

    def renamed(data: dict) -> dict:
        new = dict(data)
        new["hours"] = new.pop("worked")
        return new

    monkeypatch.setitem(ev.SCHEMA_VERSION, HOURS, 2)
    monkeypatch.setitem(ev.UPCASTERS, (HOURS, 1), renamed)


def test_data_of_an_older_version_is_upcast_on_read_and_kept_as_written(engine, version_two):
    pathway = str(uuid.uuid4())
    old = row(pathway, 1, type=HOURS, data=HOURS_V1, schema_version=1)
    new = row(pathway, 2, type=HOURS, data=HOURS_DATA, schema_version=2)
    append(engine, [old, new])
    with engine.connect() as conn:
        stream = store.stream(conn, uuid.UUID(pathway))
        stored = conn.execute(
            text("SELECT data FROM events WHERE event_id = :e"), {"e": old.id}
        ).scalar_one()
    assert stream[0].data == {"month": "2026-03", "hours": 35}
    assert stream[1].data == HOURS_DATA  # already at version 2: not upcast again
    assert stored == HOURS_V1  # the log is never rewritten


def test_the_feed_upcasts_older_data_and_reporting_its_copies_of_older_data(engine, version_two):
    pathway = str(uuid.uuid4())
    opened = row(
        pathway,
        1,
        type=ev.PATHWAY_OPENED,
        data={
            "person_id": str(uuid.uuid4()),
            "structure_id": STRUCTURE,
            "eligibility": {"diagnosed_by": "prescriber", "criteria": ["DELD"]},
            "sex": "F",
            "age_band": "26_49",
        },
        schema_version=1,
    )
    hours = row(pathway, 2, type=HOURS, data=HOURS_V1, schema_version=1)
    append(engine, [opened, hours])
    entries = [e for e in feed(engine) if e["pathway_id"] == pathway]
    assert [e["schema_version"] for e in entries] == [ev.SCHEMA_VERSION[ev.PATHWAY_OPENED], 2]
    assert entries[1]["data"] == HOURS_DATA
    assert fold(entries).hours_by_month == {"2026-03": 35}
    copied = [{**e, "schema_version": 1} for e in entries[:1]]  # copied by reporting when
    copied.append({**entries[1], "schema_version": 1, "data": HOURS_V1})  # the feed served v1
    assert fold(copied).hours_by_month == {"2026-03": 35}


def test_data_newer_than_the_code_is_refused_on_read_by_both_services(engine):
    pathway = str(uuid.uuid4())
    newer = ev.SCHEMA_VERSION[HOURS] + 1
    append(engine, [row(pathway, 1, type=HOURS, data=HOURS_DATA, schema_version=newer)])
    with engine.connect() as conn, pytest.raises(ValueError, match="newer"):
        store.stream(conn, uuid.UUID(pathway))
    entries = [e for e in feed(engine) if e["pathway_id"] == pathway]
    with pytest.raises(EventNotApplicable, match="newer"):
        fold(entries)


def test_the_services_feed_and_stream_say_each_events_schema_version(
    pathways, org, person, network
):
    pathway_id, _ = open_pathway(pathways, org, person, support())
    stream = pathways.get(f"/v1/pathways/{pathway_id}/events", headers=org.headers).json
    assert [e["schema_version"] for e in stream] == [
        ev.SCHEMA_VERSION[ev.PATHWAY_OPENED],
        ev.SCHEMA_VERSION[SUPPORT],
    ]
    first = stream[0]["position"]
    page = poll_feed(pathways, network, first - 1)
    entry = next(e for e in page["events"] if e["position"] == first)
    assert entry["schema_version"] == ev.SCHEMA_VERSION[ev.PATHWAY_OPENED]
