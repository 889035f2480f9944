"""Real worker processes on one projection: two never double count; one killed with SIGKILL
mid-catch-up loses and duplicates nothing once another takes over."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from builders import checkpoint, status
from sqlalchemy import text
from worlds import world  # noqa: F401  (fixture)

from services.reporting.catchup import jobs
from services.reporting.catchup.rebuild import rebuild_projection
from services.reporting.projections.registry import PROJECTIONS
from tests.reporting.replay_support import table_rows

ROOT = Path(__file__).resolve().parents[2]


def _env(settings, batch: int) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": settings.database_url,
        "DATABASE_PREFIX": settings.database_prefix,
        "REDIS_URL": settings.redis_url,
        "QUEUE_PREFIX": settings.queue_prefix,
        "ADMIN_TOKEN": settings.admin_token,
        "SERVICE_TOKEN": settings.service_token,
        "REGISTRY_URL": settings.registry_url,
        "PATHWAYS_URL": settings.pathways_url,
        "SWEEP_SECONDS": "0.05",
        "CATCH_UP_BATCH": str(batch),
        "LOG_LEVEL": "ERROR",
    }


def _spawn(settings, batch: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "services.reporting.catchup.worker"],
        cwd=ROOT,
        env=_env(settings, batch),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait(10)


def _write(world, n: int) -> int:  # noqa: F811
    net = world.network()
    sid = net.structure(f"ACI {time.monotonic_ns()}", "ACI", "35")
    last = 0
    for i in range(n):
        p = net.open(sid, f"2025-0{1 + i % 9}-01", "F", "26_49", ["RSA"])
        p.append(
            "support_action_recorded",
            "2025-09-10",
            {"domain": "social", "topic": "logement", "delivery": "internal"},
        )
        p.exit("2025-10-01", "cdi")
        last = p.last_position
    return last


def _wait_for(settings, position: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while checkpoint(settings, "outcomes") < position:
        assert time.monotonic() < deadline, "the workers did not catch up"
        assert status(settings, "outcomes") != "failed"
        time.sleep(0.1)


def _snapshot(engine) -> dict:
    return table_rows(engine, PROJECTIONS["outcomes"].tables)


def _identical_to_a_rebuild(settings) -> None:
    ctx = jobs.context()
    before = _snapshot(ctx["engine"])
    rebuild_projection(ctx["engine"], ctx["feed"], PROJECTIONS["outcomes"], 5000)
    assert _snapshot(ctx["engine"]) == before


@pytest.mark.slow
def test_two_worker_processes_on_one_projection_never_double_count(world):  # noqa: F811
    jobs.configure(world.settings)
    last = _write(world, 40)
    workers = [_spawn(world.settings, batch=7) for _ in range(2)]
    try:
        _wait_for(world.settings, last)
    finally:
        for w in workers:
            _stop(w)
    with jobs.context()["engine"].connect() as conn:
        counts = conn.execute(
            text(
                "SELECT (SELECT count(*) FROM outcomes.events), (SELECT count(*) FROM"
                " outcomes.activities), (SELECT count(DISTINCT position) FROM outcomes.events)"
            )
        ).one()
    assert counts[0] == counts[2] and counts[1] >= 40
    _identical_to_a_rebuild(world.settings)


@pytest.mark.slow
def test_a_worker_killed_mid_catch_up_loses_and_duplicates_nothing(world):  # noqa: F811
    jobs.configure(world.settings)
    start = checkpoint(world.settings, "outcomes")
    last = _write(world, 60)
    victim = _spawn(world.settings, batch=3)
    deadline = time.monotonic() + 60
    while checkpoint(world.settings, "outcomes") <= start + 6:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    _stop(victim)
    assert checkpoint(world.settings, "outcomes") < last
    survivor = _spawn(world.settings, batch=50)
    try:
        _wait_for(world.settings, last)
    finally:
        _stop(survivor)
    _identical_to_a_rebuild(world.settings)
