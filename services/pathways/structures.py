"""The kind of the caller's structure, asked of the registry and kept at most `ttl` seconds.

Rules depend on the kind (AI, ACI, ETTI…); the registry owns it, so we ask it with the caller's
own token (a structure token may read its own structure) and cache the answer in-process.
"""

from __future__ import annotations

import threading
import time

import requests

from shared.problems import Problem

UNAVAILABLE = "Le registre ne répond pas : le type de la structure ne peut pas être connu."


class KindCache:
    """structure_id → kind, each answer kept for `ttl` seconds."""

    def __init__(self, registry_url: str, timeout: float, ttl: float = 60.0):
        self._url = registry_url
        self._timeout = timeout
        self._ttl = min(ttl, 60.0)
        self._cache: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()
        self._session = requests.Session()

    def kind_of(self, structure_id: str, token: str) -> str:
        """The structure's kind, from the cache or the registry (503 if it cannot be known)."""
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(structure_id)
        if hit and hit[1] > now:
            return hit[0]
        kind = self._ask(structure_id, token)
        with self._lock:
            self._cache[structure_id] = (kind, now + self._ttl)
        return kind

    def _ask(self, structure_id: str, token: str) -> str:
        """GET /v1/structures/{id}; falls back to the caller's list if that route is missing."""
        one = self._get(f"/v1/structures/{structure_id}", token)
        if one.status_code == 200:
            return one.json()["kind"]
        listed = self._get("/v1/structures", token)
        if listed.status_code == 200:
            body = listed.json()
            items = body if isinstance(body, list) else body.get("items", [])
            for structure in items:
                if structure.get("id") == structure_id:
                    return structure["kind"]
        raise Problem(503, UNAVAILABLE, headers={"Retry-After": "5"})

    def _get(self, path: str, token: str) -> requests.Response:
        try:
            return self._session.get(
                self._url + path,
                timeout=self._timeout,
                headers={"Authorization": f"Bearer {token}"},
            )
        except requests.RequestException as exc:
            raise Problem(503, UNAVAILABLE, headers={"Retry-After": "5"}) from exc
