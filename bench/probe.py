"""A reporting worker process that brings every projection up to date once and reports its cost.

Run as `python -m bench.probe catch-up|rebuild` with the system's environment; it prints one
JSON line: the seconds spent, the entries applied and its peak resident memory (the worker's)."""

from __future__ import annotations

import resource
import sys
import time

import orjson

from services.reporting.catchup import jobs
from services.reporting.catchup.worker import SWEPT, tune_garbage_collector
from services.reporting.projections.registry import PROJECTIONS
from shared.settings import Settings


def catch_up_all() -> int:
    """What the worker's sweep does: every nudge it serves, up to the head of each log. The log
    is complete before the probe starts, so no patience for events still hidden by a running
    transaction (a nudge's wait, up to 2 s, would be counted as catch-up time)."""
    return sum(jobs.catch_up(nudge, patience=0.0) for nudge in SWEPT)


def rebuild_all() -> int:
    """What POST /v1/projections/{name}/rebuild does, for every projection."""
    return sum(jobs.rebuild(name) for name in PROJECTIONS)


def main() -> None:
    action = {"catch-up": catch_up_all, "rebuild": rebuild_all}[sys.argv[1]]
    jobs.configure(Settings.from_env())
    tune_garbage_collector()  # as the worker's process does
    started = time.perf_counter()
    applied = action()
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
