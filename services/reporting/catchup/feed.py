"""HTTP clients of the two logs reporting follows: the pathways feed and the registry changes."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

import orjson
import requests

from services.reporting.projections.reference import ENTITIES
from shared.settings import Settings


class FeedUnavailable(Exception):
    """A log could not be read; the next nudge or sweep retries."""


class _LogClient:
    def __init__(
        self, settings: Settings, url: str, key: str, after: str, params: dict | None = None
    ):
        self._url, self._key, self._after = url, key, after
        self._params = params or {}
        # A `service` token, never the bootstrap ADMIN_TOKEN: it reads the feed and the changes,
        # nothing else, and can be revoked (services/registry/verifier.py provisions it).
        token = settings.service_token
        if not token:
            raise FeedUnavailable("SERVICE_TOKEN n'est pas défini : le worker ne peut rien lire.")
        self._session = requests.Session()
        self._session.headers["Authorization"] = f"Bearer {token}"
        self._timeout = settings.http_timeout_seconds * 6

    def page(self, after: int, limit: int) -> list[dict]:
        """Entries after `after` (at most `limit`), in order."""
        try:
            r = self._session.get(
                self._url,
                params={**self._params, "after": after, "limit": limit},
                timeout=self._timeout,
            )
        except requests.RequestException as exc:
            raise FeedUnavailable(f"{self._url} injoignable ({type(exc).__name__})") from exc
        if r.status_code != 200:
            raise FeedUnavailable(f"{self._url} a répondu {r.status_code}")
        # orjson: a 5,000-event page decodes several times faster than with the json module,
        # in the read-ahead thread that shares the interpreter with the page being applied.
        return orjson.loads(r.content)[self._key]

    def close(self) -> None:
        self._session.close()

    def head(self, after: int) -> int:
        """Last committed position (at least `after`), found with one-event probes: galloping
        then binary search on "some event lies after p", so it costs O(log lag) requests."""
        low, step = after, 1
        while first := self.page(low + step - 1, 1):
            low, step = first[0][self._after], step * 2
        high = low + step - 1
        while low < high:
            mid = (low + high + 1) // 2
            if self.page(mid - 1, 1):
                low = mid
            else:
                high = mid - 1
        return low


class FeedClient(_LogClient):
    """`GET {PATHWAYS_URL}/v1/feed`: events, each with its `position`."""

    def __init__(self, settings: Settings):
        super().__init__(settings, f"{settings.pathways_url}/v1/feed", "events", "position")


class ChangesClient(_LogClient):
    """`GET {REGISTRY_URL}/v1/changes`: reference-data changes, each with its `seq`."""

    def __init__(self, settings: Settings):
        # Annexes are published only to readers that ask for them (ADR 0011).
        entities = {"entities": ",".join(ENTITIES)}
        url = f"{settings.registry_url}/v1/changes"
        super().__init__(settings, url, "items", "seq", entities)


class ReadAhead:
    """A log client that fetches the next full page while the caller applies this one.

    Requests all go through one background thread (a session is used by one thread at a time);
    a page asked for at another position than the one fetched ahead discards it. After a short
    page (the head of the log) nothing is fetched ahead, so a later call always reads afresh."""

    def __init__(self, client: _LogClient):
        self._client = client
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-ahead")
        self._ahead: tuple[tuple[int, int], Future] | None = None

    def page(self, after: int, limit: int) -> list[dict]:
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead[0] == (after, limit):
            found = ahead[1].result()
        else:
            if ahead is not None:
                ahead[1].exception()  # let the discarded request finish (or fail) first
            found = self._pool.submit(self._client.page, after, limit).result()
        if len(found) == limit:
            nxt = (found[-1][self._client._after], limit)
            self._ahead = (nxt, self._pool.submit(self._client.page, *nxt))
        return found

    def close(self) -> None:
        if self._ahead is not None:
            self._ahead[1].exception()
        self._pool.shutdown(wait=True)
