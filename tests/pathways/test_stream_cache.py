"""Two service processes appending to one pathway: each skips reading the streams it wrote
last, yet every answer describes the stored log."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from pathways_support import append, create_person, event, opened, support

from services.pathways.app import create_app
from tests.support import dispose_engines


@pytest.fixture
def other_process(settings, services):
    """A second pathways app on the same database: its own append engine and stream cache."""
    app = create_app(settings)
    yield app.test_client()
    dispose_engines(app)
    app.extensions["iae_redis"].close()


def test_appends_decided_on_a_stale_cached_stream_are_decided_again_on_the_log(
    pathways, other_process, org, person
):
    pathway_id = str(uuid.uuid4())
    assert append(pathways, org, pathway_id, [opened(org, person)], expected=0).status_code == 201
    assert append(other_process, org, pathway_id, [support()], expected=1).json["version"] == 2

    after_stale = append(pathways, org, pathway_id, [support()])
    assert after_stale.status_code == 201, after_stale.json
    assert after_stale.json["version"] == 3

    # Its cache says version 2: refusing on it would be wrong.
    refused_on_cache = append(other_process, org, pathway_id, [support()], expected=3)
    assert refused_on_cache.status_code == 201, refused_on_cache.json
    assert refused_on_cache.json["version"] == 4

    conflict = append(pathways, org, pathway_id, [support()], expected=3)
    assert conflict.status_code == 409, conflict.json
    assert conflict.json["current_version"] == 4

    stream = pathways.get(f"/v1/pathways/{pathway_id}/events", headers=org.headers).json
    assert [e["version"] for e in stream] == [1, 2, 3, 4]


def test_a_retry_of_an_append_answered_from_the_cache_is_its_replay(pathways, org, person):
    pathway_id = str(uuid.uuid4())
    assert append(pathways, org, pathway_id, [opened(org, person)], expected=0).status_code == 201
    events = [support()]
    first = append(pathways, org, pathway_id, events, expected=1)
    again = append(pathways, org, pathway_id, events, expected=1)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json == first.json


def test_an_append_whose_rules_need_the_person_reads_it_after_cached_appends(pathways, org):
    person = create_person(pathways, org, birth_date="1995-03-01")
    opened_on = date.today() - timedelta(days=400)
    pathway_id = str(uuid.uuid4())
    first = append(pathways, org, pathway_id, [opened(org, person, on=opened_on)], expected=0)
    assert first.status_code == 201, first.json
    assert append(pathways, org, pathway_id, [support(opened_on)], expected=1).status_code == 201
    start_on = date.today() - timedelta(days=1)
    cdi = event(
        "contract_started",
        {
            "contract_id": str(uuid.uuid4()),
            "contract_type": "CDI_INCLUSION",
            "start_on": start_on.isoformat(),
            "weekly_hours": 26,
        },
        start_on,
    )
    answer = append(pathways, org, pathway_id, [cdi], expected=2)
    assert answer.status_code == 201, answer.json
    # Under 57: the warning needs the person's age, read for this append only.
    assert [w["code"] for w in answer.json["warnings"]] == ["cdi_inclusion_conditions"]
