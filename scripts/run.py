"""`make run`: the whole system on one machine with one command.

Uses DATABASE_URL / REDIS_URL when set; otherwise starts a real PostgreSQL and a real Redis from
pip packages under ./var (data kept between runs). Then applies every migration, starts the three
services under gunicorn and the reporting worker, waits until all answer /ready, and prints where
they are. Ctrl-C stops every process it started.

`make run-oidc` (`--oidc`) also starts the local OpenID provider the tests use (tests/oidc,
oidc-provider from npm, on port 5010), so that staff sign-in can be tried without ProConnect:
any e-mail signs in there, and the dashboard lets in the ones with a staff account
(`DEV_STAFF_EMAIL`, a network account, is created)."""

from __future__ import annotations

import base64
import os
import secrets
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil
import requests

from client import demo
from shared import migrations
from shared.embedded import (
    EmbeddedPostgres,
    EmbeddedRedis,
    PortTaken,
    free_port,
    port_holder,
    port_in_use,
)
from shared.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("IAE_VAR_DIR", ROOT / "var"))
PORTS = {"registry": 5001, "pathways": 5002, "reporting": 5003}
EMBEDDED_PG_PORT = int(os.environ.get("EMBEDDED_PG_PORT", 55432))
EMBEDDED_REDIS_PORT = int(os.environ.get("EMBEDDED_REDIS_PORT", 56379))
OIDC_DIR = ROOT / "tests" / "oidc"
OIDC_PORT = int(os.environ.get("DEV_OIDC_PORT", 5010))
DEV_CLIENT_ID = "tableau-de-bord"


def _kept_secret(name: str, make) -> str:
    """A secret generated on the first run and kept under ./var for the next ones."""
    path = VAR / name
    if not path.exists():
        VAR.mkdir(parents=True, exist_ok=True)
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


def prepare_environment() -> tuple[dict[str, str], list]:
    """The environment of every child process, and the embedded servers started for it."""
    env = dict(os.environ)
    started: list = []
    check_web_ports(env)
    if not env.get("DATABASE_URL"):
        password = _kept_secret("postgres_password", lambda: secrets.token_hex(24))
        pg = start_embedded(EmbeddedPostgres(VAR / "postgres", EMBEDDED_PG_PORT, password))
        started.append(pg)
        env["DATABASE_URL"] = pg.url
    if not env.get("REDIS_URL"):
        password = _kept_secret("redis_password", lambda: secrets.token_hex(24))
        rd = start_embedded(EmbeddedRedis(VAR / "redis", EMBEDDED_REDIS_PORT, password))
        started.append(rd)
        env["REDIS_URL"] = rd.url
    env.setdefault("ADMIN_TOKEN", _kept_secret("admin_token", lambda: secrets.token_urlsafe(24)))
    # The worker's `service` token: the registry creates its row the first time it is presented.
    env.setdefault(
        "SERVICE_TOKEN",
        _kept_secret(
            "service_token", lambda: f"iae_{uuid.uuid4().hex}_{secrets.token_urlsafe(32)}"
        ),
    )
    env.setdefault(
        "IDENTITY_KEK",
        _kept_secret("identity_kek", lambda: base64.b64encode(secrets.token_bytes(32)).decode()),
    )
    env.setdefault("SECRET_KEY", _kept_secret("secret_key", lambda: secrets.token_urlsafe(32)))
    env.setdefault(
        "IMPORT_ID_SECRET", _kept_secret("import_id_secret", lambda: secrets.token_urlsafe(32))
    )
    env.setdefault("COOKIE_SECURE", "false")
    for name, port in PORTS.items():
        env.setdefault(f"{name.upper()}_URL", f"http://127.0.0.1:{port}")
    env["PYTHONPATH"] = str(ROOT)
    return env, started


def start_embedded(server):
    """Start an embedded server of ./var: one already serving this folder is reused, leftovers
    of a hard kill are cleaned up (shared/embedded.py), and when another program holds the
    usual port, a free one is taken instead (the services learn it from their URLs)."""
    try:
        return server.start()
    except PortTaken as taken:
        server.port = free_port()
        print(f"{taken} : port {server.port} utilisé à la place.", file=sys.stderr)
        return server.start()


def check_web_ports(env: dict[str, str]) -> None:
    """The services' ports are the ones the README gives: when another program holds one,
    say which, rather than let gunicorn fail among the other processes' output."""
    for name in PORTS:
        url = env.get(f"{name.upper()}_URL", f"http://127.0.0.1:{PORTS[name]}")
        port = int(url.rsplit(":", 1)[1].strip("/"))
        if url.startswith("http://127.0.0.1:") and port_in_use(port):
            raise SystemExit(
                f"make run : le port 127.0.0.1:{port} du service {name} est déjà pris par "
                f"{port_holder(port)}. Arrêtez ce programme, ou choisissez un autre port avec "
                f"{name.upper()}_URL=http://127.0.0.1:<port>."
            )


def migrate(env: dict[str, str]) -> None:
    migrations.upgrade_all(Settings.from_env(env))


def _port(env: dict[str, str], name: str) -> int:
    return int(env[f"{name.upper()}_URL"].rsplit(":", 1)[1].strip("/"))


