"""Values kept out of the event log (docs/domain.md §10,
docs/adr/0010-personal-data-out-of-the-log.md).

The PASS IAE number and the free texts of an event (shared.domain.events.SEALED_FIELDS) are
sealed with the data key of the pathway's person, one row per event in `event_sealed_values`,
written by the statement that appends the event. The row goes with the person's key when the
person is erased (ON DELETE CASCADE): what was sealed then reads as null, the log is unchanged.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import orjson
from cryptography.exceptions import InvalidTag
from sqlalchemy import Connection, text

from services.pathways.store.vault import Keyring, Wrapped, open_value, seal_value

# The columns `events.READ_SQL` adds after the log's own, from event_sealed_values and the key
# of its person: person_id, nonce, ciphertext, kek_version, key_nonce, wrapped_key.
TAIL = 6


@dataclass(frozen=True)
class ToSeal:
    """The values taken out of one accepted event, with the person they belong to."""

    event_id: str
    person_id: str | None
    values: dict  # dotted path → value (shared.domain.events.split_sealed)


@dataclass(frozen=True)
class SealedRow:
    """A row of event_sealed_values, ready to insert with its event."""

    event_id: str
    person_id: str
    nonce: bytes
    ciphertext: bytes


KEYS = text(
    "SELECT person_id, kek_version, nonce, wrapped_key FROM person_keys"
    " WHERE person_id = ANY(CAST(:ids AS uuid[]))"
)


def _aad(person_id: str, event_id: str) -> bytes:
    """Binds a ciphertext to its person and its event: it cannot be moved to another."""
    return uuid.UUID(person_id).bytes + uuid.UUID(event_id).bytes


def seal_rows(
    conn: Connection, keyring: Keyring, items: list[ToSeal], keys: dict[str, bytes]
) -> list[SealedRow]:
    """The rows of the items that carry values, each sealed with its person's data key.

    `keys` are the data keys already at hand (person id → key); the others are read in one
    query, only when some item carries values. A person without a key (erased) keeps nothing:
    the values are dropped (docs/domain.md §10).
    """
    wanted = [i for i in items if i.values and i.person_id]
    if not wanted:
        return []
    known = {str(uuid.UUID(p)): k for p, k in keys.items() if k}
    missing = {str(uuid.UUID(i.person_id)) for i in wanted if i.person_id} - set(known)
    if missing:
        known |= _keys(conn, keyring, sorted(missing))
    rows = []
    for item in wanted:
        person_id = str(uuid.UUID(item.person_id))  # type: ignore[arg-type]
        key = known.get(person_id)
        if key is None:
            continue
        plain = orjson.dumps(item.values)
        nonce, ciphertext = seal_value(key, _aad(person_id, item.event_id), plain)
        rows.append(SealedRow(item.event_id, person_id, nonce, ciphertext))
    return rows


def _keys(conn: Connection, keyring: Keyring, person_ids: list[str]) -> dict[str, bytes]:
    """The data keys of the persons that still have one (one query); a key wrapped by a KEK
    not at hand is as good as erased."""
    found = {}
    for person_id, *wrapped in conn.execute(KEYS, {"ids": person_ids}):
        key = keyring.unwrap(person_id, Wrapped.stored(*wrapped))
        if key is not None:
            found[str(person_id)] = key
    return found


def document(rows: list[SealedRow]) -> list[dict]:
    """The rows as the append statement reads them (bytes as hex)."""
    return [
        {
            "event_id": r.event_id,
            "person_id": r.person_id,
            "nonce": r.nonce.hex(),
            "ciphertext": r.ciphertext.hex(),
        }
        for r in rows
    ]


def reveal(keyring: Keyring, event_id: str, tail: tuple, keys: dict) -> dict | None:
    """The values sealed out of an event from the read's last columns (`TAIL`), or None when
    there are none to read (never sealed, erased with the person, or a KEK not at hand).
    `keys` caches the persons' unwrapped keys over one read."""
    person_id, nonce, ciphertext, *wrapped = tail
    if person_id is None:
        return None
    if person_id not in keys:
        keys[person_id] = keyring.unwrap(person_id, Wrapped.stored(*wrapped))
    key = keys[person_id]
    if key is None:
        return None
    try:
        plain = open_value(key, _aad(str(person_id), event_id), bytes(nonce), bytes(ciphertext))
    except InvalidTag:
        return None
    values: dict = orjson.loads(plain)
    return values
