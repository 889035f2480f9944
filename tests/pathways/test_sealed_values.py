"""The PASS IAE number and free texts never reach the log in clear (docs/domain.md §10,
docs/adr/0010-personal-data-out-of-the-log.md): kept sealed beside the person's identity, read
by the owning structure only, gone with the person; idempotency holds on them."""

from __future__ import annotations

import uuid
from datetime import timedelta

import orjson
from pathways_support import OPENED_ON, append, create_person, event, opened, poll_feed, support
from sqlalchemy import create_engine, text

from shared.domain import events as ev
from tests.support import run_worker


def pass_number() -> str:
    return f"9999{uuid.uuid4().int % 10**8:08d}"


def training(title: str | None = None) -> dict:
    data = {"training_id": str(uuid.uuid4()), "kind": "qualifying"}
    if title is not None:
        data["title"] = title
    return event("training_started", data, OPENED_ON + timedelta(days=3))


def void(event_id: str, reason: str) -> dict:
    data = {"event_id": event_id, "reason": reason}
    return event("event_voided", data, OPENED_ON + timedelta(days=4))


def rows(settings, sql: str, **params) -> list:
    engine = create_engine(settings.database_url_for("pathways"))
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql), params))
    finally:
        engine.dispose()


def log_text(settings, pathway_id: str) -> str:
    """Every row the log holds for a pathway, as text."""
    found = rows(settings, "SELECT e::text FROM events e WHERE pathway_id = :p", p=pathway_id)
    return "\n".join(r[0] for r in found)


def reporting_text(settings) -> str:
    """Every row of every table of the reporting database, as text."""
    engine = create_engine(settings.database_url_for("reporting"))
    try:
        with engine.connect() as conn:
            tables = conn.execute(
                text(
                    "SELECT table_schema, table_name FROM information_schema.tables"
                    " WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
                    " AND table_type = 'BASE TABLE'"
                )
            ).all()
            return "\n".join(
                str(row[0])
                for s, t in tables
                for row in conn.execute(text(f'SELECT t::text FROM "{s}"."{t}" t'))
            )
    finally:
        engine.dispose()


def pathway_with_values(pathways, org, person) -> tuple[str, dict, dict]:
    """A pathway opened with a PASS, a titled training and a voided support action; its id,
    the values sent, and the events sent."""
    values = {
        "number": pass_number(),
        "title": f"CACES R489 {uuid.uuid4().hex[:8]}",
        "reason": f"Saisie en double {uuid.uuid4().hex[:8]}",
    }
    pass_iae = {"number": values["number"], "start_on": OPENED_ON.isoformat()}
    first = [opened(org, person, pass_iae=pass_iae), support(), training(values["title"])]
    pathway_id = str(uuid.uuid4())
    answer = append(pathways, org, pathway_id, first, expected=0)
    assert answer.status_code == 201, answer.json
    voiding = [void(first[1]["id"], values["reason"])]
    assert append(pathways, org, pathway_id, voiding).status_code == 201
    return pathway_id, values, {"first": first, "void": voiding}


def test_the_values_are_out_of_the_log_and_the_feed_and_read_by_the_owning_structure(
    pathways, org, person, network, admin, settings
):
    pathway_id, values, _ = pathway_with_values(pathways, org, person)
    log = log_text(settings, pathway_id)
    assert pathway_id in log and "pass_iae" in log  # the rows are there, their dates too
    for value in values.values():
        assert value not in log
    versions = rows(
        settings, "SELECT type, schema_version FROM events WHERE pathway_id = :p", p=pathway_id
    )
    assert {t: v for t, v in versions if t in ev.SEALED_FIELDS} == {
        t: ev.SCHEMA_VERSION[t] for t in ev.SEALED_FIELDS
    }

    state = pathways.get(f"/v1/pathways/{pathway_id}", headers=org.headers).json
    assert state["pass_iae"]["number"] == values["number"]
    stream = pathways.get(f"/v1/pathways/{pathway_id}/events", headers=org.headers).json
    by_type = {e["type"]: e["data"] for e in stream}
    assert by_type["pathway_opened"]["pass_iae"]["number"] == values["number"]
    assert by_type["training_started"]["title"] == values["title"]
    assert by_type["event_voided"]["reason"] == values["reason"]

    # An admin is a reader outside the structure: no PASS number, no free text.
    seen = pathways.get(f"/v1/pathways/{pathway_id}", headers=admin).json
    assert seen["pass_iae"]["number"] is None and seen["pass_iae"]["start_on"]
    outside = pathways.get(f"/v1/pathways/{pathway_id}/events", headers=admin).get_data(
        as_text=True
    )
    assert all(value not in outside for value in values.values())

    page = poll_feed(pathways, network, stream[0]["position"] - 1)
    while not any(e["position"] == stream[-1]["position"] for e in page["events"]):
        page = poll_feed(pathways, network, page["last_position"])
    feed = orjson.dumps(page).decode()
    assert all(value not in feed for value in values.values())


