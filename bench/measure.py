"""Repetitions, medians and bounded load from separate processes."""

from __future__ import annotations

import multiprocessing as mp
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

SETUP_TIMEOUT_S = 180.0


@dataclass
class Figure:
    """One measured figure: every repetition kept, the median reported."""

    key: str
    unit: str
    samples: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    def as_dict(self) -> dict:
        return {
            "median": round(self.median, 3),
            "min": round(min(self.samples), 3),
            "max": round(max(self.samples), 3),
            "unit": self.unit,
            "samples": [round(s, 3) for s in self.samples],
            "note": self.note,
        }


def repeat(key: str, unit: str, reps: int, once: Callable[[], float], note: str = "") -> Figure:
    """Run `once` `reps` times; each run returns one sample."""
    figure = Figure(key, unit, note=note)
    for _ in range(reps):
        figure.samples.append(once())
    return figure


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) by the nearest-rank method, as operators read it."""
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def _serve(
    factory, index: int, args: tuple, reps: int, window: float, max_ops: int, barrier, results
) -> None:
    """Body of one load process: set up, then one bounded window per repetition."""
    try:
        step, close = factory(index, *args)
    except BaseException:
        barrier.abort()  # the parent learns at once instead of waiting for the timeout
        raise
    try:
        for rep in range(reps):
            barrier.wait(SETUP_TIMEOUT_S)
            count, started = 0, time.perf_counter()
            deadline = started + window
            while time.perf_counter() < deadline and count < max_ops:
                count += step()
            results.put((rep, count, time.perf_counter() - started))
    except BaseException as exc:
        results.put((None, repr(exc), 0.0))  # the parent stops at once with the cause
        raise
    finally:
        close()


def load(
    key: str, factory, args: tuple, procs: int, reps: int, window: float, max_ops: int
) -> Figure:
    """Events per second done by `procs` processes, each running `factory(i, *args)`'s step."""
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(procs + 1), ctx.Queue()
    workers = [
        ctx.Process(
            target=_serve,
            daemon=True,
            args=(factory, i, args, reps, window, max_ops, barrier, results),
        )
        for i in range(procs)
    ]
    for w in workers:
        w.start()
    figure = Figure(key, "events/s")
    try:
        for _ in range(reps):
            barrier.wait(SETUP_TIMEOUT_S)
            done = [results.get(timeout=window + SETUP_TIMEOUT_S) for _ in range(procs)]
            failed = [cause for r, cause, _ in done if r is None]
            if failed:
                raise RuntimeError(f"{key}: a load process failed: {failed[0]}")
            figure.samples.append(sum(c for _, c, _ in done) / max(e for _, _, e in done))
    finally:
        barrier.abort()  # releases any process still waiting for a window that will not come
        _reap(workers)
    return figure


def _reap(workers: list) -> None:
    for w in workers:
        w.join(30)
        if w.is_alive():
            w.terminate()
            w.join(5)


def ratio(figures: dict[str, Figure], top: str, bottom: str) -> float:
    return figures[top].median / figures[bottom].median
