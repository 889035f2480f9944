"""Replay property: incremental catch-up in random batches, interrupted by failures, and a full
rebuild give identical projection tables (real PostgreSQL; the log is served from memory)."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from services.reporting.catchup import jobs
from services.reporting.catchup.rebuild import rebuild_projection
from services.reporting.projections import outcomes_bulk
from services.reporting.projections.registry import PROJECTIONS, Projection
from shared import db, migrations
from tests.reporting.replay_support import (
    MemoryLog,
    interleave,
    log_event,
    reset,
    table_rows,
    transfer_to,
)
from tests.support import make_settings

OUTCOMES = PROJECTIONS["outcomes"]
REASONS = ["cdi", "chomage", "deces", "autre_siae", "cdd_moins_6_mois"]


class Crash(Exception):
    """A worker dying mid-batch."""


def crashing(projection: Projection, crash_on: set[int]) -> Projection:
    """The projection, whose n-th apply raises after writing (so the transaction must undo it)."""
    calls = {"n": 0}

    def apply(conn, page, schema):
        projection.apply(conn, page, schema)
        calls["n"] += 1
        if calls["n"] in crash_on:
            raise Crash()

    return Projection(
        projection.name, projection.schema, projection.tables, projection.log, projection.key, apply
    )


@st.composite
def pathway_streams(draw) -> list[list[dict]]:
    """Streams of a few pathways: opening, hours, MAD, support, exits (some of them transfers)
    and voids."""
    streams = []
    # Two structures at most, and a measure or the kind's default: pathways share the cells of
    # `measure_hours` (structure × measure × month), which catch-up and rebuild must sum alike.
    structures = [str(uuid.uuid4()), str(uuid.uuid4())]
    for _ in range(draw(st.integers(1, 5))):
        opened = date(2025, 1, 1) + timedelta(draw(st.integers(0, 300)))
        measure = draw(st.sampled_from([None, "ACI_DC", "ACI_MP"]))
        stream = [
            log_event(
                "pathway_opened",
                opened,
                {
                    "structure_id": draw(st.sampled_from(structures)),
                    **({"measure": measure} if measure else {}),
                    "sex": draw(st.sampled_from(["F", "M"])),
                    "age_band": "26_49",
                    "eligibility": {
                        "criteria": draw(
                            st.lists(st.sampled_from(["RSA", "QPV", "TH"]), unique=True)
                        )
                    },
                },
            )
        ]
        for _ in range(draw(st.integers(0, 6))):
            stream.append(_step(draw, stream, opened))
        streams.append(stream)
    for stream in streams:  # some exits are transfers to another pathway of the log
        for event in stream:
            if event["type"] == "pathway_exited" and len(streams) > 1 and draw(st.booleans()):
                target = draw(st.sampled_from([s for s in streams if s is not stream]))
                event["data"]["transferred_to"] = transfer_to(target)
    return streams


def _step(draw, stream: list[dict], opened: date) -> dict:
    on = opened + timedelta(draw(st.integers(0, 200)))
    kind = draw(st.sampled_from(["hours", "mad", "support", "exit", "void"]))
    if kind == "hours":
        return log_event(
            "hours_worked_recorded",
            on,
            {"month": on.strftime("%Y-%m"), "hours": draw(st.integers(0, 150))},
        )
    if kind == "mad":
        return log_event(
            "mise_a_disposition_recorded",
            on,
            {
                "client_kind": "particulier",
                "start_on": on.isoformat(),
                "end_on": (on + timedelta(draw(st.integers(0, 40)))).isoformat(),
                "hours": 12,
            },
        )
    if kind == "support":
        return log_event("support_action_recorded", on, {"domain": "social", "topic": "logement"})
    if kind == "exit":
        return log_event("pathway_exited", on, {"reason": draw(st.sampled_from(REASONS))})
    target = draw(st.sampled_from(stream[1:] or stream))
    return log_event("event_voided", on, {"event_id": target["id"], "reason": "erreur"})


@pytest.fixture(scope="module")
def engine(engines) -> Iterator:
    s = make_settings(engines)
    url = s.database_url_for("reporting")
    migrations.upgrade("reporting", url)
    eng = db.make_engine(url, pool_size=2)
    yield eng
    eng.dispose()
    db.drop_database(url)


def snapshot(engine) -> dict[str, list]:
    return table_rows(engine, OUTCOMES.tables)


def incremental(engine, log: MemoryLog, batches: list[int], crash_on: set[int]) -> None:
    projection, i = crashing(OUTCOMES, crash_on), 0
    while True:
        try:
            n = jobs.one_batch(engine, log, projection, batches[i % len(batches)])
        except Crash:
            continue
        finally:
            i += 1
        if n == 0:
            return
        assert n > 0 or n == jobs.MOVED


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    streams=pathway_streams(),
    order=st.lists(st.integers(0, 50), max_size=60),
    batches=st.lists(st.integers(1, 7), min_size=1, max_size=5),
    crash_on=st.sets(st.integers(1, 12), max_size=3),
)
def test_incremental_catch_up_with_crashes_and_a_rebuild_give_identical_tables(
    engine, streams, order, batches, crash_on
):
    log = MemoryLog(interleave(streams, order))
    reset(engine)
    incremental(engine, log, batches, crash_on)
    caught_up = snapshot(engine)
    rebuild_projection(engine, log, OUTCOMES, 5000)
    assert snapshot(engine) == caught_up
    assert caught_up["events"] and len(caught_up["events"]) == len(log.events)
    hours = {(r.pathway_id, r.month): r.hours for r in caught_up["monthly_hours"]}
    assert sum(r.hours for r in caught_up["measure_hours"]) == sum(hours.values())


def test_a_voided_exit_reopens_the_pathway_in_the_projection(engine):
    opened = log_event("pathway_opened", date(2025, 1, 6), {"structure_id": str(uuid.uuid4())})
    exited = log_event("pathway_exited", date(2025, 3, 1), {"reason": "cdi"})
    voided = log_event("event_voided", date(2025, 9, 1), {"event_id": exited["id"], "reason": "x"})
    log = MemoryLog(interleave([[opened, exited, voided]], []))
    reset(engine)
    incremental(engine, log, [2], set())
    with engine.connect() as conn:
        assert conn.execute(text("SELECT exited_on FROM outcomes.pathways")).all() == [(None,)]


def test_a_transfer_is_kept_until_its_exit_is_voided_and_a_rebuild_keeps_it_too(engine):
    s1, s2 = str(uuid.uuid4()), str(uuid.uuid4())
    target = [log_event("pathway_opened", date(2025, 3, 2), {"structure_id": s2})]
    opened = log_event("pathway_opened", date(2025, 1, 6), {"structure_id": s1})
    exited = log_event("pathway_exited", date(2025, 3, 1), {"reason": "autre_siae", **_to(target)})
    voided = log_event("event_voided", date(2025, 9, 1), {"event_id": exited["id"], "reason": "x"})
    log = MemoryLog(interleave([[opened, exited, voided], target], [0, 0, 1]))
    reset(engine)
    incremental(engine, MemoryLog(log.events[:3]), [1], set())
    kept = snapshot(engine)["transfers"]
    assert [(str(t.structure_id), t.exited_on, str(t.to_structure_id)) for t in kept] == [
        (s1, date(2025, 3, 1), s2)
    ]
    assert str(kept[0].to_pathway_id) == log.events[2]["pathway_id"]
    rebuild_projection(engine, MemoryLog(log.events[:3]), OUTCOMES, 5000)
    assert snapshot(engine)["transfers"] == kept
    incremental(engine, log, [2], set())
    assert snapshot(engine)["transfers"] == []


def _to(stream: list[dict]) -> dict:
    return {"transferred_to": transfer_to(stream)}


def test_a_pathway_without_a_stored_state_is_folded_again_from_its_copied_stream(engine):
    opened = log_event("pathway_opened", date(2025, 1, 6), {"structure_id": str(uuid.uuid4())})
    hours = log_event("hours_worked_recorded", date(2025, 2, 3), {"month": "2025-01", "hours": 80})
    exited = log_event("pathway_exited", date(2025, 3, 1), {"reason": "cdi"})
    log = MemoryLog(interleave([[opened, hours, exited]], []))
    reset(engine)
    incremental(engine, MemoryLog(log.events[:2]), [2], set())
    with engine.begin() as conn:  # as projected before states were kept
        conn.execute(text("TRUNCATE outcomes.states"))
    incremental(engine, log, [5], set())
    caught_up = snapshot(engine)
    rebuild_projection(engine, log, OUTCOMES, 5000)
    assert snapshot(engine) == caught_up
    assert caught_up["pathways"][0].hours_total == 80


class GrowingLog(MemoryLog):
    """A log that gains its last events just after a reader was told it had reached the end,
    as when structures keep appending while a rebuild derives its tables."""

    def __init__(self, events: list[dict], held_back: int):
        super().__init__(events[:-held_back])
        self.later = events[-held_back:]

    def page(self, after: int, limit: int) -> list[dict]:
        found = super().page(after, limit)
        if not found and self.later:
            self.events, self.later = self.events + self.later, []
        return found


def test_events_appended_while_a_bulk_rebuild_derives_are_applied_before_the_swap(engine):
    opened = log_event("pathway_opened", date(2025, 1, 6), {"structure_id": str(uuid.uuid4())})
    other = log_event("pathway_opened", date(2025, 2, 3), {"structure_id": str(uuid.uuid4())})
    hours = log_event("hours_worked_recorded", date(2025, 2, 3), {"month": "2025-01", "hours": 80})
    exited = log_event("pathway_exited", date(2025, 3, 1), {"reason": "cdi"})
    voided = log_event("event_voided", date(2025, 3, 2), {"event_id": hours["id"], "reason": "x"})
    events = interleave([[opened, hours, exited, voided], [other]], [0, 1, 0])
    reset(engine)
    incremental(engine, MemoryLog(events), [2], set())
    caught_up = snapshot(engine)
    phases: list[str] = []
    log = GrowingLog(events, held_back=3)
    applied = rebuild_projection(engine, log, OUTCOMES, 2, lambda phase, n: phases.append(phase))
    assert applied == len(events)
    assert snapshot(engine) == caught_up
    assert phases.index("copie") < phases.index("calcul") < phases.index("application")


def test_a_rebuild_page_by_page_gives_the_same_tables_as_the_bulk_path(engine):
    stream = [
        log_event("pathway_opened", date(2025, 1, 6), {"structure_id": str(uuid.uuid4())}),
        log_event("hours_worked_recorded", date(2025, 2, 3), {"month": "2025-01", "hours": 80}),
        log_event("support_action_recorded", date(2025, 2, 4), {"domain": "social"}),
    ]
    log = MemoryLog(interleave([stream], []))
    reset(engine)
    rebuild_projection(engine, log, OUTCOMES, 5000)
    bulk = snapshot(engine)
    rebuild_projection(engine, log, dataclasses.replace(OUTCOMES, bulk=None), 1)
    assert snapshot(engine) == bulk
    assert bulk["pathways"][0].hours_total == 80


def test_a_bulk_rebuild_in_chunks_smaller_than_a_pathway_gives_the_same_tables(engine, monkeypatch):
    long = [log_event("pathway_opened", date(2025, 1, 6), {"structure_id": str(uuid.uuid4())})]
    long += [
        log_event(
            "hours_worked_recorded", date(2025, m, 3), {"month": f"2025-0{m - 1}", "hours": 9}
        )
        for m in range(2, 8)
    ]
    short = [
        [log_event("pathway_opened", date(2025, 2, 1), {"structure_id": str(uuid.uuid4())})]
        for _ in range(2)
    ]
    log = MemoryLog(interleave([long, *short], [0, 1, 2]))
    reset(engine)
    incremental(engine, log, [3], set())
    caught_up = snapshot(engine)
    monkeypatch.setattr(outcomes_bulk, "EVENTS_PER_CHUNK", 2)
    assert rebuild_projection(engine, log, OUTCOMES, 5000) == len(log.events)
    assert snapshot(engine) == caught_up
    assert sorted(r.hours_total for r in caught_up["pathways"]) == [0, 0, 54]


def test_a_bulk_rebuild_derived_by_several_processes_gives_the_same_tables(engine, monkeypatch):
    streams = [
        [
            log_event("pathway_opened", date(2025, 1, 6), {"structure_id": str(uuid.uuid4())}),
            log_event("hours_worked_recorded", date(2025, 2, 3), {"month": "2025-01", "hours": n}),
        ]
        for n in range(1, 13)
    ]
    log = MemoryLog(interleave(streams, list(range(12))))
    reset(engine)
    incremental(engine, log, [len(log.events)], set())
    caught_up = snapshot(engine)
    monkeypatch.setattr(outcomes_bulk, "PARALLEL_FROM_EVENTS", 0)
    monkeypatch.setattr(outcomes_bulk, "processes", lambda: 3)
    assert rebuild_projection(engine, log, OUTCOMES, 5000) == len(log.events)
    assert snapshot(engine) == caught_up
    assert sorted(r.hours_total for r in caught_up["pathways"]) == list(range(1, 13))


def test_a_rebuilt_projection_serves_reports_with_statistics_already_gathered(engine):
    stream = [log_event("pathway_opened", date(2025, 1, 6), {"structure_id": str(uuid.uuid4())})]
    reset(engine)
    rebuild_projection(engine, MemoryLog(interleave([stream], [])), OUTCOMES, 5000)
    with engine.connect() as conn:
        unanalyzed = conn.execute(
            text(
                "SELECT relname FROM pg_stat_user_tables WHERE schemaname = 'outcomes'"
                " AND last_analyze IS NULL AND relname = ANY(:tables)"
            ),
            {"tables": list(OUTCOMES.tables)},
        ).scalars()
        assert list(unanalyzed) == []
