"""The project's own write path, in-process: validate, fold, decide and store one event per
transaction with the functions the pathways API calls (services/pathways/appending.py)."""

from __future__ import annotations

import base64
import random
import secrets
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine

from bench import clients
from services.pathways import appending
from services.pathways.store import persons, vault
from services.pathways.store.engine import make_write_engine
from services.pathways.store.vault import Keyring

KIND = "ACI"


def _persons(engine, kek, structure_id: str, count: int):
    """Identities stored through the vault, as POST /v1/persons does."""
    identity = {
        "first_name": "Camille",
        "last_name": "Martin",
        "sex": "F",
        "birth_date": "1980-04-12",
        "nir": None,
    }
    with engine.begin() as conn:
        ids = [
            str(persons.create(conn, kek, uuid.UUID(structure_id), identity)) for _ in range(count)
        ]
    return lambda: random.choice(ids)


def _request(pathway_id: str, body: dict) -> appending.AppendRequest:
    events = [{**e, "occurred_on": date.fromisoformat(e["occurred_on"])} for e in body["events"]]
    return appending.to_request(pathway_id, body["expected_version"], events)


@dataclass(frozen=True)
class Writer:
    """What one in-process writer appends with: its engine, key, actor and pathways."""

    engine: Engine
    kek: Keyring
    actor: appending.Actor
    pathways: clients.PathwayWriter


def writer(index: int, url: str) -> Writer:
    """The append engine as the service builds it, a structure with 20 persons, an actor."""
    engine = make_write_engine(url, pool_size=1)
    kek = vault.load_kek(base64.b64encode(secrets.token_bytes(32)).decode())
    structure_id = str(uuid.uuid4())
    pathways = clients.PathwayWriter(index, structure_id, _persons(engine, kek, structure_id, 20))
    actor = appending.Actor(
        structure_id, KIND, date.today(), {"token_id": str(uuid.uuid4()), "request_id": "bench"}
    )
    return Writer(engine, kek, actor, pathways)


def store_writer(index: int, url: str):
    """One append of one event per transaction, exactly as the HTTP view runs it."""
    w = writer(index, url)

    def step() -> int:
        pathway_id, body = w.pathways.next_request()
        outcome = appending.run(w.engine, w.kek, w.actor, [_request(pathway_id, body)])[0]
        if outcome.status != 201:
            raise RuntimeError(f"in-process append refused: {outcome.status} {outcome.body}")
        return 1

    return step, w.engine.dispose
