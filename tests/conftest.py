"""Real-engine fixtures shared by every test: one PostgreSQL and one Redis per test session
(embedded when DATABASE_URL / REDIS_URL are not set), fresh databases named at random, and the
three services running for real on loopback ports."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.embedded import EmbeddedPostgres, EmbeddedRedis, free_port, wipe
from shared.settings import Settings
from tests.support import (
    Engines,
    LiveServer,
    bearer,
    drop_all,
    make_settings,
    migrate_all,
    start_services,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def engines() -> Iterator[Engines]:
    """The PostgreSQL and Redis servers of this test session."""
    started: list = []
    database_url = os.environ.get("DATABASE_URL")
    redis_url = os.environ.get("REDIS_URL")
    base = ROOT / "var" / "test" / f"{os.getpid()}"
    if not database_url:
        pg = EmbeddedPostgres(base / "pg", free_port()).start()
        started.append(pg)
        database_url = pg.url
    if not redis_url:
        rd = EmbeddedRedis(base / "redis", free_port()).start()
        started.append(rd)
        redis_url = rd.url
    yield Engines(database_url, redis_url)
    for server in started:
        server.stop()
    wipe(base)


@pytest.fixture(scope="session")
def settings(engines: Engines) -> Iterator[Settings]:
    s = make_settings(engines)
    migrate_all(s)
    yield s
    drop_all(s)


@pytest.fixture(scope="session")
def services(settings: Settings) -> Iterator[dict[str, LiveServer]]:
    """The three services, live, sharing this session's databases and Redis."""
    live = start_services(settings)
    yield live
    for server in live.values():
        server.stop()
    from services.reporting import jobs

    jobs.dispose()


@pytest.fixture(scope="session")
def registry(services):
    return services["registry"].app.test_client()


@pytest.fixture(scope="session")
def pathways(services):
    return services["pathways"].app.test_client()


@pytest.fixture(scope="session")
def reporting(services):
    return services["reporting"].app.test_client()


@pytest.fixture(scope="session")
def admin(settings: Settings) -> dict[str, str]:
    return bearer(settings.admin_token)
