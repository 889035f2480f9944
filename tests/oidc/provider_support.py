"""The test OpenID provider (`provider.js`, oidc-provider from npm) run on loopback, and a
reporting service that signs staff in through it, for the sign-in tests."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlparse

import requests

from shared.embedded import free_port
from shared.settings import Settings
from tests.support import LiveServer

HERE = Path(__file__).resolve().parent
CLIENT_ID = "tableau-de-bord-tests"
START_SECONDS = 30.0
RETURN_PATH = "/connexion/oidc/retour"


def install() -> None:
    """`npm ci` from the committed lock file, the first time on a machine (as `.ci/run` does)."""
    if (HERE / "node_modules" / "oidc-provider").is_dir():
        return
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund"],
        cwd=HERE,
        check=True,
        stdout=subprocess.DEVNULL,
        timeout=300,
    )


class OidcProvider:
    """`node provider.js` with one client, whose redirect URI is the dashboard's return page."""

    def __init__(self, redirect_uri: str):
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.client_secret = secrets.token_urlsafe(32)
        install()
        env = {
            **os.environ,
            "PORT": str(self.port),
            "CLIENT_ID": CLIENT_ID,
            "CLIENT_SECRET": self.client_secret,
            "REDIRECT_URI": redirect_uri,
        }
        self._process = subprocess.Popen(
            ["node", str(HERE / "provider.js")],
            cwd=HERE,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(
                    self._process.stderr.read().decode() if self._process.stderr else ""
                )
            try:
                requests.get(self.issuer + "/.well-known/openid-configuration", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("le fournisseur OIDC de test n'a pas démarré")

    def next_token(self, mode: str) -> None:
        """Make the next ID token expired, bound to another nonce, or signed by an unknown key."""
        answer = requests.post(self.issuer + "/test/mode", data=mode, timeout=5)
        assert answer.status_code == 204

    def stop(self) -> None:
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stderr is not None:
            self._process.stderr.close()


def dashboard_settings(settings: Settings, provider: OidcProvider, port: int) -> Settings:
    return replace(
        settings,
        oidc_issuer=provider.issuer,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=provider.client_secret,
        extra={**settings.extra, "reporting_url": f"http://127.0.0.1:{port}"},
    )


def start_dashboard(settings: Settings):
    """A provider, and a reporting service (on the same databases) signing staff in with it."""
    from services.reporting.app import create_app

    port = free_port()
    provider = OidcProvider(f"http://127.0.0.1:{port}{RETURN_PATH}")
    configured = dashboard_settings(settings, provider, port)
    server = LiveServer(create_app(configured), f"http://127.0.0.1:{port}").start()
    return provider, server


def provider_return(session: requests.Session, dashboard: str, email: str) -> str:
    """Start signing in, sign in at the provider as `email`, and stop at the return address the
    provider sends the browser to (not followed): `…/connexion/oidc/retour?code=…&state=…`."""
    url = dashboard + "/connexion/oidc"
    for _ in range(20):
        answer = session.get(url, allow_redirects=False, timeout=10)
        if answer.status_code in (302, 303):
            url = urljoin(url, answer.headers["Location"])
            if url.startswith(dashboard + RETURN_PATH):
                return url
            continue
        assert answer.status_code == 200, answer.text
        action = re.search(r'action="([^"]+)"', answer.text)
        assert action is not None, answer.text
        url = urljoin(url, action.group(1))
        answer = session.post(url, data={"email": email}, allow_redirects=False, timeout=10)
        assert answer.status_code in (302, 303), answer.text
        url = urljoin(url, answer.headers["Location"])
    raise AssertionError("the provider never sent the browser back")


def with_state(url: str, state: str) -> str:
    parts = urlparse(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query["state"] = state
    return parts._replace(query="&".join(f"{k}={v}" for k, v in query.items())).geturl()


def state_of(session: requests.Session, dashboard: str) -> str:
    """Start a new sign-in and read the `state` the dashboard sent to the provider."""
    answer = session.get(dashboard + "/connexion/oidc", allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    return parse_qs(urlparse(answer.headers["Location"]).query)["state"][0]
