"""The write path alone (python -m bench.write_path [--window S] [--reps N] [--writers N]):
the peer against the in-process store for one and N processes, and the raw batched insert
against the in-process batch append, in one short run on scratch databases.

It uses DATABASE_URL when set, otherwise embedded engines, and drops what it created.
"""

from __future__ import annotations

import argparse
import os
import uuid

from bench import peer, raw, stack, system
from bench.measure import Figure, load
from services.pathways import api, appending
from shared import db, migrations

# As the full run: raw batches from `writers` processes, batches of 1,000 events from 4 clients.
BATCH_PROCESSES = 4


def batch_writer(index: int, url: str, items: int):
    """A batch of `items` new pathways (two events each) per transaction, validated item by
    item as POST /v1/events/batch does, then appended in one transaction."""
    w = system.writer(index, url)

    def step() -> int:
        body = w.pathways.batch(items)
        requests = [api._batch_item(item) for item in body["items"]]
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
    figures: dict[str, Figure] = {}

    def run(key: str, factory, args: tuple, procs: int) -> None:
        figures[key] = load(key, factory, args, procs, reps, window, 2_000_000)
        print(f"  {key}: {figures[key].median:,.0f} events/s {figures[key].samples}", flush=True)

    try:
        for suffix, procs in (("", 1), (f"_{writers}", writers)):
            run(f"peer{suffix}", peer.writer, (sa["peer"],), procs)
            run(f"store{suffix}", system.store_writer, (sa["store"],), procs)
        run("raw_batch", raw.batch_writer, (names["raw"],), writers)
        run("store_batch", batch_writer, (sa["store"], 500), BATCH_PROCESSES)
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
    print(f"store/peer, 1 process:  {f['store'].median / f['peer'].median:.2f}")
    print(f"store/peer, {w} processes: {f[f'store_{w}'].median / f[f'peer_{w}'].median:.2f}")
    print(f"batch/raw batch:        {f['store_batch'].median / f['raw_batch'].median:.2f}")


if __name__ == "__main__":
    main()
