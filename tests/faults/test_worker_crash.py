"""Projection catch-up is exactly-once: a worker killed mid-batch, or two workers racing,
leave the same tables as a rebuild from the log."""

from __future__ import annotations

import pytest

from tests.faults.live_system import wait_until
from tests.faults.traffic import (
    Ledger,
    assert_log_holds_exactly,
    assert_reports_match_log,
    backlog,
    checkpoint,
    head_position,
)

pytestmark = pytest.mark.faults
SMALL_BATCHES = {"CATCH_UP_BATCH": "20"}  # many transactions, so that the kill lands mid-way


def test_a_worker_killed_mid_catch_up_loses_and_doubles_nothing(system, org, persons, tally):
    ledger = Ledger()
    start = checkpoint(system)
    backlog(system.url("pathways"), org, persons, ledger, 150)
    head = head_position(system)
    worker = system.start_worker(**SMALL_BATCHES)
    wait_until(lambda: checkpoint(system) > start, 60, "the first batch", every=0.02)
    system.kill_worker(worker)
    assert start < checkpoint(system) < head, "the worker was killed before the end of its work"
    system.start_worker(**SMALL_BATCHES)
    assert_log_holds_exactly(system, org, ledger, tally)
    assert_reports_match_log(system, org, ledger, tally)


def test_two_workers_racing_count_every_event_once(system, org, persons, tally):
    ledger = Ledger()
    backlog(system.url("pathways"), org, persons, ledger, 100)
    system.start_worker(**SMALL_BATCHES)
    system.start_worker(**SMALL_BATCHES)
    backlog(system.url("pathways"), org, persons, ledger, 100)
    assert_log_holds_exactly(system, org, ledger, tally)
    assert_reports_match_log(system, org, ledger, tally)