def test_reports_never_hold_the_values_and_stay_unchanged_by_the_erasure(pathways, org, settings):
    person = create_person(pathways, org)
    pathway_id, values, _ = pathway_with_values(pathways, org, person)
    run_worker(settings)
    before = reporting_text(settings)
    assert pathway_id in before  # reporting did fold the pathway
    assert all(value not in before for value in values.values())

    state = pathways.get(f"/v1/pathways/{pathway_id}", headers=org.headers).json
    stream = pathways.get(f"/v1/pathways/{pathway_id}/events", headers=org.headers).json
    assert pathways.delete(f"/v1/persons/{person}", headers=org.headers).status_code == 204
    sealed_left = rows(
        settings, "SELECT count(*) FROM event_sealed_values WHERE person_id = :p", p=person
    )
    assert sealed_left[0][0] == 0

    erased = pathways.get(f"/v1/pathways/{pathway_id}", headers=org.headers).json
    assert erased["pass_iae"]["number"] is None
    assert {**erased, "pass_iae": None, "alerts": None} == {
        **state,
        "pass_iae": None,
        "alerts": None,
    }
    assert erased["pass_iae"]["end_on"] == state["pass_iae"]["end_on"]
    after = pathways.get(f"/v1/pathways/{pathway_id}/events", headers=org.headers).json
    by_type = {e["type"]: e["data"] for e in after}
    assert by_type["pathway_opened"]["pass_iae"]["number"] is None
    assert by_type["training_started"]["title"] is None
    assert by_type["event_voided"]["reason"] is None
    assert [(e["id"], e["version"], e["voided"]) for e in after] == [
        (e["id"], e["version"], e["voided"]) for e in stream
    ]
    run_worker(settings)
    assert pathway_id in reporting_text(settings)


def test_a_retry_answers_as_first_and_other_values_under_the_same_ids_conflict(
    pathways, org, person, settings
):
    pathway_id, values, sent = pathway_with_values(pathways, org, person)
    count = rows(settings, "SELECT count(*) FROM events WHERE pathway_id = :p", p=pathway_id)
    sealed = rows(settings, "SELECT count(*) FROM event_sealed_values")

    again = append(pathways, org, pathway_id, sent["void"])
    assert again.status_code == 200, again.json
    first = append(pathways, org, pathway_id, sent["first"], expected=0)
    assert first.status_code == 200, first.json
    assert rows(settings, "SELECT count(*) FROM events WHERE pathway_id = :p", p=pathway_id) == (
        count
    )
    assert rows(settings, "SELECT count(*) FROM event_sealed_values") == sealed

    other_number = [dict(e) for e in sent["first"]]
    other_number[0] = {**other_number[0], "data": dict(other_number[0]["data"])}
    other_number[0]["data"]["pass_iae"] = {
        **other_number[0]["data"]["pass_iae"],
        "number": pass_number(),
    }
    other_title = [*sent["first"][:2], {**sent["first"][2], "data": dict(sent["first"][2]["data"])}]
    other_title[2]["data"]["title"] = "Autre titre"
    other_reason = [{**sent["void"][0], "data": {**sent["void"][0]["data"], "reason": "Autre"}}]
    for changed in (other_number, other_title, other_reason):
        answer = append(pathways, org, pathway_id, changed)
        assert answer.status_code == 409, answer.json
        assert answer.json["type"].endswith("event-id-conflict")


def test_batches_seal_the_values_too(pathways, org, person, settings):
    pathway_id = str(uuid.uuid4())
    title = f"Titre {uuid.uuid4().hex[:8]}"
    number = pass_number()
    pass_iae = {"number": number, "start_on": OPENED_ON.isoformat()}
    items = [
        {"pathway_id": pathway_id, "events": [opened(org, person, pass_iae=pass_iae)]},
        {"pathway_id": pathway_id, "events": [training(title)]},
    ]
    answer = pathways.post("/v1/events/batch", headers=org.headers, json={"items": items})
    assert [r["status"] for r in answer.json["results"]] == [201, 201], answer.json
    log = log_text(settings, pathway_id)
    assert "training_started" in log and title not in log and number not in log
    stream = pathways.get(f"/v1/pathways/{pathway_id}/events", headers=org.headers).json
    assert stream[1]["data"]["title"] == title
    assert stream[0]["data"]["pass_iae"]["number"] == number
    again = pathways.post("/v1/events/batch", headers=org.headers, json={"items": items})
    assert [r["status"] for r in again.json["results"]] == [200, 200], again.json
