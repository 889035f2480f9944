"""Pure parts of the pathways service: recognising a retried append, and the identity envelope."""

from __future__ import annotations

import base64
import os
import uuid
from datetime import date

import pytest
from cryptography.exceptions import InvalidTag

from services.pathways.decide.idempotency import EventIdConflict, Known, replay
from services.pathways.store.vault import MissingKek, load_kek, open_sealed, seal
from shared.domain.pathway.state import Event

PATHWAY = str(uuid.uuid4())
DAY = date(2026, 1, 5)


def stored(version: int, data: dict, count: int | None = None, pathway: str = PATHWAY) -> Known:
    event_id = str(uuid.uuid4())
    append = {"count": count, "warnings": [{"code": "w", "message": "m"}]} if count else None
    return Known(
        event_id,
        pathway,
        "s",
        version,
        "support_action_recorded",
        DAY,
        data,
        append,
        {"id": event_id, "version": version, "position": 100 + version},
    )


def request_of(*known: Known) -> list[Event]:
    return [Event(k.id, k.type, k.occurred_on, dict(k.data)) for k in known]


def test_a_request_with_new_ids_is_not_a_replay():
    assert replay(PATHWAY, [Event(str(uuid.uuid4()), "t", DAY, {})], {}) is None


def test_an_identical_request_replays_the_original_answer_with_its_warnings():
    first, second = stored(3, {"a": 1}, count=2), stored(4, {"b": 2})
    answer = replay(PATHWAY, request_of(first, second), {k.id: k for k in (first, second)})
    assert answer == {
        "pathway_id": PATHWAY,
        "version": 4,
        "events": [first.answer, second.answer],
        "warnings": first.append["warnings"],
    }


def test_changed_content_under_a_known_id_is_a_conflict():
    first = stored(1, {"a": 1}, count=1)
    changed = [Event(first.id, first.type, first.occurred_on, {"a": 2})]
    with pytest.raises(EventIdConflict):
        replay(PATHWAY, changed, {first.id: first})


def test_part_of_an_earlier_append_is_a_conflict():
    first, second = stored(1, {"a": 1}, count=2), stored(2, {"b": 2})
    with pytest.raises(EventIdConflict):
        replay(PATHWAY, request_of(first), {k.id: k for k in (first, second)})


def test_a_known_id_mixed_with_new_ones_is_a_conflict():
    first = stored(1, {"a": 1}, count=1)
    mixed = [*request_of(first), Event(str(uuid.uuid4()), "t", DAY, {})]
    with pytest.raises(EventIdConflict):
        replay(PATHWAY, mixed, {first.id: first})


def test_a_known_id_of_another_pathway_is_a_conflict():
    elsewhere = stored(1, {"a": 1}, count=1, pathway=str(uuid.uuid4()))
    with pytest.raises(EventIdConflict):
        replay(PATHWAY, request_of(elsewhere), {elsewhere.id: elsewhere})


def test_the_server_fields_of_an_opening_do_not_break_a_replay():
    opening = stored(1, {"person_id": "p", "sex": "F", "age_band": "26_49"}, count=1)
    opening = Known(**{**vars(opening), "type": "pathway_opened"})
    retry = [Event(opening.id, "pathway_opened", DAY, {"person_id": "p"})]
    assert replay(PATHWAY, retry, {opening.id: opening})["version"] == 1


def kek():
    return load_kek(base64.b64encode(os.urandom(32)).decode())


def test_a_sealed_identity_opens_with_its_kek_and_person():
    key, person = kek(), uuid.uuid4()
    assert open_sealed(key, person, seal(key, person, b"Martin")) == b"Martin"


def test_a_sealed_identity_does_not_open_for_another_person():
    key = kek()
    with pytest.raises(InvalidTag):
        open_sealed(key, uuid.uuid4(), seal(key, uuid.uuid4(), b"Martin"))


def test_a_sealed_identity_does_not_open_with_another_kek():
    person = uuid.uuid4()
    with pytest.raises(InvalidTag):
        open_sealed(kek(), person, seal(kek(), person, b"Martin"))


@pytest.mark.parametrize("setting", ["", "not base64!", base64.b64encode(b"short").decode()])
def test_the_service_refuses_a_missing_or_malformed_kek(setting):
    with pytest.raises(MissingKek, match="IDENTITY_KEK"):
        load_kek(setting)
