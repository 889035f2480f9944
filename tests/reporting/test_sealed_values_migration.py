"""Revision 0011: reporting's copies made before the PASS number and free texts left the log are
derived again from the feed, which no longer carries them (real PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import text

from shared import migrations
from tests.reporting.builders import undo_revisions_after_0011
from tests.reporting.replay_support import (
    MemoryLog,
    catch_up,
    file_structure,
    interleave,
    log_event,
    reset,
    scratch_reporting,
)

NUMBER = "999997654321"


@pytest.fixture(scope="module")
def engine(engines) -> Iterator:
    with scratch_reporting(engines) as scratch:
        yield scratch


def holding_the_number(engine) -> list[str]:
    """Reporting's tables whose text holds the PASS number."""
    with engine.connect() as conn:
        tables = conn.execute(
            text("SELECT table_name FROM information_schema.tables WHERE table_schema = 'outcomes'")
        ).scalars()
        return [
            t
            for t in tables
            if conn.execute(
                text(f"SELECT count(*) FROM outcomes.{t} x WHERE x::text LIKE :n"),
                {"n": f"%{NUMBER}%"},
            ).scalar_one()
        ]


def opened(structure_id: str, number: str | None) -> dict:
    pass_iae = {"start_on": "2025-01-06", "end_on": "2027-01-05"}
    if number:
        pass_iae["number"] = number
    return log_event(
        "pathway_opened", date(2025, 1, 6), {"structure_id": structure_id, "pass_iae": pass_iae}
    )


def test_the_migration_empties_what_reporting_copied_with_the_pass_number(engine):
    structure_id = file_structure(engine, "ACI", "35", "53")
    before = MemoryLog(interleave([[opened(structure_id, NUMBER)]], []))
    reset(engine)
    catch_up(engine, before)
    assert holding_the_number(engine)  # what a feed of the former log left behind
    undo_revisions_after_0011(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version_reporting SET version_num = '0010'"))
    migrations.upgrade("reporting", engine.url.render_as_string(hide_password=False))
    with engine.connect() as conn:
        checkpoint = "SELECT position FROM projection_checkpoints WHERE name = 'outcomes'"
        assert conn.execute(text(checkpoint)).scalar_one() == 0
        assert conn.execute(text("SELECT count(*) FROM outcomes.pathways")).scalar_one() == 0
    assert holding_the_number(engine) == []
    after = MemoryLog(interleave([[opened(structure_id, None)]], []))  # the feed as it is now
    catch_up(engine, after)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM outcomes.pathways")).scalar_one() == 1
    assert holding_the_number(engine) == []
