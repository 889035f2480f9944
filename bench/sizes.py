"""How big each measurement is: the full run (`make bench`) and the smoke run (`--quick`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    """Counts and durations of one harness run; every load is bounded by both."""

    reps: int = 3
    window_s: float = 5.0
    writers: int = 8
    http_clients: int = 4
    batch_requests: int = 6
    batch_items: int = 1000
    scan_events: int = 1_000_000
    rebuild_events: int = 1_000_000
    national_pathways: int = 1_000_000
    national_structures: int = 5_300
    catch_up_chunks: int = 3
    catch_up_events: int = 150_000
    slow_reps: int = 2
    lag_rate: float = 200.0
    lag_s: float = 60.0
    report_requests: int = 200
    max_ops: int = 2_000_000


FULL = Sizes()
QUICK = Sizes(
    reps=2,
    window_s=1.0,
    writers=2,
    http_clients=2,
    batch_requests=2,
    batch_items=100,
    scan_events=5_000,
    rebuild_events=4_000,
    national_pathways=3_000,
    national_structures=12,
    catch_up_chunks=2,
    catch_up_events=1_000,
    slow_reps=1,
    lag_rate=20.0,
    lag_s=3.0,
    report_requests=10,
    max_ops=20_000,
)
