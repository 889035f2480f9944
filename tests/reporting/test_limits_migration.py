"""Revision 0009: alert rows stored under the former readings of two legal limits are derived
again from the log with the law's reading (real PostgreSQL)."""

from __future__ import annotations

import uuid
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


@pytest.fixture(scope="module")
def engine(engines) -> Iterator:
    with scratch_reporting(engines) as scratch:
        yield scratch


def mission(start: date, end: date) -> dict:
    data = {"contract_id": str(uuid.uuid4()), "contract_type": "MISSION", "weekly_hours": 35}
    data |= {"start_on": start.isoformat(), "planned_end_on": end.isoformat()}
    return log_event("contract_started", start, data)


def company_mad(start: date, siret: str) -> dict:
    data = {"client_kind": "entreprise", "client_siret": siret, "hours": 200}
    data |= {"start_on": start.isoformat(), "end_on": start.replace(day=28).isoformat()}
    return log_event("mise_a_disposition_recorded", start, data)


def limit_alerts(engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT code, message FROM outcomes.alerts"
                " WHERE code IN ('mission_24_months', 'ai_480_hours') ORDER BY seq"
            )
        )
        return [tuple(r) for r in rows]


def test_the_migration_derives_again_the_alerts_stored_under_the_former_readings(engine):
    structure_id = file_structure(engine, "ETTI", "35", "53")
    opened = log_event("pathway_opened", date(2025, 1, 6), {"structure_id": structure_id})
    stream = [
        opened,
        mission(date(2025, 1, 6), date(2026, 2, 5)),  # two missions of 13 months each
        mission(date(2026, 2, 6), date(2027, 3, 5)),
        company_mad(date(2025, 2, 3), "73282932000074"),  # 200 h with each of two companies
        company_mad(date(2025, 3, 3), "35600000049837"),
    ]
    log = MemoryLog(interleave([stream], []))
    reset(engine)
    catch_up(engine, log)
    undo_revisions_after_0011(engine)
    with engine.begin() as conn:  # what the former readings stored: missions summed, no 480 h
        conn.execute(text("DELETE FROM outcomes.alerts"))
        conn.execute(
            text(
                "INSERT INTO outcomes.alerts (pathway_id, seq, code, due_on, message)"
                " VALUES (CAST(:p AS uuid), 0, 'mission_24_months', '2027-01-05', 'ancienne')"
            ),
            {"p": log.events[0]["pathway_id"]},
        )
        conn.execute(text("UPDATE alembic_version_reporting SET version_num = '0008'"))
    migrations.upgrade("reporting", engine.url.render_as_string(hide_password=False))
    with engine.connect() as conn:
        checkpoint = "SELECT position FROM projection_checkpoints WHERE name = 'outcomes'"
        assert conn.execute(text(checkpoint)).scalar_one() == 0
    assert limit_alerts(engine) == []
    catch_up(engine, log)
    [(code, message)] = limit_alerts(engine)
    assert code == "ai_480_hours"
    assert message.startswith("Mises à disposition en entreprise, toutes entreprises confondues")
    assert "400 h sur 24 mois depuis le 03/02/2025" in message
