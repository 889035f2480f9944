"""Real-engine fixtures shared by every test: one PostgreSQL and one Redis per test session
(embedded when DATABASE_URL / REDIS_URL are not set), fresh databases named at random, and the
three services running for real on loopback ports."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.embedded import EmbeddedPostgres, EmbeddedRedis, free_port, wipe
from shared.settings import Settings
from tests.support import (
    Engines,
    LiveServer,
    admin_token,
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
    from services.reporting.catchup import jobs

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
    """An admin token with a row; the bootstrap ADMIN_TOKEN only creates such tokens."""
    return bearer(admin_token(settings))


# What the reliability tests (faults, hostile input, isolation, load) counted, summed over the run
# and printed at its end under "Fiabilité": events sent, accepted, in the log, in the reports,
# fuzz cases played and server errors found.
TALLY = pytest.StashKey[Counter]()
TALLY_LABELS = {
    "sent": "événements envoyés",
    "accepted": "événements acceptés (2xx)",
    "in_log": "événements présents dans le journal",
    "in_reports": "événements comptés par les rapports",
    "fuzz_cases": "cas de fuzzing joués",
    "stateful_calls": "appels du fuzzing avec état (enchaînements)",
    "stateful_links": "liens OpenAPI suivis par ces enchaînements",
    "hostile_cases": "requêtes hostiles ciblées",
    "isolation_cases": "couples point d'accès × portée vérifiés",
    "server_errors": "réponses 5xx inattendues",
}


@pytest.fixture(scope="session")
def tally(pytestconfig) -> Counter:
    """The run's reliability counters (see TALLY_LABELS)."""
    return pytestconfig.stash.setdefault(TALLY, Counter())


def pytest_terminal_summary(terminalreporter, config) -> None:
    counts = config.stash.get(TALLY, None)
    if not counts:
        return
    terminalreporter.section("Fiabilité")
    for key, label in TALLY_LABELS.items():
        if key in counts or key == "server_errors":
            terminalreporter.write_line(f"{label:<45} {counts[key]:>8}")
    for key in sorted(set(counts) - set(TALLY_LABELS)):
        terminalreporter.write_line(f"{key:<45} {counts[key]:>8}")
