"""Concurrent writers on real PostgreSQL, through the live HTTP service: one winner per version,
exactly-once retries, and a feed reader that never skips an event (docs/adr/0001)."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import orjson
import pytest
import requests
from pathways_support import open_pathway, opened, poll_feed, support
from sqlalchemy import create_engine, text

WRITERS = 6


def post_events(settings, org, pathway_id: str, body: dict) -> requests.Response:
    url = f"{settings.pathways_url}/v1/pathways/{pathway_id}/events"
    return requests.post(url, json=body, headers=org.headers, timeout=30)


def test_concurrent_appends_at_one_version_have_exactly_one_winner(
    settings, services, pathways, org, person
):
    pathway_id, _ = open_pathway(pathways, org, person)
    bodies = [{"expected_version": 1, "events": [support()]} for _ in range(WRITERS)]
    with ThreadPoolExecutor(WRITERS) as pool:
        answers = list(pool.map(lambda b: post_events(settings, org, pathway_id, b), bodies))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] + [409] * (WRITERS - 1)
    assert all(
        a.json()["type"].endswith("version-conflict") for a in answers if a.status_code == 409
    )
    stream = pathways.get(f"/v1/pathways/{pathway_id}/events", headers=org.headers).json
    assert [e["version"] for e in stream] == [1, 2]


def test_concurrent_identical_retries_store_the_events_once(
    settings, services, pathways, org, person
):
    pathway_id = str(uuid.uuid4())
    body = {"expected_version": 0, "events": [opened(org, person), support()]}
    with ThreadPoolExecutor(WRITERS) as pool:
        answers = list(
            pool.map(lambda _: post_events(settings, org, pathway_id, body), range(WRITERS))
        )
    assert sorted(a.status_code for a in answers) == [200] * (WRITERS - 1) + [201]
    assert len({orjson.dumps(a.json(), option=orjson.OPT_SORT_KEYS) for a in answers}) == 1
    stream = pathways.get(f"/v1/pathways/{pathway_id}/events", headers=org.headers).json
    assert len(stream) == 2


@pytest.fixture
def raw_engine(settings):
    engine = create_engine(settings.database_url_for("pathways"))
    yield engine
    engine.dispose()


def head_position(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT coalesce(max(position), 0) FROM events")).scalar_one()


def slow_append(engine, allocated: threading.Event, seconds: float) -> None:
    """A writer that draws its position, then holds its transaction open before committing."""
    with engine.begin() as conn:
        position = conn.execute(text("SELECT allocate_positions(1)")).scalar_one()
        allocated.set()
        conn.execute(
            text(
                "INSERT INTO events (position, event_id, pathway_id, version, structure_id, type,"
                " occurred_on, data)"
                " VALUES (:p, :e, :w, 1, :s, 'support_action_recorded', :d, '{}')"
            ),
            {
                "p": position,
                "e": uuid.uuid4(),
                "w": uuid.uuid4(),
                "s": uuid.uuid4(),
                "d": date.today(),
            },
        )
        time.sleep(seconds)


def tail_feed(settings, headers, after: int, expected: int, seen: list[int]) -> None:
    """Page through the feed from `after` until `expected` events were read (or 60 s passed).

    Any transaction of the cluster may delay the feed (never break it), hence the deadline.
    """
    session = requests.Session()
    deadline = time.monotonic() + 60
    while len(seen) < expected and time.monotonic() < deadline:
        page = session.get(
            f"{settings.pathways_url}/v1/feed",
            params={"after": after, "limit": 7},
            headers=headers,
            timeout=30,
        )
        body = page.json()
        seen.extend(e["position"] for e in body["events"])
        after = body["last_position"]


def fast_writer(settings, org, person_id: str, rounds: int) -> None:
    for _ in range(rounds):
        pathway_id = str(uuid.uuid4())
        body = {"expected_version": 0, "events": [opened(org, person_id), support()]}
        assert post_events(settings, org, pathway_id, body).status_code == 201


def test_a_feed_reader_never_skips_an_event_while_writers_commit_out_of_order(
    settings, services, raw_engine, org, person, network
):
    start = head_position(raw_engine)
    allocated, seen, expected = threading.Event(), [], 1 + 4 * 5 * 2
    slow = threading.Thread(target=slow_append, args=(raw_engine, allocated, 1.5))
    slow.start()
    assert allocated.wait(10)
    reader = threading.Thread(target=tail_feed, args=(settings, network, start, expected, seen))
    reader.start()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: fast_writer(settings, org, person, 5), range(4)))
    slow.join()
    reader.join(90)
    with raw_engine.connect() as conn:
        final = (
            conn.execute(
                text("SELECT position FROM events WHERE position > :s ORDER BY 1"), {"s": start}
            )
            .scalars()
            .all()
        )
    assert len(final) == expected
    assert seen == final


def test_the_feed_holds_back_events_behind_a_running_older_transaction(
    settings, services, raw_engine, pathways, org, person, network
):
    allocated = threading.Event()
    slow = threading.Thread(target=slow_append, args=(raw_engine, allocated, 1.0))
    slow.start()
    assert allocated.wait(10)
    _, answer = open_pathway(pathways, org, person)
    later = answer["events"][0]["position"]
    during = pathways.get(f"/v1/feed?after={later - 1}", headers=network).json
    slow.join()
    after = poll_feed(pathways, network, later - 1)
    assert during["events"] == [] and during["last_position"] == later - 1
    assert after["events"][0]["position"] == later
