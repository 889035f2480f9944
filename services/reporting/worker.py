"""The reporting worker: serves nudges from Redis and sweeps every projection on a timer, so
that a lost nudge or a Redis outage only delays reports."""

from __future__ import annotations

import logging
import threading

from rq import SimpleWorker

from services.reporting import jobs
from shared import logs, queues
from shared.settings import Settings

log = logging.getLogger("iae.reporting.worker")
PROJECTIONS = ("all",)


def sweep_forever(settings: Settings, stop: threading.Event) -> None:
    """Catch every projection up every `sweep_seconds`, whatever Redis is doing."""
    while not stop.wait(settings.sweep_seconds):
        for name in PROJECTIONS:
            try:
                jobs.catch_up(name)
            except Exception:  # logged; the next sweep tries again
                log.exception("sweep failed", extra={"projection": name})


def main() -> None:
    settings = Settings.from_env()
    logs.configure(settings.log_level)
    jobs.configure(settings)
    stop = threading.Event()
    threading.Thread(target=sweep_forever, args=(settings, stop), daemon=True).start()
    conn = queues.connect(settings.redis_url)
    worker = SimpleWorker([queues.queue(conn, settings.queue_prefix)], connection=conn)
    try:
        worker.work(with_scheduler=False)
    finally:
        stop.set()


if __name__ == "__main__":
    main()
