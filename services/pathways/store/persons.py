"""The identity vault: persons' identity stored encrypted, readable by their structures, erasable.

Only this module sees names, birth dates and NIRs; the event log keeps person ids and categories.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

import orjson
from cryptography.exceptions import InvalidTag
from sqlalchemy import Connection, text

from services.pathways.decide.context import PersonFacts
from services.pathways.store.vault import Keyring, Wrapped, open_value, seal


@dataclass(frozen=True)
class Person:
    """A decrypted person, the structure that created it, and its data key (which also seals
    the values kept out of its events: services/pathways/store/sealed.py)."""

    id: uuid.UUID
    structure_id: uuid.UUID
    identity: dict
    key: bytes = field(default=b"", repr=False)

    def facts(self) -> PersonFacts:
        """What the rules may know: age (from the birth date) and sex, never the name."""
        birth_date = date.fromisoformat(self.identity["birth_date"])
        return PersonFacts(str(self.id), birth_date, self.identity["sex"])


INSERT_PERSON = text(
    "INSERT INTO persons (id, structure_id, nonce, identity) VALUES (:id, :s, :nonce, :identity)"
)
INSERT_KEY = text(
    "INSERT INTO person_keys (person_id, kek_version, nonce, wrapped_key)"
    " VALUES (:id, :version, :nonce, :key)"
)
SELECT_PERSONS = text(
    """
    SELECT p.id, p.structure_id, p.nonce, p.identity, k.kek_version, k.nonce AS key_nonce,
           k.wrapped_key
      FROM persons p JOIN person_keys k ON k.person_id = p.id
     WHERE p.id = ANY(:ids)
    """
)
# A structure sees the persons it created and those it has a pathway for.
VISIBLE_TO = text(
    """
      AND (p.structure_id = :s OR EXISTS (
           SELECT 1 FROM pathways w WHERE w.person_id = p.id AND w.structure_id = :s))
    """
)


def create(
    conn: Connection, keyring: Keyring, structure_id: uuid.UUID, identity: dict
) -> uuid.UUID:
    """Store a new person's identity, encrypted with its own data key."""
    person_id = uuid.uuid4()
    sealed = seal(keyring, person_id, orjson.dumps(identity))
    conn.execute(
        INSERT_PERSON,
        {"id": person_id, "s": structure_id, "nonce": sealed.nonce, "identity": sealed.identity},
    )
    key = sealed.key
    conn.execute(
        INSERT_KEY, {"id": person_id, "version": key.version, "nonce": key.nonce, "key": key.key}
    )
    return person_id


def load(
    conn: Connection, keyring: Keyring, ids: list[uuid.UUID], visible_to: uuid.UUID | None = None
) -> dict[uuid.UUID, Person]:
    """The decrypted persons among `ids` that exist (an erased one is simply absent), limited to
    those the structure `visible_to` may see when it is given."""
    query = SELECT_PERSONS if visible_to is None else text(SELECT_PERSONS.text + VISIBLE_TO.text)
    rows = conn.execute(query, {"ids": ids, "s": visible_to})
    return decrypted(keyring, [tuple(row) for row in rows])


# For an append: the persons the request opens pathways for, and those of the pathways it
# appends to (named by their opening, version 1), if the appending structure may see them.
FOR_APPEND_SQL = """
    SELECT p.id, p.structure_id, p.nonce, p.identity, k.kek_version, k.nonce AS key_nonce,
           k.wrapped_key
      FROM persons p JOIN person_keys k ON k.person_id = p.id
     WHERE (p.id = ANY(%(ids)s::uuid[]) OR p.id IN (
            SELECT CAST(e.data ->> 'person_id' AS uuid) FROM events e
             WHERE e.pathway_id = ANY(%(pathways)s::uuid[]) AND e.version = 1
               AND e.type = 'pathway_opened'))
       AND (p.structure_id = %(s)s::uuid OR EXISTS (
            SELECT 1 FROM pathways w WHERE w.person_id = p.id AND w.structure_id = %(s)s::uuid))
"""


def for_append(ids: list[str], pathway_ids: list[str], structure_id: str) -> tuple[str, dict]:
    """The query of the persons an append needs, to run with the stream reads (then `decrypted`)."""
    return FOR_APPEND_SQL, {"ids": ids, "pathways": pathway_ids, "s": structure_id}


def decrypted(keyring: Keyring, rows: list[tuple]) -> dict[uuid.UUID, Person]:
    """Decrypted persons from rows (id, structure_id, nonce, identity, kek_version, key_nonce,
    wrapped_key)."""
    found: dict[uuid.UUID, Person] = {}
    for person_id, structure_id, nonce, identity, *wrapped in rows:
        key = keyring.unwrap(person_id, Wrapped.stored(*wrapped))
        if key is None:
            continue  # wrapped by a KEK not at hand: unreadable, so as good as erased
        try:
            plain = open_value(key, person_id.bytes, bytes(nonce), bytes(identity))
        except InvalidTag:
            continue
        found[person_id] = Person(person_id, structure_id, orjson.loads(plain), key)
    return found


def erase(conn: Connection, person_id: uuid.UUID) -> None:
    """Crypto-shredding: delete the data key and the ciphertext, with the values sealed out of
    the person's events (their rows also go with the key: ON DELETE CASCADE); the log is
    untouched (docs/adr/0010-personal-data-out-of-the-log.md)."""
    conn.execute(text("DELETE FROM event_sealed_values WHERE person_id = :id"), {"id": person_id})
    conn.execute(text("DELETE FROM person_keys WHERE person_id = :id"), {"id": person_id})
    conn.execute(text("DELETE FROM persons WHERE id = :id"), {"id": person_id})
