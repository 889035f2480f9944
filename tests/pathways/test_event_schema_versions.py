"""Event schema versions end to end: the published types and JSON Schemas, a deprecated version
still accepted with its headers, and events stored in an older version read in the current
shape by the stream, the feed, the catch-up, a rebuild and the reports."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from email.utils import parsedate_to_datetime
from time import monotonic, sleep

import jsonschema_rs
import pytest
from pathways_support import OPENED_ON, append, opened, support
from sqlalchemy import create_engine

from services.pathways.store import events as store
from services.reporting.catchup import jobs
from services.reporting.catchup.rebuild import rebuild_projection
from services.reporting.projections.registry import PROJECTIONS
from shared.domain import event_versions
from shared.domain import events as ev
from tests.support import catch_up_to

OLD, NEW = "PM", "MOBILITE"
WINDOW = event_versions.DEPRECATED[(ev.PATHWAY_OPENED, 2)]
# The feed hands out an event once every older transaction of the PostgreSQL cluster has ended:
# on a server shared with other sessions, that may take a while (a deadline, not a measure).
FEED_PATIENCE = 120.0


def fed_at(pathways, headers, position: int) -> dict:
    """The feed's entry at `position`, once the feed hands it out."""
    deadline = monotonic() + FEED_PATIENCE
    while True:
        page = pathways.get(f"/v1/feed?after={position - 1}&limit=1", headers=headers).json
        if page["events"]:
            return page["events"][0]
        assert monotonic() < deadline, f"the feed never showed position {position}"
        sleep(0.05)


def test_the_event_types_list_every_type_its_versions_and_schema_links_without_a_token(pathways):
    listed = pathways.get("/v1/event-types")
    assert listed.status_code == 200
    items = {i["type"]: i for i in listed.json["items"]}
    assert list(items) == list(ev.EVENT_TYPES)
    opened_type = items[ev.PATHWAY_OPENED]
    assert opened_type["current_version"] == 3 and opened_type["accepted_versions"] == [2, 3]
    assert opened_type["versions"][0] == {
        "version": 2,
        "href": "/v1/event-types/pathway_opened/2",
        "deprecated_on": WINDOW.deprecated_on.isoformat(),
        "sunset_on": WINDOW.sunset_on.isoformat(),
    }
    for item in items.values():
        for link in item["versions"]:
            assert pathways.get(link["href"]).status_code == 200
    assert pathways.get("/v1/event-types/pathway_opened/1").status_code == 404
    missing = pathways.get("/v1/event-types/nothing_happened/1")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"


def test_each_json_schema_accepts_its_versions_data_and_refuses_the_other_versions(pathways):
    def validator(version: int):
        document = pathways.get(f"/v1/event-types/pathway_opened/{version}").json
        assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        return jsonschema_rs.validator_for(document)

    def sent(criterion: str) -> dict:
        data = {
            "person_id": str(uuid.uuid4()),
            "structure_id": str(uuid.uuid4()),
            "orienteur": "03",
            "eligibility": {"diagnosed_by": "prescriber", "criteria": [criterion, "JEUNE"]},
        }
        return {
            "id": str(uuid.uuid4()),
            "type": ev.PATHWAY_OPENED,
            "occurred_on": "2026-01-05",
            "data": data,
        }

    current, previous = validator(3), validator(2)
    assert current.is_valid(sent(NEW)) and not current.is_valid(sent(OLD))
    assert previous.is_valid(sent(OLD)) and not previous.is_valid(sent(NEW))
    hours = jsonschema_rs.validator_for(
        pathways.get("/v1/event-types/hours_worked_recorded/1").json
    )
    worked = {"id": str(uuid.uuid4()), "type": "hours_worked_recorded", "occurred_on": "2026-02-01"}
    assert hours.is_valid({**worked, "data": {"month": "2026-01", "hours": 0}})
    assert not hours.is_valid({**worked, "data": {"month": "2026-13", "hours": 0}})
    assert not hours.is_valid({**worked, "data": {"month": "2026-01", "hours": 251}})


def test_a_deprecated_version_is_accepted_upcast_and_answered_with_its_headers(
    pathways, org, person
):
    pathway_id = str(uuid.uuid4())
    old = opened(org, person, eligibility={"diagnosed_by": "prescriber", "criteria": [OLD]})
    answer = append(pathways, org, pathway_id, [{**old, "schema_version": 2}], expected=0)
    assert answer.status_code == 201, answer.json
    deprecated = datetime.combine(WINDOW.deprecated_on, time(), UTC)
    assert answer.headers["Deprecation"] == f"@{int(deprecated.timestamp())}"
    sunset = parsedate_to_datetime(answer.headers["Sunset"])
    assert sunset.date() == WINDOW.sunset_on + timedelta(days=1)
    assert 'rel="deprecation"' in answer.headers["Link"]
    stream = pathways.get(f"/v1/pathways/{pathway_id}/events", headers=org.headers).json
    assert stream[0]["data"]["eligibility"]["criteria"] == [NEW]
    assert stream[0]["schema_version"] == 3
    again = append(pathways, org, pathway_id, [{**old, "schema_version": 2}], expected=0)
    assert again.status_code == 200  # the same event, upcast the same: a replay
    current = append(pathways, org, str(uuid.uuid4()), [opened(org, person)], expected=0)
    assert current.status_code == 201 and "Deprecation" not in current.headers


