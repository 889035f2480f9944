"""A poison event parks its pathway, not the projection: every other pathway flows on, the
checkpoint reaches the head of the log, a retry heals the pathway once the cause is fixed, and
catch-up (with every parked pathway retried) still gives the tables of a rebuild (real
PostgreSQL; the log is served from memory, as in test_replay.py)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from services.reporting.catchup import checkpoints, parked
from services.reporting.catchup.rebuild import rebuild_projection
from services.reporting.projections import outcomes_bulk, parking
from services.reporting.projections.registry import PROJECTIONS
from shared.domain import events as ev
from tests.reporting.replay_support import (
    MemoryLog,
    interleave,
    log_event,
    reset,
    scratch_reporting,
)
from tests.reporting.test_replay import incremental, pathway_streams, snapshot

OUTCOMES = PROJECTIONS["outcomes"]
SUPPORT = "support_action_recorded"
NEWER = ev.SCHEMA_VERSION[SUPPORT] + 1


@pytest.fixture(scope="module")
def engine(engines) -> Iterator:
    with scratch_reporting(engines) as scratch:
        yield scratch


def newer(on: date) -> dict:
    """A support action written in a schema version this code does not know yet."""
    return {**log_event(SUPPORT, on, {"domain": "social"}), "schema_version": NEWER}


@contextlib.contextmanager
def code_reading_the_newer_version():
    """The code of a later release: it knows version NEWER, the one before it upcast as is. It
    is this process's code only, so a rebuild derives in this process too."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(ev.SCHEMA_VERSION, SUPPORT, NEWER)  # type: ignore[arg-type]
        patch.setitem(ev.UPCASTERS, (SUPPORT, NEWER - 1), dict)  # type: ignore[arg-type]
        patch.setattr(outcomes_bulk, "processes", lambda: 1)
        yield


def opened(structure: str, on: date) -> dict:
    return log_event("pathway_opened", on, {"structure_id": structure, "sex": "F"})


def hours(month: str, worked: float) -> dict:
    return log_event("hours_worked_recorded", date(2025, 6, 1), {"month": month, "hours": worked})


