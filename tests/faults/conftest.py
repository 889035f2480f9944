"""Fixtures of the fault tests: one live system of real processes for the whole folder, put
back in working order after each test whatever the test stopped."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.faults.live_system import ROOT, LiveSystem
from tests.faults.traffic import Org, make_org, make_person
from tests.faults.traffic import bearer as _bearer
from tests.support import admin_token


@pytest.fixture(scope="session")
def live() -> Iterator[LiveSystem]:
    system = LiveSystem.create(ROOT / "var" / "test" / f"faults-{os.getpid()}")
    yield system
    system.close()


@pytest.fixture
def system(live: LiveSystem) -> Iterator[LiveSystem]:
    """The live system, healthy again after the test: servers up, no worker left running."""
    yield live
    live.stop_workers()
    if not live.pg.running():
        live.pg.start()
    if live.redis.process is None or live.redis.process.poll() is not None:
        live.redis.start()
    for name in ("registry", "pathways", "reporting"):
        if name not in live.services:
            live.start_service(name)
    live.wait_ready()


@pytest.fixture
def admin_headers(live: LiveSystem) -> dict[str, str]:
    return _bearer(admin_token(live.settings))


@pytest.fixture
def org(system: LiveSystem, admin_headers) -> Org:
    return make_org(system.url("registry"), admin_headers)


@pytest.fixture
def persons(system: LiveSystem, org: Org) -> list[str]:
    return [make_person(system.url("pathways"), org) for _ in range(5)]
