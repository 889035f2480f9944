"""The reporting worker: serves nudges from Redis and sweeps every projection on a timer, so
that a lost nudge or a Redis outage only delays reports. An unreachable dependency costs one
log line per attempt, never a stack trace, and never stops the process."""

from __future__ import annotations

import gc
import logging
import threading

from redis import Redis
from redis.exceptions import RedisError
from rq import SimpleWorker
from sqlalchemy.exc import OperationalError

from services.reporting.catchup import jobs
from services.reporting.catchup.feed import FeedUnavailable
from shared import logs, queues
from shared.settings import Settings

log = logging.getLogger("iae.reporting.worker")
SWEPT = ("all", "reference")
REDIS_RETRY_SECONDS = 2.0


def sweep_once() -> None:
    """Catch every projection up once; failures are logged and left to the next sweep."""
    for nudge in SWEPT:
        try:
            jobs.catch_up(nudge, patience=0.0)
        except (FeedUnavailable, OperationalError) as exc:
            log.warning("sweep postponed: %s", _short(exc), extra={"projection": nudge})
        except Exception:  # a bug: keep the trace, keep sweeping
            log.exception("sweep failed", extra={"projection": nudge})


def sweep_forever(settings: Settings, stop: threading.Event) -> None:
    """Catch every projection up every `sweep_seconds`, whatever Redis is doing."""
    while not stop.wait(settings.sweep_seconds):
        sweep_once()


def make_worker(conn: Redis, queue_prefix: str) -> SimpleWorker:
    """A worker of the nudge queue that reads jobs as JSON (shared/queues.py): a job written
    with pickle by whoever can reach Redis fails to load and is never run."""
    return SimpleWorker(
        [queues.queue(conn, queue_prefix)], connection=conn, serializer=queues.SERIALIZER
    )


def serve_queue(settings: Settings, stop: threading.Event) -> None:
    """Serve nudges; when Redis is down, say so in one line and try again."""
    while not stop.is_set():
        conn = queues.connect(settings.redis_url)
        try:
            make_worker(conn, settings.queue_prefix).work(with_scheduler=False)
            return
        except RedisError as exc:
            log.warning("redis unreachable, retrying: %s", _short(exc))
            stop.wait(REDIS_RETRY_SECONDS)
        finally:
            conn.close()


def _short(exc: Exception) -> str:
    return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"


# Folding a page creates many small objects (a state, its records and collections per pathway)
# that live until the page's rows are written: with the default thresholds the collector scans
# them again and again (half of the fold's time on a national page, docs/performance.md). A
# larger first generation lets a page be folded between collections; memory stays bounded by the
# page, and reference cycles are still collected.
GC_THRESHOLDS = (50_000, 20, 100)


def tune_garbage_collector() -> None:
    """Collect less often in the worker's process, and never scan what start-up created."""
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def main() -> None:
    settings = Settings.from_env()
    settings.check_secrets()
    tune_garbage_collector()
    logs.configure(settings.log_level)
    jobs.configure(settings)
    stop = threading.Event()
    threading.Thread(target=sweep_forever, args=(settings, stop), daemon=True).start()
    try:
        serve_queue(settings, stop)
    finally:
        stop.set()


if __name__ == "__main__":
    main()
