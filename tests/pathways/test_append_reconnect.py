"""Appends run on an engine that does not ping its connections: a connection the server has
dropped costs a retry on a new one, never a failed append."""

from __future__ import annotations

import uuid

import psycopg
from pathways_support import append, opened, support

from bench.stack import psycopg_url

TERMINATE_OTHERS = """
    SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
     WHERE datname = current_database() AND pid <> pg_backend_pid()
"""


def _drop_every_connection(settings) -> int:
    with psycopg.connect(psycopg_url(settings.database_url_for("pathways"))) as conn:
        return conn.execute(TERMINATE_OTHERS).fetchone()[0]


def test_an_append_on_a_connection_the_server_dropped_is_stored_on_a_new_one(
    settings, services, pathways, org, person
):
    pathway_id = str(uuid.uuid4())
    assert append(pathways, org, pathway_id, [opened(org, person)]).status_code == 201
    assert _drop_every_connection(settings) > 0
    answer = append(pathways, org, pathway_id, [support()], expected=1)
    assert answer.status_code == 201, answer.json
    assert answer.json["version"] == 2
    stream = pathways.get(f"/v1/pathways/{pathway_id}/events", headers=org.headers).json
    assert [e["version"] for e in stream] == [1, 2]
