"""The streams this process last wrote, so that the next append to them skips the read.

Safe because the log only grows and versions are unique per pathway: a cached stream is a
prefix of the stored one, and an append decided on a prefix that missed newer events writes a
version that already exists, so the insert fails and the append is decided again on a fresh
read. Anything but a clean acceptance is decided again on a fresh read too (services/pathways/
appending.py), so that refusals always describe the stored log.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict

from sqlalchemy import Engine

from services.pathways.decide.idempotency import Known

# Pathways a process appends to in a row are few (a structure's software works on one at a
# time); each holds at most a few dozen events.
CAPACITY = 1_000

Streams = dict[str, tuple[Known, ...]]


class StreamCache:
    """Least-recently-written streams by pathway id; shared by the threads of a process."""

    def __init__(self, capacity: int = CAPACITY):
        self._capacity = capacity
        self._streams: OrderedDict[str, tuple[Known, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, pathway_ids: list[str]) -> Streams | None:
        """Every stream of `pathway_ids`, or None when one of them is not cached."""
        with self._lock:
            found = {p: self._streams.get(p) for p in pathway_ids}
        if any(stream is None for stream in found.values()):
            return None
        return found  # type: ignore[return-value]

    def put(self, streams: Streams) -> None:
        with self._lock:
            for pathway_id, stream in streams.items():
                self._streams[pathway_id] = stream
                self._streams.move_to_end(pathway_id)
            while len(self._streams) > self._capacity:
                self._streams.popitem(last=False)

    def drop(self, pathway_ids: list[str]) -> None:
        with self._lock:
            for pathway_id in pathway_ids:
                self._streams.pop(pathway_id, None)


_CACHES: weakref.WeakKeyDictionary[Engine, StreamCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def of(engine: Engine) -> StreamCache:
    """The cache of the database `engine` writes to (one per engine, so never mixed)."""
    with _CACHES_LOCK:
        cache = _CACHES.get(engine)
        if cache is None:
            cache = _CACHES[engine] = StreamCache()
        return cache
