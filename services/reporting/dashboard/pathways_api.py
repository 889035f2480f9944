"""What the people pages read and write through the pathways service, with the session's token.

Identities and the values sealed out of the log (a void's reason) stay in the pathways service:
the pages ask for them on each request, with the signed-in structure's own rights, show them and
forget them. Nothing read here is stored or logged by reporting.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import requests
from flask import current_app

# At most this many identities per call (the persons API's own limit).
BATCH = 100


class PathwaysUnavailable(Exception):
    """The pathways service did not answer."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any


def _call(method: str, path: str, token: str, **kwargs: Any) -> Answer:
    settings = current_app.config["SETTINGS"]
    try:
        r = requests.request(
            method,
            settings.pathways_url + path,
            headers={"Authorization": f"Bearer {token}"},
            timeout=settings.http_timeout_seconds,
            **kwargs,
        )
    except requests.RequestException as error:
        raise PathwaysUnavailable(str(type(error).__name__)) from None
    if r.status_code >= 500:
        raise PathwaysUnavailable(f"HTTP {r.status_code}")
    try:
        body = r.json() if r.content else None
    except ValueError:
        body = None
    return Answer(r.status_code, body)


def identities(token: str, person_ids: list[str]) -> dict[str, dict]:
    """The identities among `person_ids` the structure may read (an erased one is absent), in
    one call per hundred people."""
    found: dict[str, dict] = {}
    wanted = list(dict.fromkeys(person_ids))
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        answer = _call("GET", "/v1/persons", token, params=[("id", i) for i in chunk])
        if answer.status == 200:
            found.update({p["id"]: p for p in answer.body["items"]})
    return found


def identity(token: str, person_id: str) -> dict | None:
    """One identity, or None once erased (or never readable by this structure)."""
    answer = _call("GET", f"/v1/persons/{person_id}", token)
    return answer.body if answer.status == 200 else None


def pathway(token: str, pathway_id: str) -> Answer:
    """The pathway's current state (GET /v1/pathways/{id}): 404 or 403 outside the structure."""
    return _call("GET", f"/v1/pathways/{pathway_id}", token)


def events(token: str, pathway_id: str) -> list[dict]:
    """The pathway's events in order, with their sealed values (the owning structure's)."""
    answer = _call("GET", f"/v1/pathways/{pathway_id}/events", token)
    if answer.status != 200:
        return []
    body = answer.body
    return list(body["events"] if isinstance(body, dict) else body)


def append(token: str, pathway_id: str, event: dict, expected_version: int | None) -> Answer:
    """Append one event, under a fresh id; the answer as the API gives it (201 or a problem)."""
    payload: dict[str, Any] = {"events": [{"id": str(uuid.uuid4()), **event}]}
    if expected_version is not None:
        payload["expected_version"] = expected_version
    return _call("POST", f"/v1/pathways/{pathway_id}/events", token, json=payload)
