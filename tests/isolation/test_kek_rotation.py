"""The key-encryption key can be rotated (docs/adr/0003-crypto-shredding.md): after
`python -m services.pathways.cli rotate-kek`, identities and the values sealed with them read
with the new KEK alone, the old KEK opens nothing any more (so that destroying it shreds what
backups and disk pages still hold of erased persons), and erasure still works.

A pathways service of its own (its own database, the session's registry for tokens) is run
under each configuration of the rotation: old KEK, both, new KEK alone, old KEK alone."""

from __future__ import annotations

import base64
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import replace

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from services.pathways.app import create_app
from services.pathways.cli import cli
from services.pathways.store.vault import Wrapped, load_keyring
from shared import db, migrations
from shared.settings import with_database
from tests.pathways.pathways_support import IDENTITY, make_org, opened
from tests.support import dispose_engines

TITLE = "Préparation au CACES R489"


def _kek() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


@pytest.fixture
def vault(settings) -> Iterator[dict]:
    """Settings of a pathways service with a database of its own, under KEK version 1."""
    prefix = "k" + uuid.uuid4().hex[:12]
    url = with_database(settings.database_url, f"{prefix}_pathways")
    migrations.upgrade("pathways", url)
    base = replace(
        settings,
        queue_prefix=prefix,
        identity_kek=_kek(),
        extra={**settings.extra, "pathways_database_url": url},
    )
    apps: list = []
    yield {"settings": base, "url": url, "apps": apps}
    for app in apps:
        dispose_engines(app)
    db.drop_database(url)


def _client(vault: dict, **kek):
    app = create_app(replace(vault["settings"], **kek))
    vault["apps"].append(app)
    return app.test_client()


def _cli(vault: dict, command: str, **kek) -> str:
    settings = replace(vault["settings"], **kek)
    env = {
        "DATABASE_URL": settings.database_url,
        "PATHWAYS_DATABASE_URL": vault["url"],
        "IDENTITY_KEK": settings.identity_kek,
        "IDENTITY_KEK_VERSION": str(settings.identity_kek_version),
        "IDENTITY_KEK_PREVIOUS": settings.identity_kek_previous,
        "LOG_LEVEL": "WARNING",
    }
    result = CliRunner().invoke(cli, [command], env=env)
    assert result.exit_code == 0, result.output
    return result.output