def parked_rows(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(text("SELECT * FROM outcomes.parked ORDER BY position")).all()


def hours_of(engine) -> dict[str, float]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT pathway_id::text, hours_total FROM outcomes.pathways"))
        return dict(rows.all())


def test_a_poison_event_parks_only_its_pathway_and_the_checkpoint_reaches_the_head(engine):
    s = str(uuid.uuid4())
    healthy = [opened(s, date(2025, 1, 6)), hours("2025-01", 80)]
    poisoned = [opened(s, date(2025, 1, 7)), hours("2025-01", 20), newer(date(2025, 2, 3))]
    log = MemoryLog(interleave([healthy, poisoned], [1, 0, 1, 0, 1]))
    a, b = log.events[1]["pathway_id"], log.events[0]["pathway_id"]
    reset(engine)
    incremental(engine, log, [2], set())
    head = log.events[-1]["position"]
    assert checkpoints.read(engine, "outcomes").position == head
    assert checkpoints.read(engine, "outcomes").status == "running"
    assert hours_of(engine) == {a: 80}
    [row] = parked_rows(engine)
    assert (str(row.pathway_id), str(row.structure_id), row.type) == (b, s, SUPPORT)
    assert row.position == next(e["position"] for e in log.events if e["type"] == SUPPORT)
    assert f"version {NEWER} is newer" in row.error
    # The others' figures move on; the parked pathway's later events are copied, not applied.
    more = [
        {**hours("2025-02", 35), "pathway_id": a, "position": head + 1, "structure_id": s},
        {**hours("2025-02", 70), "pathway_id": b, "position": head + 2, "structure_id": s},
    ]
    log.events += more
    incremental(engine, log, [5], set())
    assert hours_of(engine) == {a: 115}
    assert checkpoints.read(engine, "outcomes").position == head + 2
    with engine.connect() as conn:
        assert parking.summary(conn, "outcomes")[0] == 1
        copied = conn.execute(text("SELECT count(*) FROM outcomes.events")).scalar_one()
        assert copied == len(log.events)
        states = conn.execute(text("SELECT pathway_id::text FROM outcomes.states")).scalars()
        assert list(states) == [a]


def test_the_retry_heals_the_pathway_once_the_code_reads_its_event(engine):
    s = str(uuid.uuid4())
    stream = [opened(s, date(2025, 1, 6)), newer(date(2025, 2, 3)), hours("2025-01", 40)]
    log = MemoryLog(interleave([stream], []))
    pid = log.events[0]["pathway_id"]
    reset(engine)
    incremental(engine, log, [1], set())
    still = parked.retry(engine, "outcomes", pid)
    assert still is not None and still.position == 2 and "newer" in still.error
    assert [str(r.pathway_id) for r in parked_rows(engine)] == [pid]
    with code_reading_the_newer_version():
        assert parked.retry(engine, "outcomes", pid) is None
        healed = snapshot(engine)
        assert parked_rows(engine) == [] and hours_of(engine) == {pid: 40}
        with engine.connect() as conn:
            supports = conn.execute(text("SELECT sum(supports) FROM outcomes.tally"))
            assert supports.scalar_one() == 1
        rebuild_projection(engine, log, OUTCOMES, 5000)
        assert snapshot(engine) == healed
    with pytest.raises(parked.NotParked):
        parked.retry(engine, "outcomes", pid)


def test_data_the_fold_cannot_read_is_healed_by_voiding_the_event_and_retrying(engine):
    s = str(uuid.uuid4())
    damaged = log_event("hours_worked_recorded", date(2025, 2, 3), {"month": "2025-01"})
    stream = [opened(s, date(2025, 1, 6)), damaged, hours("2025-02", 30)]
    void = log_event("event_voided", date(2025, 3, 1), {"event_id": damaged["id"], "reason": "x"})
    log = MemoryLog(interleave([[*stream, void]], []))
    pid = log.events[0]["pathway_id"]
    reset(engine)
    incremental(engine, MemoryLog(log.events[:3]), [2], set())
    [row] = parked_rows(engine)
    assert row.position == 2 and row.error.endswith("KeyError: 'hours'")
    incremental(engine, log, [2], set())  # the void is copied, the pathway stays parked
    assert len(parked_rows(engine)) == 1 and hours_of(engine) == {}
    assert parked.retry(engine, "outcomes", pid) is None
    assert hours_of(engine) == {pid: 30}
    retried = snapshot(engine)
    rebuild_projection(engine, log, OUTCOMES, 5000)
    assert snapshot(engine) == retried


def test_a_rebuild_keeps_a_pathway_still_failing_parked_with_its_error(engine):
    s = str(uuid.uuid4())
    log = MemoryLog(interleave([[opened(s, date(2025, 1, 6)), newer(date(2025, 2, 3))]], []))
    reset(engine)
    incremental(engine, log, [5], set())
    caught_up = parked_rows(engine)
    rebuild_projection(engine, log, OUTCOMES, 5000)
    assert parked_rows(engine) == caught_up and len(caught_up) == 1
    assert checkpoints.read(engine, "outcomes").position == log.events[-1]["position"]


def test_a_failure_is_located_at_the_first_event_after_which_the_stream_cannot_derive():
    stream = [
        {"position": p, "id": str(p), "type": "t", "occurred_on": "2025-01-01", "data": {}}
        for p in (3, 8, 13)
    ]

    def derivation(prefix: list[dict]) -> None:
        if len(prefix) >= 2:
            raise KeyError("hours")

    found = parking.locate("p", stream, derivation)
    assert (found.position, found.event_id, found.error) == (8, "8", "KeyError: 'hours'")
    assert found.structure_id is None
    assert parking.attempt(lambda: 1) == (1, None)


@st.composite
def poisoned_log(draw) -> list[dict]:
    """A log of a few pathways where some events are poison: written in a newer version, or
    missing a field the fold needs (and maybe voided later)."""
    streams = draw(pathway_streams())
    for stream in streams:
        for i, event in enumerate(stream[1:], start=1):
            kind = draw(st.sampled_from([None, None, None, "newer", "damaged"]))
            if kind == "newer":
                stream[i] = {**event, "schema_version": NEWER, "type": SUPPORT, "data": {}}
            elif kind == "damaged" and event["type"] == "hours_worked_recorded":
                stream[i] = {**event, "data": {"month": event["data"]["month"]}}
    order = draw(st.lists(st.integers(0, 50), max_size=60))
    return interleave(streams, order)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    events=poisoned_log(),
    batches=st.lists(st.integers(1, 7), min_size=1, max_size=5),
    crash_on=st.sets(st.integers(1, 12), max_size=3),
)
def test_catch_up_with_parked_pathways_retried_gives_the_tables_of_a_rebuild(
    engine, events, batches, crash_on
):
    log = MemoryLog(events)
    reset(engine)
    incremental(engine, log, batches, crash_on)
    assert checkpoints.read(engine, "outcomes").position == log.events[-1]["position"]
    poisoned = {e["pathway_id"] for e in log.events if e.get("schema_version") == NEWER}
    assert poisoned <= {str(r.pathway_id) for r in parked_rows(engine)}
    for row in parked_rows(engine):  # a rebuild retries every pathway
        parked.retry(engine, "outcomes", str(row.pathway_id))
    retried = snapshot(engine)
    rebuild_projection(engine, log, OUTCOMES, 5000)
    assert snapshot(engine) == retried
    with code_reading_the_newer_version():
        for row in parked_rows(engine):
            parked.retry(engine, "outcomes", str(row.pathway_id))
        healed = snapshot(engine)
        assert all(r.type != SUPPORT for r in healed["parked"])
        rebuild_projection(engine, log, OUTCOMES, 5000)
        assert snapshot(engine) == healed
