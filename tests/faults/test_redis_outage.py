"""Redis carries only nudges: while it is down appends still succeed, and reports catch up."""

from __future__ import annotations

import time

import pytest

from tests.faults.traffic import (
    Ingest,
    Ledger,
    assert_log_holds_exactly,
    assert_reports_match_log,
)

pytestmark = pytest.mark.faults


def test_appends_succeed_while_redis_is_down_and_reports_catch_up(system, org, persons, tally):
    ledger = Ledger()
    system.start_worker()
    with Ingest(system.url("pathways"), org, persons, ledger):
        time.sleep(1)
        system.restart_redis(down_while=lambda: time.sleep(3))
        time.sleep(1)
    assert set(ledger.statuses) == {201}, ledger.statuses
    assert len(ledger.accepted) > 10
    assert_log_holds_exactly(system, org, ledger, tally)
    assert_reports_match_log(system, org, ledger, tally)
