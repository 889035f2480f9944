"""A client that timed out retries the same request, several times at once: the events are
stored exactly once and every retry gets the original answer."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.faults.traffic import (
    Ledger,
    assert_log_holds_exactly,
    assert_reports_match_log,
    new_pathway,
)

pytestmark = pytest.mark.faults
PARALLEL = 8


def _send(url: str, headers: dict, events: list[dict], timeout: float):
    try:
        return requests.post(url, headers=headers, json={"events": events}, timeout=timeout)
    except requests.Timeout:
        return None


def test_parallel_retries_after_a_timeout_store_the_events_exactly_once(
    system, org, persons, tally
):
    ledger = Ledger()
    system.start_worker()
    for n in range(10):
        pathway_id, events = new_pathway(org, persons[n % len(persons)])
        url = f"{system.url('pathways')}/v1/pathways/{pathway_id}/events"
        first = _send(url, org.headers, events, timeout=0.001)
        with ThreadPoolExecutor(PARALLEL) as pool:
            same = [(url, org.headers, events, 30)] * PARALLEL
            retries = list(pool.map(lambda args: _send(*args), same))
        statuses = [r.status_code for r in retries]
        assert set(statuses) <= {200, 201}, statuses
        assert statuses.count(201) + (first is not None and first.status_code == 201) <= 1
        assert len({r.content for r in retries if r.status_code == 200}) <= 1
        assert len({str(r.json()["events"]) for r in retries}) == 1
        ledger.record(pathway_id, events, statuses[0])
    assert_log_holds_exactly(system, org, ledger, tally)
    assert_reports_match_log(system, org, ledger, tally)
