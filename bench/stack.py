"""The system under test: engines, databases, the three services under gunicorn, the worker."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path

import requests

from shared import db, migrations
from shared.embedded import EmbeddedPostgres, EmbeddedRedis, free_port, wipe
from shared.settings import SERVICES, Settings

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONF = ROOT / "gunicorn.conf.py"


@dataclass
class Engines:
    """PostgreSQL and Redis: the environment's when set, else embedded ones started here."""

    database_url: str = ""
    redis_url: str = ""
    started: list = field(default_factory=list)
    base: Path | None = None

    @classmethod
    def start(cls) -> Engines:
        engines = cls(os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", ""))
        engines.base = ROOT / "var" / "bench" / str(os.getpid())
        if not engines.database_url:
            pg = EmbeddedPostgres(engines.base / "pg", free_port()).start()
            engines.started.append(pg)
            engines.database_url = pg.url
        if not engines.redis_url:
            rd = EmbeddedRedis(engines.base / "redis", free_port()).start()
            engines.started.append(rd)
            engines.redis_url = rd.url
        return engines

    def stop(self) -> None:
        for server in self.started:
            server.stop()
        if self.started and self.base:
            wipe(self.base)


def make_settings(database_url: str, redis_url: str, prefix: str | None = None) -> Settings:
    """Settings of one harness run: random database and queue prefixes."""
    prefix = prefix or "b" + uuid.uuid4().hex[:10]
    return with_fresh_ports(
        Settings(
            database_url=database_url,
            database_prefix=prefix,
            redis_url=redis_url,
            queue_prefix=prefix,
            admin_token="admin-" + secrets.token_urlsafe(16),
            service_token=f"iae_{uuid.uuid4().hex}_{secrets.token_urlsafe(32)}",
            identity_kek=base64.b64encode(secrets.token_bytes(32)).decode(),
            import_id_secret=secrets.token_urlsafe(32),
            secret_key=secrets.token_urlsafe(32),
            cookie_secure=False,
            log_level="WARNING",
            sweep_seconds=5.0,
        )
    )


def with_fresh_ports(settings: Settings) -> Settings:
    """Free loopback ports picked just before the services bind them (clients take ports too)."""
    ports = {name: free_port() for name in SERVICES}
    return replace(
        settings,
        registry_url=f"http://127.0.0.1:{ports['registry']}",
        pathways_url=f"http://127.0.0.1:{ports['pathways']}",
        extra={**settings.extra, "reporting_url": f"http://127.0.0.1:{ports['reporting']}"},
    )


def reporting_url(settings: Settings) -> str:
    return settings.extra["reporting_url"]


def scratch_url(settings: Settings, name: str) -> str:
    """A database of this run that no service uses (raw baselines, peer, in-process store)."""
    from shared.settings import with_database

    return with_database(settings.database_url, f"{settings.database_prefix}_{name}")


def psycopg_url(url: str) -> str:
    """The libpq form of an SQLAlchemy URL, for code that talks to psycopg directly."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def migrate(settings: Settings) -> None:
    for service in SERVICES:
        migrations.upgrade(service, settings.database_url_for(service))


def drop_all(settings: Settings, scratch: tuple[str, ...]) -> None:
    for service in SERVICES:
        db.drop_database(settings.database_url_for(service))
    for name in scratch:
        db.drop_database(scratch_url(settings, name))


def environment(settings: Settings) -> dict[str, str]:
    """The environment variables that make a child process use `settings`."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        {
            "DATABASE_URL": settings.database_url,
            "DATABASE_PREFIX": settings.database_prefix,
            "REDIS_URL": settings.redis_url,
            "QUEUE_PREFIX": settings.queue_prefix,
            "ADMIN_TOKEN": settings.admin_token,
            "SERVICE_TOKEN": settings.service_token,
            "IDENTITY_KEK": settings.identity_kek,
            "IMPORT_ID_SECRET": settings.import_id_secret,
            "SECRET_KEY": settings.secret_key,
            "REGISTRY_URL": settings.registry_url,
            "PATHWAYS_URL": settings.pathways_url,
            "REPORTING_URL": reporting_url(settings),
            "COOKIE_SECURE": "false",
            "LOG_LEVEL": "WARNING",
            "SWEEP_SECONDS": str(settings.sweep_seconds),
            # The harness times reports back to back with one token: the per-token limit of a
            # real deployment would answer 429 to it once reports are fast enough.
            "RATE_LIMIT_REPORTS": "10000/second",
            "PYTHONPATH": str(ROOT),
        }
    )
    for service in SERVICES:
        explicit = settings.extra.get(f"{service}_database_url")
        if explicit:
            env[f"{service.upper()}_DATABASE_URL"] = explicit
    return env


def gunicorn(app_spec: str, url: str, env: dict[str, str]) -> subprocess.Popen:
    """One app under the project's gunicorn settings, bound to `url`'s loopback port."""
    bind = url.removeprefix("http://")
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            str(GUNICORN_CONF),
            "-b",
            bind,
            app_spec,
        ],
        env=env,
        cwd=ROOT,
    )


def start_services(settings: Settings) -> list[subprocess.Popen]:
    env = environment(settings)
    urls = {
        "registry": settings.registry_url,
        "pathways": settings.pathways_url,
        "reporting": reporting_url(settings),
    }
    procs = [gunicorn(f"services.{n}.app:create_app()", urls[n], env) for n in SERVICES]
    try:
        wait_ready(list(urls.values()), "/ready")
    except BaseException:
        stop(procs)  # never leave servers behind when the run cannot start
        raise
    return procs


def start_worker(settings: Settings, **overrides) -> subprocess.Popen:
    """The real reporting worker (RQ + periodic sweep), as `make run` starts it."""
    env = environment(replace(settings, **overrides))
    log = (ROOT / "var" / "bench").joinpath("worker.log")
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as sink:  # RQ logs every job: kept out of the table, kept for reading
        return subprocess.Popen(
            [sys.executable, "-m", "services.reporting.catchup.worker"],
            env=env,
            cwd=ROOT,
            stdout=sink,
            stderr=sink,
        )


def wait_ready(urls: list[str], path: str, timeout: float = 90.0) -> None:
    deadline, pending = time.monotonic() + timeout, set(urls)
    while pending and time.monotonic() < deadline:
        for url in list(pending):
            try:
                if requests.get(url + path, timeout=2).status_code == 200:
                    pending.discard(url)
            except requests.RequestException:
                pass
        time.sleep(0.2)
    if pending:
        raise RuntimeError(f"not ready after {timeout:.0f}s: {', '.join(sorted(pending))}")


def stop(procs: list[subprocess.Popen]) -> None:
    """Stop the processes this run started (and only those)."""
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(5)
