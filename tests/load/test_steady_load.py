"""A short steady load on the live system (loopback only, bounded in time and count): single
appends, batch appends and report reads mixed, zero errors, projection lag reported."""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.faults.live_system import ROOT, LiveSystem
from tests.faults.traffic import (
    PERIOD,
    Ledger,
    Org,
    assert_log_holds_exactly,
    assert_reports_match_log,
    bearer,
    make_org,
    make_person,
    new_pathway,
    post_append,
    post_batch,
)
from tests.support import admin_token

pytestmark = pytest.mark.faults
SECONDS = float(os.environ.get("LOAD_SECONDS", "45"))
RATE = float(os.environ.get("LOAD_RATE", "8"))  # operations started per second
BATCH_ITEMS = 20


@pytest.fixture(scope="module")
def loaded() -> Iterator[LiveSystem]:
    system = LiveSystem.create(ROOT / "var" / "test" / f"load-{os.getpid()}")
    system.start_worker()
    yield system
    system.close()


def _operation(system: LiveSystem, org: Org, persons: list[str], ledger: Ledger, errors: list):
    """One operation drawn at random: 60 % single append, 20 % batch, 20 % report read."""
    draw, person = random.random(), random.choice(persons)
    if draw < 0.6:
        status = post_append(system.url("pathways"), org, *new_pathway(org, person), ledger)
    elif draw < 0.8:
        items = [new_pathway(org, random.choice(persons)) for _ in range(BATCH_ITEMS)]
        status = post_batch(system.url("pathways"), org, items, ledger)
    else:
        status = requests.get(
            f"{system.url('reporting')}/v1/reports/outcomes",
            timeout=30,
            headers=org.headers,
            params=PERIOD,
        ).status_code
    if status not in (200, 201):
        errors.append(status)


def _projection_lag(system: LiveSystem) -> dict:
    answer = requests.get(
        f"{system.url('reporting')}/v1/projections",
        timeout=30,
        headers=bearer(admin_token(system.settings)),
    )
    return next(p for p in answer.json() if p["name"] == "outcomes")


def test_a_steady_mixed_load_gets_no_error_and_reports_catch_up(loaded, tally):
    admin = bearer(admin_token(loaded.settings))
    org = make_org(loaded.url("registry"), admin)
    persons = [make_person(loaded.url("pathways"), org) for _ in range(10)]
    ledger, errors, started = Ledger(), [], 0
    deadline = time.monotonic() + SECONDS
    with ThreadPoolExecutor(8) as pool:
        while time.monotonic() < deadline:
            pool.submit(_operation, loaded, org, persons, ledger, errors)
            started += 1
            time.sleep(1 / RATE)
    lag = _projection_lag(loaded)
    drain = time.monotonic()
    assert errors == [] and sum(ledger.statuses.values()) > 0
    assert_log_holds_exactly(loaded, org, ledger, tally)
    assert_reports_match_log(loaded, org, ledger, tally)
    tally["load: opérations"] += started
    tally["load: décalage en fin de charge (événements)"] += lag["lag_events"] or 0
    tally["load: décalage en fin de charge (ms)"] += int((lag["lag_seconds"] or 0) * 1000)
    tally["load: rattrapage puis reconstruction (ms)"] += int((time.monotonic() - drain) * 1000)
