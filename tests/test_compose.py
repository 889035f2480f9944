"""No Docker engine runs in CI, so the compose file is checked against what `make run` starts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from scripts.run import PORTS
from shared.settings import KNOWN_SECRETS, SECRET_SETTINGS

ROOT = Path(__file__).resolve().parent.parent
TEXT = (ROOT / "docker-compose.yml").read_text()
COMPOSE = yaml.safe_load(TEXT)
SERVICES = COMPOSE["services"]
SECRETS = [s.upper() for s in SECRET_SETTINGS] + ["POSTGRES_PASSWORD", "REDIS_PASSWORD"]
# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message}, as compose reads
VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's variable substitution, for the forms this file uses."""

    def one(match: re.Match) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        if env.get(name):
            return env[name]
        if op and op.endswith("?"):
            raise LookupError(f"{name}: {arg}")
        return arg if op else ""

    return VARIABLE.sub(one, value)


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
        assert SERVICES[name]["ports"] == [f"${{BIND_ADDRESS:-127.0.0.1}}:{port}:{port}"]


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


def test_no_secret_has_a_default_each_is_required_with_a_message():
    uses = {(m["name"], m["op"]) for m in VARIABLE.finditer(TEXT) if m["name"] in SECRETS}
    # Every secret a service checks at start (shared/settings.py SECRET_SETTINGS) is required.
    assert {name for name, _ in uses} == set(SECRETS)
    assert all(op == ":?" for _, op in uses), sorted(uses)
    assert not [known for known in KNOWN_SECRETS if len(known) > 8 and known in TEXT]


@pytest.mark.parametrize("missing", ["ADMIN_TOKEN", "IDENTITY_KEK", "SECRET_KEY", "REDIS_PASSWORD"])
def test_compose_refuses_to_start_without_each_secret(missing):
    env = {name: "x" * 40 for name in SECRETS if name != missing}
    env_of = SERVICES["registry"]["environment"]
    with pytest.raises(LookupError, match=f"{missing}: définissez {missing}"):
        [interpolate(str(v), env) for v in env_of.values()]


def test_services_are_published_on_loopback_unless_configured():
    for name, port in PORTS.items():
        (published,) = SERVICES[name]["ports"]
        assert interpolate(published, {}) == f"127.0.0.1:{port}:{port}"
        assert interpolate(published, {"BIND_ADDRESS": "0.0.0.0"}) == f"0.0.0.0:{port}:{port}"
    for name in ("postgres", "redis"):
        assert "ports" not in SERVICES[name]  # reached by the services only, never published


def test_cookies_are_secure_and_redis_asks_for_its_password():
    env = SERVICES["registry"]["environment"]
    assert interpolate(env["COOKIE_SECURE"], {}) == "true"
    assert interpolate(env["REDIS_URL"], {"REDIS_PASSWORD": "pw"}) == "redis://:pw@redis:6379/0"
    assert "requirepass" in " ".join(SERVICES["redis"]["command"])


def test_images_are_pinned_to_exact_versions():
    images = [SERVICES[n]["image"] for n in ("postgres", "redis")]
    dockerfile = (ROOT / "Dockerfile").read_text()
    images += re.findall(r"^FROM (\S+)", dockerfile, re.M)
    for image in images:
        tag = image.split("@")[0].rsplit(":", 1)[-1]
        assert re.match(r"\d+\.\d+(\.\d+)?-", tag) or "@sha256:" in image, image
