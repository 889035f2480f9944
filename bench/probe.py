"""A reporting worker process that catches every projection up once and reports its cost.

Run as `python -m bench.probe` with the system's environment; it prints one JSON line:
the seconds spent, the events applied and its peak resident memory (the worker's RSS)."""

from __future__ import annotations

import resource
import sys
import time

import orjson

from services.reporting import jobs
from services.reporting.worker import PROJECTIONS
from shared.settings import Settings


def catch_up_all() -> int:
    """What the worker's sweep does: every projection, up to the head of the log."""
    return sum(jobs.catch_up(name) or 0 for name in PROJECTIONS)


def main() -> None:
    jobs.configure(Settings.from_env())
    started = time.perf_counter()
    applied = catch_up_all()
    seconds = time.perf_counter() - started
    jobs.dispose()
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sys.stdout.write(
        orjson.dumps(
            {"seconds": seconds, "applied": applied, "peak_rss_mb": peak_kib / 1024}
        ).decode()
        + "\n"
    )


if __name__ == "__main__":
    main()
