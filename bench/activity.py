"""What PostgreSQL is doing while the lag is measured: `pg_stat_activity` sampled every
`EVERY_S`, then the samples taken during each lag spike summed up, so the cause of a spike is
read from the server rather than guessed."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import psycopg

EVERY_S = 0.1
SPIKE_S = 0.5  # an append seen by reports later than this is a spike
# Backends of the cluster at work (not idle, not this sampler): what each is and waits on.
_ACTIVE = """
SELECT coalesce(datname, '-'), backend_type, coalesce(wait_event_type, 'CPU'),
       coalesce(wait_event, '-'),
       left(regexp_replace(query, '\\s+', ' ', 'g'), 60),
       extract(epoch FROM now() - xact_start)
FROM pg_stat_activity
WHERE pid <> pg_backend_pid() AND state IS DISTINCT FROM 'idle'
  AND backend_type IN ('client backend', 'autovacuum worker', 'walwriter', 'checkpointer')
"""


@dataclass(eq=False)  # a thread is hashed by identity
class Sampler(threading.Thread):
    """Samples the cluster's activity from a thread until stopped: `(time, rows)` pairs."""

    url: str
    samples: list[tuple[float, list[tuple]]] = field(default_factory=list)
    halt: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        super().__init__(daemon=True)

    def run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.halt.is_set():
                rows = conn.execute(_ACTIVE).fetchall()
                self.samples.append((time.time(), [tuple(r) for r in rows]))
                time.sleep(EVERY_S)

    def __enter__(self) -> Sampler:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.halt.set()
        self.join(10)


def spikes(
    lags: list[tuple[float, float]], samples: list[tuple[float, list[tuple]]]
) -> tuple[int, list[tuple[str, float]]]:
    """The number of spikes among `(committed_at, lag)` pairs, and what the server was doing
    during them: each activity with the share of spike samples it was seen in, most seen first.
    Each database's client backends are also counted whatever their statement: a process
    spread over many different statements then stands out as a whole."""
    windows = [(start, start + lag) for start, lag in lags if lag > SPIKE_S]
    seen: Counter[str] = Counter()
    during = 0
    for at, rows in samples:
        if not any(start <= at <= end for start, end in windows):
            continue
        during += 1
        kinds = set()
        for datname, backend, wait_type, wait, what, age in rows:
            label = f"{backend} {datname} {(what or '').strip()} ({wait_type}:{wait})"
            if age is not None and float(age) > SPIKE_S:
                label += " long transaction"
            kinds.add(label)
            if backend == "client backend":
                kinds.add(f"{backend} {datname} (any statement)")
        seen.update(kinds)
    return len(windows), [(k, n / during) for k, n in seen.most_common(6)] if during else []


def summary(count: int, causes: list[tuple[str, float]]) -> str:
    """One line for the figure's note."""
    if not count:
        return "no spike over 0.5 s"
    listed = "; ".join(f"{share:.0%} {label}" for label, share in causes) or "nothing sampled"
    return f"{count} spikes over {SPIKE_S:g} s; during them: {listed}"
