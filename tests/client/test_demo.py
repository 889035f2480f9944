"""The small demo loaded through the real HTTP API of the live services: nothing refused, and the
reports count what the generator made."""

from __future__ import annotations

from datetime import date, timedelta

from client_support import client_for
from conftest import run_worker

from client.demo import SIZES, Network, load


def test_the_small_demo_loads_without_a_single_rejection_and_is_reported(settings, services):
    network = Network(42, SIZES["small"], date.today())
    done = []

    with client_for(settings) as client:
        report = load(client, network, progress=done.append)
        run_worker(settings)
        today = date.today().isoformat()
        since = (date.today() - timedelta(days=800)).isoformat()
        rows = client.outcomes(from_=since, to=today, group_by="structure")["rows"]

    assert report.rejected == []
    assert len(report.structures) == 12
    assert report.pathways == sum(done) == 300
    pathways = [p for s in network.structures for p in network.pathways_of(s)]
    demo = [r for r in rows if r["key"]["structure"] in report.structures.values()]
    assert sum(r["entries"] for r in demo) == len(pathways)
    assert sum(r["exits"] for r in demo) == sum(1 for p in pathways if p.exited_on)
