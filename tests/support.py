"""Helpers shared by the tests of every service: settings isolated per session, the three
services run live, a real RQ worker in burst mode. Imported as `tests.support` (fixtures live in
tests/conftest.py, which pytest loads by itself)."""

from __future__ import annotations

import base64
import secrets
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server

from shared import db, migrations
from shared.embedded import free_port
from shared.settings import SERVICES, Settings

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Engines:
    database_url: str
    redis_url: str


def make_settings(engines: Engines, **overrides) -> Settings:
    """Settings isolated from every other test session: random database and queue prefixes."""
    prefix = "t" + uuid.uuid4().hex[:12]
    ports = {name: free_port() for name in SERVICES}
    values: dict[str, Any] = dict(
        database_url=engines.database_url,
        database_prefix=prefix,
        redis_url=engines.redis_url,
        queue_prefix=prefix,
        admin_token="admin-" + secrets.token_urlsafe(16),
        service_token=new_service_token(),
        identity_kek=base64.b64encode(secrets.token_bytes(32)).decode(),
        import_id_secret=secrets.token_urlsafe(32),
        secret_key=secrets.token_urlsafe(32),
        registry_url=f"http://127.0.0.1:{ports['registry']}",
        pathways_url=f"http://127.0.0.1:{ports['pathways']}",
        sweep_seconds=3600.0,
        # Tests upload files one after another with one token: the imports' limit is exercised
        # with its own value in tests/pathways/test_imports.py.
        rate_limit_imports="100/second",
        cookie_secure=False,
        log_level="WARNING",
        extra={"reporting_url": f"http://127.0.0.1:{ports['reporting']}"},
    )
    values.update(overrides)
    return Settings(**values)


def new_service_token() -> str:
    """A SERVICE_TOKEN setting: the registry makes it a `service` token the first time the worker
    presents it (services/registry/verifier.py)."""
    return f"iae_{uuid.uuid4().hex}_{secrets.token_urlsafe(32)}"


_ADMIN_TOKENS: dict[str, str] = {}


def admin_token(settings: Settings) -> str:
    """A real admin token of this session's registry (a row, as an operator would create with
    the bootstrap ADMIN_TOKEN, which itself may only create admin tokens)."""
    url = settings.database_url_for("registry")
    if url not in _ADMIN_TOKENS:
        from services.registry import tokens

        engine = db.make_engine(url, pool_size=1)
        try:
            with db.make_sessionmaker(engine).begin() as session:
                data = dict.fromkeys(("structure_id", "group_id", "department", "region"))
                made = tokens.create(
                    session,
                    tokens.BOOTSTRAP_CALLER,
                    {**data, "scope": "admin", "label": "tests", "expires_on": None},
                )
        finally:
            engine.dispose()
        _ADMIN_TOKENS[url] = made["token"]
    return _ADMIN_TOKENS[url]


def migrate_all(settings: Settings) -> None:
    for service in SERVICES:
        migrations.upgrade(service, settings.database_url_for(service))


def drop_all(settings: Settings) -> None:
    for service in SERVICES:
        db.drop_database(settings.database_url_for(service))


def dispose_engines(app) -> None:
    """Close every pooled connection of a service app: its engine and, for pathways, the
    engine appends run on."""
    for name in ("iae_engine", "iae_write_engine"):
        if name in app.extensions:
            app.extensions[name].dispose()


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
        dispose_engines(self.app)


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


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def run_worker(settings: Settings) -> None:
    """Serve every pending nudge with a real RQ worker, in burst mode, in this process."""
    from services.reporting.catchup import jobs
    from services.reporting.catchup.worker import make_worker
    from shared import queues

    jobs.configure(settings)
    conn = queues.connect(settings.redis_url)
    make_worker(conn, settings.queue_prefix).work(burst=True, with_scheduler=False)


def _jobs_for(settings: Settings):
    """The catch-up jobs of this process, bound to `settings` (once: binding opens a pool)."""
    from services.reporting.catchup import jobs

    if jobs.context().get("settings") is not settings:
        jobs.configure(settings)
    return jobs


def checkpoint(settings: Settings, name: str) -> int:
    """The position projection `name` includes."""
    from services.reporting.catchup import checkpoints

    return checkpoints.read(_jobs_for(settings).context()["engine"], name).position


def status(settings: Settings, name: str) -> str:
    """'running' or 'failed'."""
    from services.reporting.catchup import checkpoints

    return checkpoints.read(_jobs_for(settings).context()["engine"], name).status


def catch_up_to(
    settings: Settings,
    position: int,
    read_position=None,
    *,
    through_queue: bool = False,
    timeout: float = 30.0,
) -> None:
    """Catch up until `read_position()` (by default the outcomes checkpoint; e.g. what a report
    says it includes) reaches `position`: by serving the queued nudges with a real RQ worker
    (`through_queue`), else by running the catch-up job in this process.

    The feed only hands out events once every older transaction on the cluster has ended, so on a
    busy server one catch-up may legitimately stop short; polling with a deadline is the honest
    wait.
    """
    import time

    jobs = _jobs_for(settings)
    read = read_position or (lambda: checkpoint(settings, "outcomes"))
    deadline = time.monotonic() + timeout
    while read() < position:
        assert time.monotonic() < deadline, f"projections did not reach {position} in {timeout}s"
        assert status(settings, "outcomes") != "failed", "the projection failed"
        if through_queue:
            run_worker(settings)
        else:
            jobs.catch_up("all", patience=0.0)
        time.sleep(0.05)


def generated_events(spec, structure_id: str, person_id: str) -> list:
    """A generated pathway's events (client/demo) as the pathways service reads them: data
    validated and in its stored form."""
    from datetime import date

    from shared.domain.events import load_event_data
    from shared.domain.pathway.state import Event

    return [
        Event(
            e["id"],
            e["type"],
            date.fromisoformat(e["occurred_on"]),
            load_event_data(e["type"], e["data"]),
        )
        for e in spec.events_for(structure_id, person_id)
    ]
