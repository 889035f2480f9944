"""Client of the pathways feed: the only way reporting learns about events."""

from __future__ import annotations

import requests

from shared.settings import Settings


class FeedUnavailable(Exception):
    """The pathways service could not be read; the next nudge or sweep retries."""


class FeedClient:
    def __init__(self, settings: Settings):
        self._url = f"{settings.pathways_url}/v1/feed"
        token = settings.service_token or settings.admin_token
        self._session = requests.Session()
        self._session.headers["Authorization"] = f"Bearer {token}"
        self._timeout = settings.http_timeout_seconds * 6

    def page(self, after: int, limit: int) -> list[dict]:
        try:
            r = self._session.get(self._url, params={"after": after, "limit": limit},
                                  timeout=self._timeout)
        except requests.RequestException as exc:
            raise FeedUnavailable(str(exc)) from exc
        if r.status_code != 200:
            raise FeedUnavailable(f"feed answered {r.status_code}: {r.text[:200]}")
        return r.json()["events"]
