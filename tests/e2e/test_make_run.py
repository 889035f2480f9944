"""`make run` on a machine without PostgreSQL or Redis: one command brings the system up, the
README's curl sequence works, Ctrl-C stops everything, and a second run keeps the data; a port
held by another program, or the leftovers of a hard kill, do not stop it (or stop it with a
French message naming the port and its holder)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import psutil
import pytest
import requests

from shared.embedded import _as_pg_user, free_port

ROOT = Path(__file__).resolve().parents[2]


def start_run(var_dir: Path, ports: dict[str, int], stderr=subprocess.DEVNULL) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        IAE_VAR_DIR=str(var_dir),
        EMBEDDED_PG_PORT=str(ports["pg"]),
        EMBEDDED_REDIS_PORT=str(ports["redis"]),
        WEB_WORKERS="1",
        SWEEP_SECONDS="1",
        LOG_LEVEL="WARNING",
        ADMIN_TOKEN="",
        QUEUE_PREFIX="run" + uuid.uuid4().hex[:6],
        **{
            f"{n.upper()}_URL": f"http://127.0.0.1:{ports[n]}"
            for n in ("registry", "pathways", "reporting")
        },
    )
    env.pop("ADMIN_TOKEN")
    return subprocess.Popen(
        [sys.executable, "-m", "scripts.run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        start_new_session=True,
    )


def wait_banner(proc: subprocess.Popen, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    lines = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        lines.append(line)
        if "Ctrl-C" in line:
            return "".join(lines)
        if proc.poll() is not None:
            break
    pytest.fail("make run did not become ready:\n" + "".join(lines))


def admin_token(banner: str) -> str:
    return next(line.split()[-1] for line in banner.splitlines() if "jeton admin" in line)


def stop(proc: subprocess.Popen, errors: Path | None = None) -> None:
    """Ctrl-C the run and check that nothing it started is left; a run that had already
    stopped on its own fails the test with its exit code and the end of its error output."""
    try:
        children = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    stopped_alone = proc.poll()
    if stopped_alone is None:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(60)
    proc.stdout.close()
    psutil.wait_procs(children, timeout=60)
    assert not [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
    said = errors.read_text(errors="replace")[-3000:] if errors and errors.exists() else ""
    assert stopped_alone is None, f"make run stopped on its own ({stopped_alone}):\n{said}"


def readme_sequence(ports: dict[str, int], admin: str) -> str:
    h = {"Authorization": f"Bearer {admin}"}
    base = {n: f"http://127.0.0.1:{ports[n]}" for n in ("registry", "pathways", "reporting")}
    s = requests.post(
        f"{base['registry']}/v1/structures",
        headers=h,
        json={"siret": "73282932000074", "name": "AI du Val", "kind": "AI", "department": "35"},
    ).json()
    t = requests.post(
        f"{base['registry']}/v1/tokens",
        headers=h,
        json={"scope": "structure", "structure_id": s["id"], "label": "logiciel"},
    ).json()["token"]
    person = requests.post(
        f"{base['pathways']}/v1/persons",
        headers={"Authorization": f"Bearer {t}"},
        json={
            "first_name": "Camille",
            "last_name": "Martin",
            "birth_date": "1990-05-17",
            "sex": "F",
        },
    ).json()["id"]
    opened = requests.post(
        f"{base['pathways']}/v1/pathways/{uuid.uuid4()}/events",
        headers={"Authorization": f"Bearer {t}"},
        json={
            "expected_version": 0,
            "events": [
                {
                    "id": str(uuid.uuid4()),
                    "type": "pathway_opened",
                    "occurred_on": date.today().isoformat(),
                    "data": {
                        "person_id": person,
                        "structure_id": s["id"],
                        "orienteur": "03",
                        "eligibility": {"diagnosed_by": "prescriber", "criteria": ["RSA"]},
                    },
                }
            ],
        },
    )
    assert opened.status_code == 201, opened.text
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        report = requests.get(
            f"{base['reporting']}/v1/reports/outcomes",
            params={"structure_id": s["id"]},
            headers={"Authorization": f"Bearer {t}"},
        ).json()
        if report["total"]["entries"] == 1:
            return s["id"]
        time.sleep(0.3)
    pytest.fail(f"the entry never reached the report: {report}")


@pytest.mark.slow
def test_make_run_serves_the_readme_sequence_and_keeps_data_across_restarts(tmp_path):
    ports = {n: free_port() for n in ("pg", "redis", "registry", "pathways", "reporting")}
    proc = start_run(tmp_path / "var", ports)
    try:
        admin = admin_token(wait_banner(proc))
        structure_id = readme_sequence(ports, admin)
    finally:
        stop(proc)
    proc = start_run(tmp_path / "var", ports)
    try:
        assert admin_token(wait_banner(proc)) == admin
        kept = requests.get(
            f"http://127.0.0.1:{ports['registry']}/v1/structures",
            headers={"Authorization": f"Bearer {admin}"},
        ).json()
        assert structure_id in [s["id"] for s in kept]
    finally:
        stop(proc)


def _listening(port: int) -> socket.socket:
    held = socket.socket()
    held.bind(("127.0.0.1", port))
    held.listen()
    return held


@pytest.mark.slow
def test_make_run_takes_free_ports_when_another_program_holds_its_database_ports(tmp_path):
    ports = {n: free_port() for n in ("pg", "redis", "registry", "pathways", "reporting")}
    held = [_listening(ports["pg"]), _listening(ports["redis"])]  # e.g. another checkout's
    errors = tmp_path / "stderr.txt"
    try:
        with errors.open("w") as err:
            proc = start_run(tmp_path / "var", ports, stderr=err)
            try:
                readme_sequence(ports, admin_token(wait_banner(proc)))
            finally:
                stop(proc)
    finally:
        for s in held:
            s.close()
    said = errors.read_text()
    assert f"le port 127.0.0.1:{ports['pg']} est déjà pris par le processus {os.getpid()}" in said
    assert f"127.0.0.1:{ports['redis']} est déjà pris" in said


@pytest.mark.slow
def test_make_run_names_the_holder_of_a_service_port_instead_of_a_traceback(tmp_path):
    ports = {n: free_port() for n in ("pg", "redis", "registry", "pathways", "reporting")}
    with _listening(ports["pathways"]):
        proc = start_run(tmp_path / "var", ports, stderr=subprocess.PIPE)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert f"le port 127.0.0.1:{ports['pathways']} du service pathways est déjà pris" in err
    assert f"le processus {os.getpid()}" in err
    assert "Traceback" not in err


@pytest.mark.slow
def test_make_run_cleans_up_after_a_hard_kill_of_everything_it_started(tmp_path):
    ports = {n: free_port() for n in ("pg", "redis", "registry", "pathways", "reporting")}
    var = tmp_path / "var"
    proc = start_run(var, ports)
    admin = admin_token(wait_banner(proc))
    # Power cut: every process dies at once, the servers' pid files stay behind.
    postmaster = int((var / "postgres" / "postmaster.pid").read_text().split()[0])
    redis_pid = int((var / "redis" / "redis.pid").read_text().split()[0])
    victims = [psutil.Process(p) for p in (postmaster, redis_pid)]
    victims += psutil.Process(proc.pid).children(recursive=True) + victims[0].children()
    os.killpg(proc.pid, signal.SIGKILL)
    for victim in victims:
        with contextlib.suppress(psutil.NoSuchProcess):  # already gone with its process group
            victim.send_signal(signal.SIGKILL)
    psutil.wait_procs(victims, timeout=20)
    proc.wait(10)
    proc.stdout.close()
    # After a reboot the postmaster's number may name another live process of the same user.
    reused = subprocess.Popen(["sleep", "120"], **_as_pg_user())
    pid_file = var / "postgres" / "postmaster.pid"
    pid_file.write_text(pid_file.read_text().replace(str(postmaster), str(reused.pid), 1))
    errors = tmp_path / "second-run.err"
    try:
        with errors.open("w") as err:
            proc = start_run(var, ports, stderr=err)
        try:
            assert admin_token(wait_banner(proc)) == admin
            assert readme_sequence(ports, admin)
        finally:
            stop(proc, errors)
    finally:
        reused.kill()
        reused.wait()
