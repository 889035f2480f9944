"""The write path alone (python -m bench.write_path [--window S] [--reps N] [--writers N]):
the peer against the in-process store for one and N processes, and the raw batched insert
against the in-process batch append, in one short run on scratch databases.

It uses DATABASE_URL when set, otherwise embedded engines, and drops what it created.
"""

from __future__ import annotations

import argparse
import os
import statistics
import uuid

from bench import peer, raw, stack, system
from bench.measure import Figure, load
from services.pathways import appending
from services.pathways.web import appends
from shared import db, migrations

# As the full run: raw batches from `writers` processes, batches of 1,000 events from 4 clients.
BATCH_PROCESSES = 4


def batch_writer(index: int, url: str, items: int):
    """A batch of `items` new pathways (two events each) per transaction, validated item by
    item as POST /v1/events/batch does, then appended in one transaction."""
    w = system.writer(index, url)

    def step() -> int:
        body = w.pathways.batch(items)
        requests = [appends.batch_item(item) for item in body["items"]]
        refused = [o for o in appending.run(w.engine, w.kek, w.actor, requests) if o.status != 201]
        if refused:
            raise RuntimeError(f"in-process batch refused: {refused[0].body}")
        return 2 * items

    return step, w.engine.dispose


def measure(url: str, writers: int, reps: int, window: float) -> dict[str, Figure]:
    """Every figure of the write path, in an order that alternates peer and store."""
    names = {
        n: f"{stack.psycopg_url(url).rsplit('/', 1)[0]}/wpath_{n}_{uuid.uuid4().hex[:6]}"
        for n in ("raw", "peer", "store")
    }
    sa = {n: u.replace("postgresql://", "postgresql+psycopg://", 1) for n, u in names.items()}
    for name in ("raw", "store"):
        migrations.upgrade("pathways", sa[name])
    db.create_database(sa["peer"])
    peer.create_tables(sa["peer"])
    pairs = [
        (
            ("peer", peer.writer, (sa["peer"],), 1),
            ("store", system.store_writer, (sa["store"],), 1),
        ),
        (
            (f"peer_{writers}", peer.writer, (sa["peer"],), writers),
            (f"store_{writers}", system.store_writer, (sa["store"],), writers),
        ),
        (
            ("raw_batch", raw.batch_writer, (names["raw"],), writers),
            ("store_batch", batch_writer, (sa["store"], 500), BATCH_PROCESSES),
        ),
    ]
    figures: dict[str, Figure] = {}
    try:
        # Each repetition measures both sides of a pair back to back: the machine's load
        # drifts, and a ratio of neighbouring windows is what stays comparable.
        for _ in range(reps):
            for pair in pairs:
                for key, factory, args, procs in pair:
                    sample = load(key, factory, args, procs, 1, window, 2_000_000).samples[0]
                    figures.setdefault(key, Figure(key, "events/s")).samples.append(sample)
                    print(f"  {key}: {sample:,.0f} events/s", flush=True)
    finally:
        for u in sa.values():
            db.drop_database(u)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.write_path", description=__doc__)
    parser.add_argument("--window", type=float, default=3.0)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--writers", type=int, default=8)
    args = parser.parse_args()
    engines = None
    url = os.environ.get("DATABASE_URL")
    if not url:
        engines = stack.Engines.start()
        url = engines.database_url
    try:
        f = measure(url, args.writers, args.reps, args.window)
    finally:
        if engines:
            engines.stop()
    w = args.writers
    for top, bottom in (
        ("store", "peer"),
        (f"store_{w}", f"peer_{w}"),
        ("store_batch", "raw_batch"),
    ):
        ratios = [t / b for t, b in zip(f[top].samples, f[bottom].samples, strict=True)]
        print(
            f"{top}: {f[top].median:,.0f} events/s, {bottom}: {f[bottom].median:,.0f} events/s,"
            f" ratio (median of back-to-back pairs) {statistics.median(ratios):.2f}"
        )


if __name__ == "__main__":
    main()
