"""Redis connections and RQ queues. Redis only ever carries nudges, never event data.

Jobs are serialised as JSON on both sides (the queue here, the worker in
services/reporting/catchup/worker.py): RQ's default, pickle, would run whatever code a job put in
Redis by someone else names, whereas a JSON job only names a function and plain arguments."""

from __future__ import annotations

import logging

from redis import Redis
from rq import Queue
from rq.serializers import JSONSerializer

log = logging.getLogger("iae.queues")

PROJECTIONS_QUEUE = "projections"
# The reporting job is named, not imported: services never import each other.
CATCH_UP_JOB = "services.reporting.catchup.jobs.catch_up"
NUDGE_TTL_SECONDS = 60
# What jobs are written and read with, by the queue and by every worker.
SERIALIZER = JSONSerializer
# What an append nudges: every projection that follows the log.
PROJECTIONS_TO_NUDGE = ("all",)


def connect(url: str) -> Redis:
    return Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)


def queue(conn: Redis, prefix: str, name: str = PROJECTIONS_QUEUE) -> Queue:
    return Queue(f"{prefix}:{name}", connection=conn, serializer=SERIALIZER)


def nudge_key(prefix: str, projection: str) -> str:
    return f"{prefix}:nudge:{projection}"


def nudge(conn: Redis, prefix: str, projection: str) -> bool:
    """Enqueue a catch-up of `projection` unless one is already pending (coalescing).

    The pending marker expires so that a lost job never blocks later nudges for long.
    Returns True when a job was enqueued.
    """
    if not conn.set(nudge_key(prefix, projection), "1", nx=True, ex=NUDGE_TTL_SECONDS):
        return False
    queue(conn, prefix).enqueue(CATCH_UP_JOB, projection, job_timeout=600, result_ttl=0)
    return True


def nudge_after_commit(conn: Redis, prefix: str) -> None:
    """Nudge reporting after events were committed; a Redis outage is logged, never fails the
    append: the worker's periodic sweep catches up (docs/adr/0004)."""
    for name in PROJECTIONS_TO_NUDGE:
        try:
            nudge(conn, prefix, name)
        except Exception as exc:  # Redis down or slow: the worker's periodic sweep covers it
            log.warning("nudge not sent", extra={"projection": name, "error": type(exc).__name__})


def ping(conn: Redis) -> str | None:
    """None when Redis answers, else a short reason for /ready."""
    try:
        conn.ping()
        return None
    except Exception as exc:  # any client error means "not ready"
        return f"redis: {type(exc).__name__}"
