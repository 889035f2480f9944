"""A PostgreSQL restart during ingestion: clients get 503 with Retry-After (never a false 201),
and retrying the same event ids succeeds exactly once."""

from __future__ import annotations

import time

import pytest
import requests

from tests.faults.traffic import (
    Ingest,
    Ledger,
    assert_log_holds_exactly,
    assert_reports_match_log,
    new_pathway,
    post_append,
)

pytestmark = pytest.mark.faults


def _restart_database(system, while_down=lambda: None) -> None:
    system.pg.stop()
    while_down()
    system.pg.start()


def test_while_the_database_is_down_an_append_is_a_503_problem_with_retry_after(
    system, org, persons
):
    pathway_id, events = new_pathway(org, persons[0])
    answers: list[requests.Response] = []

    def append_now() -> None:
        url = f"{system.url('pathways')}/v1/pathways/{pathway_id}/events"
        answers.append(requests.post(url, headers=org.headers, json={"events": events}, timeout=10))

    _restart_database(system, append_now)
    assert answers[0].status_code == 503, answers[0].text
    assert answers[0].headers["Content-Type"] == "application/problem+json"
    assert int(answers[0].headers["Retry-After"]) > 0
    assert post_append(system.url("pathways"), org, pathway_id, events) == 201


def test_a_database_restart_during_ingestion_loses_nothing_and_retries_succeed_once(
    system, org, persons, tally
):
    ledger = Ledger()
    system.start_worker()
    with Ingest(system.url("pathways"), org, persons, ledger) as ingest:
        time.sleep(1)
        _restart_database(system, lambda: time.sleep(2))
        time.sleep(2)
    assert set(ledger.statuses) <= {201, 503}, ledger.statuses
    assert ledger.statuses[503] > 0, "the restart was not seen by any append"
    for pathway_id, events in ingest.failed:
        assert post_append(system.url("pathways"), org, pathway_id, events, ledger) in (200, 201)
    assert_log_holds_exactly(system, org, ledger, tally)
    assert_reports_match_log(system, org, ledger, tally)
