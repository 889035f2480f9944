"""The reference-data change feed reporting copies: complete, in order, gap-free, nudged."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import replace

import pytest
from registry_builders import join, leave, new_group, new_structure, new_token, structure_body
from sqlalchemy import text

from services.registry import journal
from services.registry.app import create_app
from services.registry.models import Group
from shared import queues
from shared.auth import Caller
from shared.db import transaction


def changes(registry, admin, after: int, limit: int = 5000) -> dict:
    answer = registry.get(f"/v1/changes?after={after}&limit={limit}", headers=admin)
    assert answer.status_code == 200, answer.json
    return answer.json


def head(registry, admin) -> int:
    """The last change's seq, paging from 0 as a reader would."""
    last = 0
    while page := changes(registry, admin, last)["items"]:
        last = page[-1]["seq"]
    return last


def test_every_kind_of_change_appears_in_order_with_its_full_state(registry, admin):
    start = head(registry, admin)
    structure = new_structure(registry, admin, kind="AI", department="2A", sectors=["tri"])
    registry.patch(f"/v1/structures/{structure['id']}", headers=admin, json={"name": "Renommée"})
    group = new_group(registry, admin, "GES du Sud")
    join(registry, admin, group["id"], structure["id"], "2025-01-01")
    leave(registry, admin, group["id"], structure["id"], "2025-12-31")
    items = changes(registry, admin, start)["items"]
    assert [(i["entity"], i["id"] == i["data"]["id"]) for i in items] == [
        ("structure", True),
        ("structure", True),
        ("group", True),
        ("membership", True),
        ("membership", True),
    ]
    assert items[1]["data"] == {
        "id": structure["id"],
        "siret": structure["siret"],
        "name": "Renommée",
        "kind": "AI",
        "department": "2A",
        "region": "94",
        "convention_number": None,
        "sectors": ["tri"],
        "closed_on": None,
    }
    assert items[2]["data"] == {"id": group["id"], "name": "GES du Sud"}
    assert items[4]["data"] == {
        "id": items[3]["id"],
        "group_id": group["id"],
        "structure_id": structure["id"],
        "joined_on": "2025-01-01",
        "left_on": "2025-12-31",
    }


def test_seqs_increase_and_last_seq_is_the_last_item(registry, admin):
    start = head(registry, admin)
    for _ in range(3):
        new_group(registry, admin)
    page = changes(registry, admin, start)
    seqs = [i["seq"] for i in page["items"]]
    assert seqs == sorted(seqs) and len(seqs) == 3 and page["last_seq"] == seqs[-1] > start


def test_paging_with_after_gives_the_same_items_as_one_page(registry, admin):
    start = head(registry, admin)
    for _ in range(5):
        new_group(registry, admin)
    whole, paged, last = changes(registry, admin, start)["items"], [], start
    while page := changes(registry, admin, last, limit=2)["items"]:
        paged += page
        last = page[-1]["seq"]
    assert paged == whole and len(whole) == 5


def test_an_empty_page_repeats_after_as_last_seq(registry, admin):
    start = head(registry, admin)
    assert changes(registry, admin, start) == {"items": [], "last_seq": start}


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=5001", "after=-1", "after=x", "after=99999999999999999999"]
)
def test_out_of_range_paging_is_refused(registry, admin, query):
    assert registry.get(f"/v1/changes?{query}", headers=admin).status_code == 422


def test_refused_writes_and_tokens_publish_nothing(registry, admin):
    structure = new_structure(registry, admin)
    start = head(registry, admin)
    registry.post(
        "/v1/structures",
        headers=admin,
        json=structure_body(siret=structure["siret"], kind=structure["kind"]),
    )
    registry.patch(
        f"/v1/structures/{structure['id']}", headers=admin, json={"name": structure["name"]}
    )
    new_token(registry, admin, "network")
    assert head(registry, admin) == start


def test_a_reference_change_nudges_reporting(registry, admin, settings):
    redis = queues.connect(settings.redis_url)
    key = queues.nudge_key(settings.queue_prefix, journal.REFERENCE_PROJECTION)
    try:
        redis.delete(key)
        new_group(registry, admin)
        assert redis.exists(key) == 1
    finally:
        redis.close()


def test_a_redis_outage_never_fails_a_write(settings, admin):
    app = create_app(replace(settings, redis_url="redis://127.0.0.1:1/0"))
    try:
        answer = app.test_client().post("/v1/groups", headers=admin, json={"name": "Sans Redis"})
    finally:
        app.extensions["iae_engine"].dispose()
    assert answer.status_code == 201


def _write_group(factory, name: str, started: threading.Event, release: threading.Event) -> None:
    """A writer publishing a group change, holding its transaction open until released."""
    with transaction(factory) as session:
        group = Group(id=uuid.uuid4(), name=name)
        session.add(group)
        journal.record(session, Caller("admin", "test"), "create", group, {"name": name})
        started.set()  # the change row is written: this writer holds the journal's lock
        release.wait(10)


def _waiting_on_the_lock(engine) -> bool:
    with engine.connect() as conn:
        return (
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                    " AND database = (SELECT oid FROM pg_database"
                    " WHERE datname = current_database())"
                )
            ).scalar()
            > 0
        )


def test_a_tailing_reader_never_skips_a_change_of_a_slow_writer(registry, admin, services):
    app = services["registry"].app
    factory, engine = app.extensions["iae_db"], app.extensions["iae_engine"]
    start = head(registry, admin)
    slow_started, release, fast_started, go = (threading.Event() for _ in range(4))
    go.set()
    slow = threading.Thread(target=_write_group, args=(factory, "lente", slow_started, release))
    slow.start()
    slow_started.wait(10)
    fast = threading.Thread(target=_write_group, args=(factory, "rapide", fast_started, go))
    fast.start()
    while not _waiting_on_the_lock(engine):
        assert slow.is_alive() and fast.is_alive()
        time.sleep(0.01)
    seen_while_slow_open = changes(registry, admin, start)["items"]
    release.set()
    slow.join(10)
    fast.join(10)
    items = changes(registry, admin, start)["items"]
    assert seen_while_slow_open == []
    assert [i["data"]["name"] for i in items] == ["lente", "rapide"]