def _keys(url: str) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            sql = "SELECT person_id, kek_version, nonce, wrapped_key FROM person_keys"
            return [tuple(r) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


def _training(on: str) -> dict:
    data = {"training_id": str(uuid.uuid4()), "kind": "other", "title": TITLE}
    return {"id": str(uuid.uuid4()), "type": "training_started", "occurred_on": on, "data": data}


def test_after_a_rotation_only_the_new_kek_opens_identities_and_erasure_works(
    vault, registry, admin
):
    org = make_org(registry, admin, "ACI")
    old = vault["settings"].identity_kek
    before = _client(vault)
    people = [
        before.post("/v1/persons", headers=org.headers, json={**IDENTITY, "last_name": name})
        for name in ("Martin", "Bernard", "Thomas")
    ]
    person_ids = [p.json["id"] for p in people]
    opening = opened(org, person_ids[0])
    pathway = f"/v1/pathways/{uuid.uuid4()}/events"
    events = [opening, _training(opening["occurred_on"])]
    assert before.post(pathway, headers=org.headers, json={"events": events}).status_code == 201

    new = _kek()
    rotating = {"identity_kek": new, "identity_kek_version": 2, "identity_kek_previous": f"1:{old}"}
    during = _client(vault, **rotating)
    late = during.post("/v1/persons", headers=org.headers, json={**IDENTITY, "last_name": "Petit"})
    person_ids.append(late.json["id"])  # wrapped by version 2 already
    said = _cli(vault, "rotate-kek", **rotating)

    assert "3 clés enveloppées de nouveau avec la version 2" in said
    assert "détruisez" in said
    assert {version for _, version, _, _ in _keys(vault["url"])} == {2}
    old_ring = load_keyring(old)
    assert all(
        old_ring.unwrap(person, Wrapped(1, bytes(nonce), bytes(key))) is None
        for person, _, nonce, key in _keys(vault["url"])
    )

    after = _client(vault, identity_kek=new, identity_kek_version=2)
    names = [after.get(f"/v1/persons/{p}", headers=org.headers).json for p in person_ids]
    assert [n["last_name"] for n in names] == ["Martin", "Bernard", "Thomas", "Petit"]
    assert after.get(pathway, headers=org.headers).json[1]["data"]["title"] == TITLE

    stale = _client(vault, identity_kek=old, identity_kek_version=1)
    assert stale.get(f"/v1/persons/{person_ids[0]}", headers=org.headers).status_code == 404
    assert stale.get(pathway, headers=org.headers).json[1]["data"]["title"] is None

    assert after.delete(f"/v1/persons/{person_ids[0]}", headers=org.headers).status_code == 204
    assert after.get(f"/v1/persons/{person_ids[0]}", headers=org.headers).status_code == 404
    assert after.get(pathway, headers=org.headers).json[1]["data"]["title"] is None
    assert person_ids[0] not in {str(k[0]) for k in _keys(vault["url"])}
    assert "Tables réécrites" in _cli(vault, "vacuum-erased", identity_kek=new)
    assert after.get(f"/v1/persons/{person_ids[1]}", headers=org.headers).status_code == 200


def test_a_rotation_without_the_old_kek_keeps_it_and_says_so(vault, registry, admin):
    org = make_org(registry, admin, "ACI")
    before = _client(vault)
    assert before.post("/v1/persons", headers=org.headers, json=IDENTITY).status_code == 201
    settings = replace(vault["settings"], identity_kek=_kek(), identity_kek_version=2)
    env = {
        "DATABASE_URL": settings.database_url,
        "PATHWAYS_DATABASE_URL": vault["url"],
        "IDENTITY_KEK": settings.identity_kek,
        "IDENTITY_KEK_VERSION": "2",
        "IDENTITY_KEK_PREVIOUS": "",
    }

    result = CliRunner().invoke(cli, ["rotate-kek"], env=env)

    assert result.exit_code == 1
    assert "Ne détruisez aucune ancienne KEK" in result.output
    assert {version for _, version, _, _ in _keys(vault["url"])} == {1}


@pytest.mark.parametrize(
    ("version", "previous"),
    [(0, ""), (2, "2:{old}"), (2, "1:{same}"), (2, "un:{old}"), (2, "1:court")],
)
def test_a_bad_kek_configuration_refuses_to_start(vault, version, previous):
    same = vault["settings"].identity_kek
    kek = {"identity_kek_version": version, "identity_kek_previous": previous}
    kek["identity_kek_previous"] = previous.format(old=_kek(), same=same)

    with pytest.raises(RuntimeError, match="IDENTITY_KEK"):
        _client(vault, **kek)


def _file(url: str, table: str) -> bytes:
    """The bytes of a table's data file, as written at a checkpoint (superuser only)."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("CHECKPOINT"))
            path = "SELECT pg_read_binary_file(pg_relation_filepath(CAST(:t AS regclass)))"
            return conn.execute(text(path), {"t": table}).scalar_one()
    finally:
        engine.dispose()


def test_vacuum_erased_takes_the_rows_of_erased_persons_out_of_the_files(vault, registry, admin):
    org = make_org(registry, admin, "ACI")
    client = _client(vault)
    erased, kept = (
        client.post("/v1/persons", headers=org.headers, json=IDENTITY).json["id"] for _ in "ab"
    )
    keys = {str(person): bytes(key) for person, _, _, key in _keys(vault["url"])}
    assert client.delete(f"/v1/persons/{erased}", headers=org.headers).status_code == 204
    try:
        before = _file(vault["url"], "person_keys")
    except Exception as error:  # reading server files needs a superuser
        pytest.skip(f"the database user cannot read the table's file: {error}")
    assert keys[erased] in before  # a DELETE only marks the row dead

    _cli(vault, "vacuum-erased")

    after = _file(vault["url"], "person_keys")
    assert keys[erased] not in after
    assert keys[kept] in after
