"""Revision 0019: the follow-ups put on the pathway rows are filled from `outcomes.post_exit`,
and are the ones the projection derives (real PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from alembic import command
from sqlalchemy import text

from shared import migrations
from tests.reporting.replay_support import (
    MemoryLog,
    catch_up,
    file_structure,
    interleave,
    log_event,
    reset,
    scratch_reporting,
)

FOLLOW_UPS = (
    "SELECT pathway_id::text, followed_after, employed_after FROM outcomes.pathways"
    " ORDER BY pathway_id"
)


@pytest.fixture(scope="module")
def engine(engines) -> Iterator:
    with scratch_reporting(engines) as scratch:
        yield scratch


def exited(structure_id: str, on: date, situations: list[tuple[date, int, str]]) -> list[dict]:
    opened = log_event("pathway_opened", date(2024, 6, 3), {"structure_id": structure_id})
    stream = [opened, log_event("pathway_exited", on, {"reason": "chomage"})]
    for day, months, situation in situations:
        data = {"months_after": months, "situation": situation, "source": "person"}
        stream.append(log_event("post_exit_situation_recorded", day, data))
    return stream


def follow_ups(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(FOLLOW_UPS))]


def test_the_migration_fills_the_follow_ups_the_projection_derives(engine):
    sid = file_structure(engine, "ACI", "29", "53")
    first = [(date(2025, 3, 1), 1, "chomage"), (date(2025, 8, 1), 6, "cdi")]
    streams = [
        exited(sid, date(2025, 1, 31), first),
        exited(sid, date(2025, 2, 28), [(date(2025, 4, 1), 1, "cdd_moins_6_mois")]),
        exited(sid, date(2025, 3, 31), []),
    ]
    log = MemoryLog(interleave(streams, []))
    reset(engine)
    catch_up(engine, log, 2)
    derived = follow_ups(engine)
    assert sorted((f, e) for _, f, e in derived) == [([], []), ([1], [1]), ([1, 6], [6])]

    url = engine.url.render_as_string(hide_password=False)
    command.downgrade(migrations.alembic_config("reporting", url), "0018")
    migrations.upgrade("reporting", url)
    assert follow_ups(engine) == derived
