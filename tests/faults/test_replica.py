"""Reports served from a streaming standby of reporting's database: the same figures as the
primary once it has replayed them, and never stale figures passed off as current — a standby that
lags, is paused or stopped leaves the answer to the primary (services/reporting/reading.py)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from services.reporting.catchup import checkpoints
from shared.embedded import EmbeddedPostgres, free_port
from tests.faults.live_system import GUNICORN, ROOT, LiveSystem, stop_process, wait_until
from tests.faults.traffic import PERIOD, Ledger, backlog, caught_up_report, head_position
from tests.support import admin_token, bearer

pytestmark = pytest.mark.faults
MAX_LAG_SECONDS = 1.0


@dataclass
class Replica:
    """A standby of the live system's PostgreSQL and a reporting service that reads it."""

    system: LiveSystem
    server: EmbeddedPostgres
    port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def database_url(self) -> str:
        primary = make_url(self.system.settings.database_url_for("reporting"))
        return primary.set(port=self.server.port).render_as_string(hide_password=False)

    def start_service(self) -> None:
        env = {
            **self.system.env,
            "WEB_WORKERS": "1",
            "WEB_THREADS": "4",
            "REPORTING_READ_DATABASE_URL": self.database_url,
            "REPORTING_READ_MAX_LAG_SECONDS": str(MAX_LAG_SECONDS),
        }
        with open(self.system.base / "reporting-replica.log", "ab") as log:
            self.process = subprocess.Popen(
                [
                    GUNICORN,
                    *("-c", str(ROOT / "gunicorn.conf.py"), "-b", f"127.0.0.1:{self.port}"),
                    "services.reporting.app:create_app()",
                ],
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=log,
            )
        wait_until(lambda: _answers(f"{self.url}/health"), 60, "the replica's reporting /health")

    def sql(self, query: str) -> list:
        """Rows of a query run on the standby, as its superuser."""
        engine = create_engine(self.database_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                return list(conn.execute(text(query)))
        finally:
            engine.dispose()

    def replayed(self) -> int:
        """The log position the standby's projections include."""
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as conn:
                return checkpoints.included_position(conn)
        finally:
            engine.dispose()

    def close(self) -> None:
        if self.process is not None:
            stop_process(self.process)
        self.server.stop()


@pytest.fixture(scope="module")
def replica(live: LiveSystem) -> Iterator[Replica]:
    server = live.pg.standby(live.base / "standby", free_port()).start()
    found = Replica(live, server, free_port())
    found.start_service()
    yield found
    found.close()


@pytest.fixture
def running_replica(replica: Replica, system) -> Iterator[Replica]:
    """The replica, streaming and replaying again after the test whatever the test did."""
    yield replica
    if not replica.server.running():
        replica.server.start()
    replica.sql("SELECT pg_wal_replay_resume()")


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def report(url: str, system: LiveSystem, structure_id: str, **params) -> requests.Response:
    return requests.get(
        f"{url}/v1/reports/outcomes",
        headers=bearer(admin_token(system.settings)),
        params={**PERIOD, "structure_id": structure_id, **params},
        timeout=30,
    )


def figures(answer: requests.Response) -> dict:
    assert answer.status_code == 200, (answer.status_code, answer.text)
    body = answer.json()
    body.pop("generated_at")
    return body


def test_the_standby_answers_the_primarys_figures(running_replica, system, org, persons):
    ledger = Ledger()
    backlog(system.url("pathways"), org, persons, ledger, 60)
    system.start_worker()
    primary = caught_up_report(system, org)
    head = head_position(system)
    wait_until(lambda: running_replica.replayed() >= head, 60, "the standby's replay")

    answer = report(running_replica.url, system, org.id, min_position=head)

    assert answer.headers["X-Reporting-Source"] == "standby"
    assert figures(answer) == primary
    assert primary["total"]["entries"] == len(ledger.pathways)


def test_a_paused_standby_leaves_new_positions_to_the_primary(
    running_replica, system, org, persons
):
    system.start_worker()
    ledger = Ledger()
    backlog(system.url("pathways"), org, persons, ledger, 20)
    before = caught_up_report(system, org)
    wait_until(lambda: running_replica.replayed() >= before["as_of_position"], 60, "the replay")
    running_replica.sql("SELECT pg_wal_replay_pause()")

    backlog(system.url("pathways"), org, persons, ledger, 20)
    after = caught_up_report(system, org)
    head = head_position(system)

    exact = report(running_replica.url, system, org.id, min_position=head)
    assert exact.headers["X-Reporting-Source"] == "primary"
    assert figures(exact) == after
    assert after["total"]["entries"] == before["total"]["entries"] + 20

    # Without a position asked for, a standby behind by more than the allowed delay does not
    # answer either: the figures are the primary's, and say the position they reflect.
    wait_until(
        lambda: (
            report(running_replica.url, system, org.id).headers["X-Reporting-Source"] == "primary"
        ),
        MAX_LAG_SECONDS * 10,
        "the paused standby set aside",
    )
    assert figures(report(running_replica.url, system, org.id)) == after

    running_replica.sql("SELECT pg_wal_replay_resume()")
    wait_until(
        lambda: (
            report(running_replica.url, system, org.id, min_position=head).headers[
                "X-Reporting-Source"
            ]
            == "standby"
        ),
        60,
        "the standby back after its replay",
    )


def test_a_stopped_standby_leaves_reports_to_the_primary(running_replica, system, org, persons):
    system.start_worker()
    ledger = Ledger()
    backlog(system.url("pathways"), org, persons, ledger, 10)
    current = caught_up_report(system, org)
    running_replica.server.stop()

    answer = report(running_replica.url, system, org.id)

    assert answer.headers["X-Reporting-Source"] == "primary"
    assert figures(answer) == current

    running_replica.server.start()
    wait_until(
        lambda: (
            report(running_replica.url, system, org.id).headers["X-Reporting-Source"] == "standby"
        ),
        60,
        "the restarted standby answering again",
    )
