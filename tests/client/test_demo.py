"""The small demo loaded through the real HTTP API of the live services: nothing refused, and the
reports count what the generator made."""

from __future__ import annotations

import time
from datetime import date, timedelta

from client_support import client_for, run_worker

from client.demo import SIZES, Network, load


def demo_totals(client, settings, structure_ids, expected: dict, seconds: float = 30) -> dict:
    """Entries and exits of the demo structures, once the worker has caught up (the feed may be
    delayed a while by any transaction running on the PostgreSQL cluster)."""
    since = (date.today() - timedelta(days=800)).isoformat()
    deadline = time.monotonic() + seconds
    while True:
        run_worker(settings)
        rows = client.outcomes(from_=since, to=date.today().isoformat(), group_by="structure")
        demo = [r for r in rows["rows"] if r["key"]["structure"] in structure_ids]
        totals = {m: sum(r[m] for r in demo) for m in expected}
        if totals == expected or time.monotonic() > deadline:
            return totals
        time.sleep(0.5)


def test_the_small_demo_loads_without_a_single_rejection_and_is_reported(settings, services):
    network = Network(42, SIZES["small"], date.today())
    pathways = [p for s in network.structures for p in network.pathways_of(s)]
    expected = {"entries": len(pathways), "exits": sum(1 for p in pathways if p.exited_on)}
    done = []

    with client_for(settings) as client:
        report = load(client, network, progress=done.append)
        totals = demo_totals(client, settings, set(report.structures.values()), expected)

    assert report.rejected == []
    assert len(report.structures) == 12
    assert report.pathways == sum(done) == 300
    assert totals == expected
    assert report.annexes == len(network.annexes) > 0
    with client_for(settings) as client:
        ids = {report.structures[a.structure_index] for a in network.annexes}
        listed = [a for s in ids for a in client.annexes(s)]
    assert sorted(a["number"] for a in listed) == sorted(a.number for a in network.annexes)
    amended = [a for a in listed if a.get("amendments")]
    assert len(amended) == sum(1 for a in network.annexes if a.amendments) > 0
