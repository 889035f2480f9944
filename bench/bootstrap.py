"""Reference data through the registry's HTTP API: structures and their tokens."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from bench import payloads


def _post(session: requests.Session, url: str, body: dict) -> dict:
    r = session.post(url, json=body, timeout=30)
    if r.status_code != 201:
        raise RuntimeError(f"POST {url} answered {r.status_code}: {r.text[:300]}")
    return r.json()


def admin_session(admin_token: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {admin_token}"
    return session


def structures(registry_url: str, admin_token: str, count: int, seed: int) -> list[dict]:
    """Create `count` structures through the API, 8 at a time; returns the registry's answers."""
    rng = random.Random(seed)
    bodies = [payloads.structure(rng, i) for i in range(count)]
    local = threading.local()

    def create(body: dict) -> dict:
        if not hasattr(local, "session"):
            local.session = admin_session(admin_token)
        return _post(local.session, f"{registry_url}/v1/structures", body)

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(create, bodies))


def token(registry_url: str, admin_token: str, scope: str, structure_id: str | None = None) -> str:
    body = {"scope": scope, "label": f"mesure {scope}"}
    if structure_id:
        body["structure_id"] = structure_id
    return _post(admin_session(admin_token), f"{registry_url}/v1/tokens", body)["token"]