def test_a_batch_item_in_a_deprecated_version_is_accepted_and_the_answer_says_so(
    pathways, org, person
):
    old = opened(org, person, eligibility={"diagnosed_by": "prescriber", "criteria": [OLD]})
    item = {"pathway_id": str(uuid.uuid4()), "events": [{**old, "schema_version": 2}]}
    answer = pathways.post("/v1/events/batch", headers=org.headers, json={"items": [item]})
    assert answer.status_code == 200 and answer.json["results"][0]["status"] == 201, answer.json
    assert answer.headers["Deprecation"].startswith("@") and "Sunset" in answer.headers
    current = {"pathway_id": str(uuid.uuid4()), "events": [opened(org, person)]}
    plain = pathways.post("/v1/events/batch", headers=org.headers, json={"items": [current]})
    assert plain.json["results"][0]["status"] == 201 and "Deprecation" not in plain.headers


@pytest.mark.parametrize("version", [1, 4, 0])
def test_a_version_not_accepted_is_refused_and_nothing_is_stored(pathways, org, person, version):
    pathway_id = str(uuid.uuid4())
    refused = append(
        pathways, org, pathway_id, [{**opened(org, person), "schema_version": version}]
    )
    assert refused.status_code == 422, refused.json
    assert "events.0.schema_version" in refused.json["errors"]
    assert pathways.get(f"/v1/pathways/{pathway_id}", headers=org.headers).status_code == 404


def test_a_version_past_its_sunset_is_refused_in_french():
    with pytest.raises(event_versions.RetiredVersion, match="n'est plus acceptée"):
        event_versions.check_sendable(ev.PATHWAY_OPENED, 2, WINDOW.sunset_on + timedelta(days=1))
    assert event_versions.check_sendable(ev.PATHWAY_OPENED, 2, WINDOW.sunset_on) == WINDOW


def test_events_stored_in_the_old_version_are_read_in_the_new_shape_everywhere(
    settings, pathways, reporting, org, person, network
):
    """An opening written in version 2, with the criterion `PM`, before the renaming."""
    pathway_id = str(uuid.uuid4())
    data = opened(org, person)["data"] | {
        "eligibility": {"diagnosed_by": "prescriber", "criteria": [OLD, "JEUNE"]},
        "sex": "F",
        "age_band": "26_49",
    }
    row = store.NewRow(
        str(uuid.uuid4()), pathway_id, org.id, 1, ev.PATHWAY_OPENED, OPENED_ON, data, {}, 2
    )
    engine = create_engine(settings.database_url_for("pathways"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            [position] = store.append(conn, [row], [])
    finally:
        engine.dispose()

    stream = pathways.get(f"/v1/pathways/{pathway_id}/events", headers=org.headers).json
    assert stream[0]["data"]["eligibility"]["criteria"] == [NEW, "JEUNE"]
    assert stream[0]["schema_version"] == 3
    state = pathways.get(f"/v1/pathways/{pathway_id}", headers=org.headers)
    assert state.status_code == 200 and state.json["status"] == "open", state.json
    more = append(pathways, org, pathway_id, [support()], expected=1)  # decided on the new shape
    assert more.status_code == 201, more.json
    fed = fed_at(pathways, network, position)
    assert fed["data"]["eligibility"]["criteria"] == [NEW, "JEUNE"] and fed["schema_version"] == 3

    jobs.configure(settings)
    catch_up_to(settings, position, timeout=FEED_PATIENCE)
    url = f"/v1/reports/outcomes?structure_id={org.id}&group_by=criterion&from=2020-01-01"
    caught_up = reporting.get(url, headers=org.headers)
    assert caught_up.status_code == 200, caught_up.json
    labels = {r["key"]["criterion"]: r["label"]["criterion"] for r in caught_up.json["rows"]}
    assert labels[NEW] == "Problème de mobilité" and OLD not in labels
    ctx = jobs.context()
    rebuild_projection(ctx["engine"], ctx["feed"], PROJECTIONS["outcomes"], 5000)
    rebuilt = reporting.get(url, headers=org.headers)
    assert rebuilt.json["rows"] == caught_up.json["rows"]
