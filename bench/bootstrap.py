"""Reference data through the registry's HTTP API: structures, GES groups and tokens."""

from __future__ import annotations

import calendar
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

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


def groups(
    registry_url: str, admin_token: str, structures: list[dict], count: int, seed: int
) -> list[dict]:
    """`count` GES of a dozen structures each. Members join on a month's 1st within the last two
    years and a fifth of them leave on a month's last day, as GES record whole months."""
    rng, session, made = random.Random(seed), admin_session(admin_token), []
    members = rng.sample(structures, min(len(structures), 12 * count))
    for i in range(count):
        group = _post(session, f"{registry_url}/v1/groups", {"name": f"GES {i + 1}"})
        for structure in members[12 * i : 12 * (i + 1)]:
            _member(session, f"{registry_url}/v1/groups/{group['id']}", structure["id"], rng)
        made.append(group)
    return made


def _member(session: requests.Session, group_url: str, structure_id: str, rng) -> None:
    today = date.today()
    back = rng.randrange(1, 24)
    year, month = divmod(today.year * 12 + today.month - 1 - back, 12)
    joined = date(year, month + 1, 1)
    _call(session, "PUT", f"{group_url}/members/{structure_id}", {"joined_on": str(joined)})
    if rng.random() < 0.2 and back > 1:
        year, month = divmod(year * 12 + month + rng.randrange(back - 1), 12)
        left = date(year, month + 1, calendar.monthrange(year, month + 1)[1])
        _call(session, "POST", f"{group_url}/members/{structure_id}/leave", {"left_on": str(left)})


def _call(session: requests.Session, method: str, url: str, body: dict) -> None:
    r = session.request(method, url, json=body, timeout=30)
    if r.status_code != 200:
        raise RuntimeError(f"{method} {url} answered {r.status_code}: {r.text[:300]}")


def token(registry_url: str, admin_token: str, scope: str, structure_id: str | None = None) -> str:
    body = {"scope": scope, "label": f"mesure {scope}"}
    if structure_id:
        body["structure_id"] = structure_id
    return _post(admin_session(admin_token), f"{registry_url}/v1/tokens", body)["token"]
