"""Knowledge time: for random logs and a random position N, the report as of N equals the report
computed on the log truncated at N, whatever came after (late entries, back-dated events,
voids), and a rebuild from the whole log gives the same as-of answers (real PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.reporting.catchup import jobs
from services.reporting.catchup.rebuild import rebuild_projection
from services.reporting.projections.registry import PROJECTIONS
from services.reporting.reports import etp
from services.reporting.reports import outcomes as reports
from shared.auth import Caller
from tests.reporting.replay_support import MemoryLog, interleave, reset
from tests.reporting.test_tallied import GROUPS, STRUCTURES, engine, streams  # noqa: F401

ADMIN = Caller(scope="admin")
OUTCOMES = PROJECTIONS["outcomes"]
# Whole months (the live report answers from the tallies) and a period cut inside months.
PERIODS = [(date(2024, 11, 1), date(2026, 6, 30)), (date(2025, 2, 10), date(2025, 9, 20))]
ASKED = [
    {},
    {"group_by": "structure"},
    {"group_by": "month"},
    {"group_by": "criterion,sex"},
    {"group_by": "group"},
    {"group_by": "annex"},
    {"structure_id": sorted(STRUCTURES)[0], "group_by": "month"},
    {"group_id": GROUPS[0], "group_by": "structure"},
    {"kind": "AI"},
]
ETP_ASKED = [{"group_by": "annex"}, {"structure_id": sorted(STRUCTURES)[1], "group_by": "month"}]


def _params(start: date, end: date, asked: dict, position: int | None) -> dict:
    return {"from_": start, "to": end, **asked, "as_of_position": position}


def answers(engine_, position: int | None) -> list[dict]:  # noqa: F811
    """Every report asked, as of `position` (None: the live report), without what differs by
    construction (the time it was generated, the position it claims)."""
    found = []
    with engine_.connect() as conn:
        for start, end in PERIODS:
            for asked in ASKED:
                found.append(
                    reports.outcome_report(conn, ADMIN, _params(start, end, asked, position))
                )
            for asked in ETP_ASKED:
                found.append(etp.etp_report(conn, ADMIN, _params(start, end, asked, position)))
    for report in found:
        report.pop("generated_at", None)
        report.pop("as_of_position")
    return found


def catch_up(engine_, events: list[dict], batch: int) -> None:  # noqa: F811
    log = MemoryLog(events)
    while jobs.one_batch(engine_, log, OUTCOMES, batch):
        pass


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    logs=streams(),
    order=st.lists(st.integers(0, 50), max_size=60),
    batch=st.integers(1, 6),
    cut=st.floats(0, 1),
)
def test_the_report_as_of_a_position_is_the_report_of_the_log_truncated_there(
    engine,  # noqa: F811
    logs,
    order,
    batch,
    cut,
):
    events = interleave([_as_the_service_allows(stream) for stream in logs], order)
    position = round(cut * len(events))
    reset(engine)
    catch_up(engine, events[:position], batch)
    truncated = answers(engine, None)
    catch_up(engine, events, batch)
    assert_same(answers(engine, position), truncated)
    rebuild_projection(engine, MemoryLog(events), OUTCOMES, batch)
    assert_same(answers(engine, position), truncated)


def _as_the_service_allows(stream: list[dict]) -> list[dict]:
    """The stream without voids of its opening, which the pathways service refuses (a pathway's
    opening, hence its structure, is then known for good: `asof` relies on it)."""
    opening = stream[0]["id"]
    return [e for e in stream if e["type"] != "event_voided" or e["data"]["event_id"] != opening]


def assert_same(found: list[dict], expected: list[dict]) -> None:
    """Equal reports, rows in any order (rows of equal labels may come in either); sums of
    hours may differ in their last bits (the tallies round MAD hours split by days to 1e-12)."""
    assert len(found) == len(expected)
    for one, other in zip(found, expected, strict=True):
        assert _flat(_by_key(one)) == pytest.approx(_flat(_by_key(other)))


def _by_key(report: dict) -> dict:
    return {**report, "rows": sorted(report["rows"], key=lambda r: repr(sorted(r["key"].items())))}


def _flat(report: dict) -> dict:
    flat: dict = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}.{k}", v)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(f"{prefix}[{i}]", v)
        else:
            flat[prefix] = value

    walk("", report)
    return flat
