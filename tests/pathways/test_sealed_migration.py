"""Revision 0003: version-1 events stored with the PASS IAE number and free texts in clear are
redacted, their values sealed with the person's key (real PostgreSQL)."""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from collections.abc import Iterator

import orjson
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from services.pathways.store import events as store
from services.pathways.store.vault import load_kek, seal
from shared import db, migrations
from tests.support import make_settings

STRUCTURE = str(uuid.uuid4())
NUMBER, TITLE, REASON = "999990000042", "Préparation CACES", "Saisie sur le mauvais parcours"
OTHER_TITLE = "Formation de la personne effacée"

INSERT_EVENT = text(
    """
    INSERT INTO events (position, event_id, pathway_id, version, structure_id, type,
                        schema_version, occurred_on, data)
    VALUES (nextval('events_position_seq'), :id, :pathway, :version, :structure, :type, 1,
            '2026-01-05', CAST(:data AS jsonb))
    """
)


@pytest.fixture
def url(engines) -> Iterator[str]:
    url = make_settings(engines).database_url_for("pathways")
    migrations.upgrade("pathways", url, "0002")
    yield url
    db.drop_database(url)


def _person(conn, kek) -> str:
    person = uuid.uuid4()
    sealed = seal(kek, person, b'{"first_name": "Camille"}')
    conn.execute(
        text("INSERT INTO persons (id, structure_id, nonce, identity) VALUES (:i, :s, :n, :d)"),
        {"i": person, "s": STRUCTURE, "n": sealed.nonce, "d": sealed.identity},
    )
    conn.execute(
        text("INSERT INTO person_keys (person_id, nonce, wrapped_key) VALUES (:i, :n, :k)"),
        {"i": person, "n": sealed.key_nonce, "k": sealed.wrapped_key},
    )
    return str(person)


def _pathway(conn, person: str, events: list[tuple[str, dict]]) -> tuple[str, list[str]]:
    pathway = str(uuid.uuid4())
    conn.execute(
        text(
            "INSERT INTO pathways (id, structure_id, person_id, opened_on, status, version)"
            " VALUES (:p, :s, :person, '2026-01-05', 'open', :v)"
        ),
        {"p": pathway, "s": STRUCTURE, "person": person, "v": len(events)},
    )
    ids = []
    for version, (event_type, data) in enumerate(events, start=1):
        ids.append(str(uuid.uuid4()))
        conn.execute(
            INSERT_EVENT,
            {
                "id": ids[-1],
                "pathway": pathway,
                "version": version,
                "structure": STRUCTURE,
                "type": event_type,
                "data": json.dumps(data),
            },
        )
    return pathway, ids


def _opened(person: str) -> tuple[str, dict]:
    data = {
        "person_id": person,
        "structure_id": STRUCTURE,
        "orienteur": "03",
        "eligibility": {"diagnosed_by": "prescriber", "criteria": ["RSA"]},
        "pass_iae": {"number": NUMBER, "start_on": "2026-01-05", "end_on": "2028-01-04"},
        "sex": "F",
        "age_band": "26_49",
    }
    return "pathway_opened", data


def _training(title: str) -> tuple[str, dict]:
    return "training_started", {"training_id": str(uuid.uuid4()), "kind": "other", "title": title}


def test_the_migration_seals_the_values_stored_in_clear_and_redacts_the_log(url, monkeypatch):
    encoded = base64.b64encode(secrets.token_bytes(32)).decode()
    kek = load_kek(encoded)
    engine = create_engine(url)
    with engine.begin() as conn:
        person, erased = _person(conn, kek), _person(conn, kek)
        pathway, ids = _pathway(
            conn,
            person,
            [
                _opened(person),
                _training(TITLE),
                ("event_voided", {"event_id": "x", "reason": REASON}),
            ],
        )
        gone, _ = _pathway(conn, erased, [_opened(erased), _training(OTHER_TITLE)])
        conn.execute(text("DELETE FROM person_keys WHERE person_id = :p"), {"p": erased})

    monkeypatch.setenv("IDENTITY_KEK", encoded)
    migrations.upgrade("pathways", url)

    with engine.connect() as conn:
        log = "\n".join(r[0] for r in conn.execute(text("SELECT e::text FROM events e")))
        versions = conn.execute(text("SELECT DISTINCT schema_version FROM events")).scalars()
        sealed = conn.execute(text("SELECT person_id FROM event_sealed_values")).scalars().all()
        kept = store.stream(conn, uuid.UUID(pathway), kek)
        dropped = store.stream(conn, uuid.UUID(gone), kek)
    assert "2028-01-04" in log and STRUCTURE in log  # the rest of the data is untouched
    for value in (NUMBER, TITLE, REASON, OTHER_TITLE):
        assert value not in log
    assert set(versions) == {2}
    assert sorted(map(str, sealed)) == [person] * 3
    assert [e.id for e in kept] == ids
    assert kept[0].data["pass_iae"] == {
        "number": NUMBER,
        "start_on": "2026-01-05",
        "end_on": "2028-01-04",
    }
    assert kept[1].data["title"] == TITLE and kept[2].data["reason"] == REASON
    assert dropped[0].data["pass_iae"]["number"] is None and dropped[1].data["title"] is None

    with engine.begin() as conn, pytest.raises(DBAPIError, match="append-only"):
        conn.execute(text("UPDATE events SET data = '{}'::jsonb"))  # the trigger is back
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT data FROM events ORDER BY position")).scalars().all()
    assert orjson.dumps(rows[0]["pass_iae"]) == b'{"end_on":"2028-01-04","start_on":"2026-01-05"}'
    engine.dispose()


def test_without_the_kek_the_migration_stops_before_rewriting_anything(url, monkeypatch):
    kek = load_kek(base64.b64encode(secrets.token_bytes(32)).decode())
    engine = create_engine(url)
    with engine.begin() as conn:
        person = _person(conn, kek)
        _pathway(conn, person, [_opened(person)])
    monkeypatch.delenv("IDENTITY_KEK", raising=False)
    with pytest.raises(RuntimeError, match="IDENTITY_KEK"):
        migrations.upgrade("pathways", url)
    with engine.connect() as conn:
        log = "\n".join(r[0] for r in conn.execute(text("SELECT data::text FROM events")))
    assert NUMBER in log  # rolled back as a whole: still at revision 0002
    engine.dispose()
