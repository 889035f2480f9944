"""The whole system as real processes a test controls: its own PostgreSQL and Redis (embedded, so
they can be stopped and restarted even when DATABASE_URL/REDIS_URL are set), the three services
under gunicorn as `make run` starts them, and any number of reporting workers."""

from __future__ import annotations

import base64
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field, fields
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

from shared import migrations
from shared.embedded import EmbeddedPostgres, EmbeddedRedis, free_port, wipe
from shared.settings import SERVICES, Settings
from tests.support import new_service_token

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).parent / "gunicorn")


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment a process reads `settings` back from (fields upper-cased)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    for f in fields(Settings):
        if f.name != "extra":
            env[f.name.upper()] = str(getattr(settings, f.name))
    env["PYTHONPATH"] = str(ROOT)
    return env


@dataclass
class LiveSystem:
    """Servers and processes of one test module; every process writes its log under `base`."""

    base: Path
    ports: dict[str, int]
    pg: EmbeddedPostgres
    redis: EmbeddedRedis
    settings: Settings
    env: dict[str, str]
    services: dict[str, subprocess.Popen] = field(default_factory=dict)
    workers: list[subprocess.Popen] = field(default_factory=list)

    @classmethod
    def create(cls, base: Path, **overrides) -> LiveSystem:
        """Start PostgreSQL and Redis, migrate, then the three services (no worker yet)."""
        wipe(base)
        ports = {name: free_port() for name in SERVICES}
        pg = EmbeddedPostgres(base / "pg", free_port()).start()
        redis = EmbeddedRedis(base / "redis", free_port()).start()
        values = dict(
            database_url=pg.url,
            redis_url=redis.url,
            database_prefix="live",
            queue_prefix="live",
            admin_token="admin-" + secrets.token_urlsafe(16),
            service_token=new_service_token(),
            identity_kek=base64.b64encode(secrets.token_bytes(32)).decode(),
            import_id_secret=secrets.token_urlsafe(32),
            secret_key=secrets.token_urlsafe(32),
            cookie_secure=False,
            registry_url=f"http://127.0.0.1:{ports['registry']}",
            pathways_url=f"http://127.0.0.1:{ports['pathways']}",
            sweep_seconds=1.0,
            log_level="INFO",
        )
        settings = Settings(**{**values, **overrides})
        migrations.upgrade_all(settings)
        system = cls(base, ports, pg, redis, settings, settings_env(settings))
        for name in SERVICES:
            system.start_service(name)
        system.wait_ready()
        return system

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def _log(self, name: str):
        return open(self.base / f"{name}.log", "ab")  # noqa: SIM115 (the child keeps it open)

    def start_service(self, name: str) -> None:
        env = {**self.env, "WEB_WORKERS": "1", "WEB_THREADS": "8"}
        with self._log(name) as log:
            self.services[name] = subprocess.Popen(
                [
                    GUNICORN,
                    "-c",
                    str(ROOT / "gunicorn.conf.py"),
                    "-b",
                    f"127.0.0.1:{self.ports[name]}",
                    f"services.{name}.app:create_app()",
                ],
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=log,
            )
        self.wait_health(name)

    def stop_service(self, name: str) -> None:
        """gunicorn's quick shutdown (SIGINT): an outage, not a drain."""
        stop_process(self.services.pop(name), signal.SIGINT)

    def wait_health(self, name: str, timeout: float = 60) -> None:
        wait_until(lambda: _answers(f"{self.url(name)}/health"), timeout, f"{name} /health")

    def wait_ready(self, timeout: float = 60) -> None:
        for name in SERVICES:
            wait_until(lambda n=name: _answers(f"{self.url(n)}/ready"), timeout, f"{name} /ready")

    def start_worker(self, **env: str) -> subprocess.Popen:
        """A reporting worker, as `make run` starts it; `env` overrides settings (e.g. batch)."""
        with self._log(f"worker-{len(self.workers)}") as log:
            worker = subprocess.Popen(
                [sys.executable, "-m", "services.reporting.catchup.worker"],
                env={**self.env, **env},
                cwd=ROOT,
                stdout=log,
                stderr=log,
            )
        self.workers.append(worker)
        return worker

    def kill_worker(self, worker: subprocess.Popen) -> None:
        """SIGKILL: no clean-up at all, as when a machine loses power."""
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        self.workers.remove(worker)

    def stop_workers(self) -> None:
        while self.workers:
            stop_process(self.workers.pop())

    def restart_redis(self, down_while=lambda: None) -> None:
        self.redis.stop()
        down_while()
        self.redis.start()

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.base.glob("*.log")))

    def sql(self, service: str, query: str, **params) -> list:
        """Rows of a query on a service's database, as its owner (for checks only)."""
        engine = create_engine(self.settings.database_url_for(service))
        try:
            with engine.connect() as conn:
                return list(conn.execute(text(query), params))
        finally:
            engine.dispose()

    def close(self) -> None:
        self.stop_workers()
        for name in list(self.services):
            self.stop_service(name)
        self.redis.stop()
        self.pg.stop()
        wipe(self.base)


def stop_process(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def wait_until(check, timeout: float, what: str, every: float = 0.2) -> None:
    """Poll `check` until it is true; fail the test with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting after {timeout:.0f}s: {what}")
        time.sleep(every)
