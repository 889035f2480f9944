"""Identity data stays in the vault: never in logs, the feed, projections or exports; encrypted
at rest; and gone for good after an erasure."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from tests.faults.traffic import IDENTITY, Org, opening, support

SCHEMAS_SQL = """
SELECT table_schema, table_name FROM information_schema.tables
 WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE'
"""


def _dump(url: str, only: str | None = None) -> str:
    """Every row of every table of a database (or of one table), as text."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = [(s, t) for s, t in conn.execute(text(SCHEMAS_SQL)) if only in (None, t)]
            return "\n".join(
                str(row[0])
                for s, t in tables
                for row in conn.execute(text(f'SELECT t::text FROM "{s}"."{t}" t'))
            )
    finally:
        engine.dispose()


def _secrets(world) -> list[str]:
    identity = world.identity
    return [identity["first_name"], identity["last_name"], identity["nir"], identity["birth_date"]]


@pytest.fixture
def captured_logs() -> Iterator[list[str]]:
    """Everything the in-process services log, at every level, while the test runs."""
    lines: list[str] = []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = lambda record: lines.append(logging.Formatter().format(record))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield lines
    root.removeHandler(handler)
    root.setLevel(level)


def test_identity_never_appears_in_logs_feed_projections_or_exports(world, settings, captured_logs):
    a = world.headers["structure_a"]
    pathways, reporting = world.client("pathways"), world.client("reporting")
    person = pathways.post("/v1/persons", headers=a, json=world.identity)
    assert person.status_code == 201
    # The PASS number stays out of the log too, with the identity (docs/domain.md §10).
    number = f"9999{uuid.uuid4().int % 10**8:08d}"
    pass_iae = {"number": number, "start_on": "2026-01-05"}
    org = Org(world.structure_a, "")
    answer = pathways.post(
        f"/v1/pathways/{uuid.uuid4()}/events",
        headers=a,
        json={"events": [opening(org, person.json["id"], pass_iae=pass_iae), support()]},
    )
    assert answer.status_code == 201
    from services.reporting.catchup import jobs

    jobs.catch_up("all")
    feed = pathways.get("/v1/feed", headers=world.headers["network"]).get_data(as_text=True)
    csv = reporting.get(
        "/v1/reports/outcomes", headers=a, query_string={"format": "csv", "group_by": "sex"}
    ).get_data(as_text=True)
    places = {
        "logs": "\n".join(captured_logs),
        "feed": feed,
        "export": csv,
        "events table": _dump(settings.database_url_for("pathways"), "events"),
        "reporting database": _dump(settings.database_url_for("reporting")),
    }
    assert captured_logs, "nothing was logged: the capture would prove nothing"
    assert answer.json["events"][0]["id"] in places["reporting database"]
    for secret in [*_secrets(world), number]:
        leaks = [name for name, content in places.items() if secret in content]
        assert leaks == [], f"{secret!r} found in {leaks}"


def test_identity_fields_are_unreadable_in_the_database(world, settings):
    vault = _dump(settings.database_url_for("pathways"), "persons")
    vault += _dump(settings.database_url_for("pathways"), "person_keys")
    assert world.person_a in vault
    for secret in _secrets(world):
        assert secret not in vault
        assert secret.encode().hex() not in vault


def _count(settings, table: str, person_id: str) -> int:
    column = "id" if table == "persons" else "person_id"
    engine = create_engine(settings.database_url_for("pathways"))
    try:
        with engine.connect() as conn:
            return conn.execute(
                text(f"SELECT count(*) FROM {table} WHERE {column} = :p"), {"p": person_id}
            ).scalar()
    finally:
        engine.dispose()


def test_an_erasure_is_irreversible_and_leaves_the_events_unchanged(world, settings):
    a, pathways = world.headers["structure_a"], world.client("pathways")
    org = Org(world.structure_a, "")
    person = pathways.post("/v1/persons", headers=a, json=IDENTITY).json["id"]
    pathway = str(uuid.uuid4())
    opened = pathways.post(
        f"/v1/pathways/{pathway}/events", headers=a, json={"events": [opening(org, person)]}
    )
    assert opened.status_code == 201
    before = pathways.get(f"/v1/pathways/{pathway}/events", headers=a).json
    assert pathways.delete(f"/v1/persons/{person}", headers=a).status_code == 204
    assert _count(settings, "person_keys", person) == 0
    assert _count(settings, "persons", person) == 0
    assert pathways.get(f"/v1/persons/{person}", headers=a).status_code == 404
    assert pathways.delete(f"/v1/persons/{person}", headers=a).status_code == 404
    again = pathways.post(
        f"/v1/pathways/{uuid.uuid4()}/events", headers=a, json={"events": [opening(org, person)]}
    )
    assert again.status_code == 422, again.json
    assert pathways.get(f"/v1/pathways/{pathway}/events", headers=a).json == before
