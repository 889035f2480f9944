"""No Docker engine runs in CI, so the compose file is checked against what `make run` starts."""

from __future__ import annotations

from pathlib import Path

import yaml

from scripts.run import PORTS

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_compose_declares_every_part_of_the_system():
    assert {"postgres", "redis", "migrate", "registry", "pathways", "reporting", "worker"} <= set(
        SERVICES
    )


def test_each_web_service_runs_the_same_gunicorn_app_and_port_as_make_run():
    for name, port in PORTS.items():
        command = SERVICES[name]["command"]
        assert command[:3] == ["gunicorn", "-c", "gunicorn.conf.py"]
        assert command[command.index("-b") + 1] == f"0.0.0.0:{port}"
        assert command[-1] == f"services.{name}.app:create_app()"
        assert SERVICES[name]["ports"] == [f"{port}:{port}"]


def test_each_web_service_is_health_checked_on_its_ready_endpoint():
    for name, port in PORTS.items():
        check = " ".join(SERVICES[name]["healthcheck"]["test"])
        assert f"localhost:{port}/ready" in check


def test_the_worker_runs_the_module_make_run_starts():
    assert SERVICES["worker"]["command"] == ["python", "-m", "services.reporting.catchup.worker"]
    run_source = (ROOT / "scripts" / "run.py").read_text()
    assert '"-m", "services.reporting.catchup.worker"' in run_source


def test_services_wait_for_migrations_and_healthy_dependencies():
    for name in PORTS:
        depends = SERVICES[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["redis"]["condition"] == "service_healthy"
    assert SERVICES["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "healthcheck" in SERVICES["postgres"] and "healthcheck" in SERVICES["redis"]


def test_every_service_is_told_where_the_others_are():
    env = SERVICES["pathways"]["environment"]
    assert env["REGISTRY_URL"] == "http://registry:5001"
    assert env["PATHWAYS_URL"] == "http://pathways:5002"
    assert env["DATABASE_URL"].startswith("postgresql+psycopg://")
