"""Real-engine fixtures shared by every test: one PostgreSQL and one Redis per test session
(embedded when DATABASE_URL / REDIS_URL are not set), fresh databases named at random, and the
three services running for real on loopback ports."""

from __future__ import annotations

import base64
import os
import secrets
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from shared import db, migrations
from shared.embedded import EmbeddedPostgres, EmbeddedRedis, free_port, wipe
from shared.settings import SERVICES, Settings

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Engines:
    database_url: str
    redis_url: str


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


def make_settings(engines: Engines, **overrides) -> Settings:
    """Settings isolated from every other test session: random database and queue prefixes."""
    prefix = "t" + uuid.uuid4().hex[:12]
    ports = {name: free_port() for name in SERVICES}
    values = dict(
        database_url=engines.database_url,
        database_prefix=prefix,
        redis_url=engines.redis_url,
        queue_prefix=prefix,
        admin_token="admin-" + secrets.token_urlsafe(16),
        identity_kek=base64.b64encode(secrets.token_bytes(32)).decode(),
        secret_key=secrets.token_urlsafe(32),
        registry_url=f"http://127.0.0.1:{ports['registry']}",
        pathways_url=f"http://127.0.0.1:{ports['pathways']}",
        sweep_seconds=3600.0,
        cookie_secure=False,
        log_level="WARNING",
        extra={"reporting_url": f"http://127.0.0.1:{ports['reporting']}"},
    )
    values.update(overrides)
    return Settings(**values)


def migrate_all(settings: Settings) -> None:
    for service in SERVICES:
        migrations.upgrade(service, settings.database_url_for(service))


def drop_all(settings: Settings) -> None:
    for service in SERVICES:
        db.drop_database(settings.database_url_for(service))


@pytest.fixture(scope="session")
def settings(engines: Engines) -> Iterator[Settings]:
    s = make_settings(engines)
    migrate_all(s)
    yield s
    drop_all(s)


class LiveServer:
    """A service app served by werkzeug on a loopback port, in a thread of the test process."""

    def __init__(self, app, url: str):
        self.app = app
        self.url = url
        port = int(url.rsplit(":", 1)[1])
        self._server = make_server("127.0.0.1", port, app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self.app.extensions["iae_engine"].dispose()


def start_services(settings: Settings) -> dict[str, LiveServer]:
    from services.pathways.app import create_app as pathways_app
    from services.registry.app import create_app as registry_app
    from services.reporting.app import create_app as reporting_app

    urls = {
        "registry": settings.registry_url,
        "pathways": settings.pathways_url,
        "reporting": settings.extra["reporting_url"],
    }
    factories = {"registry": registry_app, "pathways": pathways_app, "reporting": reporting_app}
    return {n: LiveServer(factories[n](settings), urls[n]).start() for n in SERVICES}


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


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def admin(settings: Settings) -> dict[str, str]:
    return bearer(settings.admin_token)


def run_worker(settings: Settings) -> None:
    """Serve every pending nudge with a real RQ worker, in burst mode, in this process."""
    from rq import SimpleWorker

    from services.reporting import jobs
    from shared import queues

    jobs.configure(settings)
    conn = queues.connect(settings.redis_url)
    SimpleWorker([queues.queue(conn, settings.queue_prefix)], connection=conn).work(
        burst=True, with_scheduler=False
    )


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
