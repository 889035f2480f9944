"""The embedded PostgreSQL and Redis that `make run` and the tests start: both ask for a password,
both clean up what a hard kill of their previous run left, and neither takes a port another
program holds (shared/embedded.py)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import psutil
import psycopg
import pytest
import redis
from sqlalchemy import create_engine, text

from shared.embedded import EmbeddedPostgres, EmbeddedRedis, PortTaken, _as_pg_user, free_port, wipe

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def base() -> Iterator[Path]:
    path = ROOT / "var" / "test" / f"embedded-{uuid.uuid4().hex[:8]}"
    yield path
    wipe(path)


def _answers(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT 1")).scalar_one()
    finally:
        engine.dispose()


def test_the_embedded_redis_refuses_a_connection_without_its_password(base):
    server = EmbeddedRedis(base / "redis", free_port()).start()
    try:
        anonymous = redis.Redis(host="127.0.0.1", port=server.port)
        with pytest.raises(redis.AuthenticationError):
            anonymous.ping()
        anonymous.close()
        with redis.Redis.from_url(server.url) as allowed:
            assert allowed.ping()
    finally:
        server.stop()


def test_the_embedded_postgres_refuses_a_local_user_without_the_password(base):
    server = EmbeddedPostgres(base / "pg", free_port()).start()
    try:
        with pytest.raises(psycopg.OperationalError, match="password"):
            psycopg.connect(host="127.0.0.1", port=server.port, user="postgres", dbname="postgres")
        with pytest.raises(psycopg.OperationalError, match="password"):
            psycopg.connect(host=str(server.data_dir), port=server.port, user="postgres")
        assert _answers(server.url) == 1
    finally:
        server.stop()


def test_a_cluster_made_trusting_everyone_gets_its_password_on_next_start(base):
    server = EmbeddedPostgres(base / "pg", free_port()).start()
    server.stop()
    hba = server.data_dir / "pg_hba.conf"
    hba.write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
    server.start()
    try:
        with pytest.raises(psycopg.OperationalError, match="password"):
            psycopg.connect(host="127.0.0.1", port=server.port, user="postgres", dbname="postgres")
        assert _answers(server.url) == 1
    finally:
        server.stop()


def test_postgres_starts_again_after_its_server_was_killed_with_sigkill(base):
    server = EmbeddedPostgres(base / "pg", free_port()).start()
    pid = int((server.data_dir / "postmaster.pid").read_text().split()[0])
    children = psutil.Process(pid).children()
    os.kill(pid, signal.SIGKILL)
    psutil.wait_procs([psutil.Process(pid), *children], timeout=10)
    pid_file = server.data_dir / "postmaster.pid"
    assert pid_file.exists()  # what a hard kill leaves
    # After a reboot or in a container, its number may since name another live process.
    other = subprocess.Popen(["sleep", "60"], **_as_pg_user())  # same user as the server
    pid_file.write_text(pid_file.read_text().replace(str(pid), str(other.pid), 1))
    try:
        again = EmbeddedPostgres(server.data_dir, server.port, server.password).start()
        assert _answers(again.url) == 1
        again.stop()
    finally:
        other.kill()
        other.wait()


def test_a_redis_left_running_by_a_killed_run_is_replaced(base):
    port = free_port()
    leftover = EmbeddedRedis(base / "redis", port).start()  # its owner "dies" without stopping it
    again = EmbeddedRedis(base / "redis", port, leftover.password)
    try:
        again.start()
        assert leftover.process is not None and leftover.process.wait(10) is not None
        with redis.Redis.from_url(again.url) as conn:
            assert conn.ping()
    finally:
        again.stop()
        leftover.stop()


def test_a_stale_redis_pid_file_does_not_stop_a_start(base):
    server = EmbeddedRedis(base / "redis", free_port())
    server.data_dir.mkdir(parents=True)
    server.pid_file.write_text(f"{os.getpid()}\n")  # a live process, but not a Redis of ours
    server.start()
    try:
        with redis.Redis.from_url(server.url) as conn:
            assert conn.ping()
    finally:
        server.stop()


@pytest.mark.parametrize("engine", [EmbeddedPostgres, EmbeddedRedis])
def test_a_port_held_by_another_program_is_named_not_taken(base, engine):
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        with pytest.raises(PortTaken) as refused:
            engine(base / "server", port).start()
    assert refused.value.port == port
    assert f"le processus {os.getpid()}" in str(refused.value)