def with_local_provider(env: dict[str, str]) -> subprocess.Popen:
    """Start the local OpenID provider, and point the dashboard at it."""
    if not (OIDC_DIR / "node_modules").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=OIDC_DIR, check=True)
    secret = _kept_secret("oidc_client_secret", lambda: secrets.token_urlsafe(32))
    env.update(
        OIDC_ISSUER=f"http://127.0.0.1:{OIDC_PORT}",
        OIDC_CLIENT_ID=DEV_CLIENT_ID,
        OIDC_CLIENT_SECRET=secret,
    )
    provider_env = {
        **env,
        "PORT": str(OIDC_PORT),
        "CLIENT_ID": DEV_CLIENT_ID,
        "CLIENT_SECRET": secret,
        "REDIRECT_URI": f"{env['REPORTING_URL']}/connexion/oidc/retour",
    }
    return subprocess.Popen(["node", "provider.js"], env=provider_env, cwd=OIDC_DIR)


def dev_staff(env: dict[str, str]) -> str:
    """A network staff account for trying the sign-in (kept if it exists)."""
    email = env.get("DEV_STAFF_EMAIL", "equipe.reseau@exemple.fr")
    answer = requests.post(
        f"{env['REGISTRY_URL']}/v1/staff",
        headers=_bearer(env["IAE_TOKEN"]),
        json={"email": email, "scope": "network"},
        timeout=10,
    )
    if answer.status_code not in (201, 409):
        answer.raise_for_status()
    return email


def spawn(env: dict[str, str]) -> list[subprocess.Popen]:
    bin_dir = Path(sys.executable).parent
    procs = [
        subprocess.Popen(
            [
                str(bin_dir / "gunicorn"),
                "-c",
                str(ROOT / "gunicorn.conf.py"),
                "-b",
                f"127.0.0.1:{_port(env, name)}",
                f"services.{name}.app:create_app()",
            ],
            env=env,
            cwd=ROOT,
        )
        for name in PORTS
    ]
    procs.append(
        subprocess.Popen(
            [sys.executable, "-m", "services.reporting.catchup.worker"], env=env, cwd=ROOT
        )
    )
    return procs


def wait_ready(env: dict[str, str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    pending = {name: env[f"{name.upper()}_URL"] for name in PORTS}
    while pending and time.monotonic() < deadline:
        for name, url in list(pending.items()):
            try:
                if requests.get(f"{url}/ready", timeout=1).status_code == 200:
                    del pending[name]
            except requests.RequestException:
                pass
        time.sleep(0.3)
    if pending:
        raise SystemExit(f"not ready after {timeout:.0f}s: {', '.join(pending)}")


def operator_token(env: dict[str, str]) -> str:
    """A real admin token, kept in ./var/operator_token while the registry accepts it, else made
    anew with the bootstrap ADMIN_TOKEN (which may create admin tokens and do nothing else)."""
    path, registry = VAR / "operator_token", env["REGISTRY_URL"]
    if path.exists():
        kept = path.read_text().strip()
        who = requests.get(f"{registry}/v1/whoami", headers=_bearer(kept), timeout=10)
        if who.status_code == 200 and who.json().get("scope") == "admin":
            return kept
    made = requests.post(
        f"{registry}/v1/tokens",
        headers=_bearer(env["ADMIN_TOKEN"]),
        json={"scope": "admin", "label": "make run"},
        timeout=10,
    )
    made.raise_for_status()
    path.write_text(made.json()["token"])
    path.chmod(0o600)
    return made.json()["token"]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def banner(env: dict[str, str]) -> str:
    return "\n".join(
        [
            "",
            "Système IAE prêt :",
            f"  registre      {env['REGISTRY_URL']}   (docs : {env['REGISTRY_URL']}/docs)",
            f"  parcours      {env['PATHWAYS_URL']}   (docs : {env['PATHWAYS_URL']}/docs)",
            f"  rapports      {env['REPORTING_URL']}   (tableau de bord : {env['REPORTING_URL']}/)",
            f"  jeton admin   {env['IAE_TOKEN']}",
            "Ctrl-C pour tout arrêter.",
            "",
        ]
    )


def stop(procs: list[subprocess.Popen], started: list) -> None:
    """Stop every process started, then any of their descendants still alive.

    A gunicorn gthread worker that receives a second stop signal while shutting down can hang
    for ever; once its master is gone nobody would reap it, so the stragglers are killed here.
    """
    descendants = [c for p in procs if p.poll() is None for c in _children(p.pid)]
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(20)  # longer than gunicorn's graceful_timeout, so masters reap their workers
        except subprocess.TimeoutExpired:
            p.kill()
    _, alive = psutil.wait_procs(descendants, timeout=5)
    for straggler in alive:
        straggler.kill()
    for server in started:
        server.stop()


def _children(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _interrupt(*_) -> None:
    raise KeyboardInterrupt


def main() -> None:
    try:
        env, started = prepare_environment()
    except (RuntimeError, TimeoutError) as exc:  # a server that would not start: no traceback
        raise SystemExit(f"make run : un serveur embarqué n'a pas démarré.\n{exc}") from None
    procs: list[subprocess.Popen] = []
    signal.signal(signal.SIGTERM, _interrupt)
    oidc = "--oidc" in sys.argv[1:]
    try:
        migrate(env)
        provider = [with_local_provider(env)] if oidc else []
        procs = provider + spawn(env)
        wait_ready(env)
        env["IAE_TOKEN"] = operator_token(env)
        print(banner(env), flush=True)
        if oidc:
            print(
                f"Fournisseur d'identité local : {env['OIDC_ISSUER']} ; ouvrez "
                f"{env['REPORTING_URL']}/ et connectez-vous avec {dev_staff(env)} "
                "(autres comptes : iae staff add).",
                flush=True,
            )
        demo.offer(env, interactive=sys.stdin.isatty())
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
        print("a process stopped unexpectedly; stopping everything", file=sys.stderr)
    except KeyboardInterrupt:
        pass
    finally:
        stop(procs, started)


if __name__ == "__main__":
    main()
