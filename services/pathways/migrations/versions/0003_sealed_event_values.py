"""The PASS IAE number and free texts leave the event log: sealed with the person's data key.

A one-off data-protection correction (docs/adr/0010-personal-data-out-of-the-log.md): events of
schema version 1 kept `pathway_opened.data.pass_iae.number`, `training_started.data.title` and
`event_voided.data.reason` in clear. Their values move to `event_sealed_values`, encrypted with
the data key of the pathway's person (dropped when the person is already erased), and the log's
copy is redacted to schema version 2. This is the only place the log is ever rewritten: the
append-only trigger is lifted for these updates, inside this migration's transaction.

Sealing needs the key-encryption key: IDENTITY_KEK from the environment, as the service reads
it. Without one, the migration stops when there is a value to move (an empty log needs none).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

import base64
import binascii
import json
import os
import uuid

import sqlalchemy as sa
from alembic import op
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

WRITER_ROLE = "iae_pathways_writer"
# The values taken out, as at this revision (shared/domain/events.py SEALED_FIELDS), frozen.
SEALED = {
    "pathway_opened": (("pass_iae", "number"),),
    "training_started": (("title",),),
    "event_voided": (("reason",),),
}
BATCH = 1000

TABLE = """
CREATE TABLE event_sealed_values (
    event_id uuid PRIMARY KEY,
    person_id uuid NOT NULL REFERENCES person_keys (person_id) ON DELETE CASCADE,
    nonce bytea NOT NULL,
    ciphertext bytea NOT NULL
);
CREATE INDEX event_sealed_values_person ON event_sealed_values (person_id);
"""

GRANT = f"""
DO $$ BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{WRITER_ROLE}') THEN
        GRANT SELECT, INSERT, DELETE ON event_sealed_values TO "{WRITER_ROLE}";
    END IF;
END $$;
"""

# Version-1 events of the three types, a page at a time, with their person: named by the opening
# itself, or by the pathway's index row for the others.
PAGE = sa.text(
    """
    SELECT e.position, e.event_id, e.type, e.data,
           coalesce(CAST(e.data ->> 'person_id' AS uuid), p.person_id) AS person_id,
           k.nonce AS key_nonce, k.wrapped_key
      FROM events e
      LEFT JOIN pathways p ON p.id = e.pathway_id
      LEFT JOIN person_keys k
             ON k.person_id = coalesce(CAST(e.data ->> 'person_id' AS uuid), p.person_id)
     WHERE e.schema_version = 1 AND e.type IN ('pathway_opened', 'training_started',
                                               'event_voided')
       AND e.position > :after
     ORDER BY e.position
     LIMIT :limit
    """
)
INSERT = sa.text(
    """
    INSERT INTO event_sealed_values (event_id, person_id, nonce, ciphertext)
    VALUES (:event_id, :person_id, :nonce, :ciphertext)
    """
)
REDACT = sa.text(
    "UPDATE events SET data = CAST(:data AS jsonb), schema_version = 2 WHERE event_id = :event_id"
)


def _split(event_type: str, data: dict) -> tuple[dict, dict]:
    """The data without the sealed values, and those values by dotted path."""
    kept = dict(data)
    values = {}
    for *parents, leaf in SEALED[event_type]:
        holder: dict | None = kept
        for name in parents:
            child = holder.get(name) if holder is not None else None
            holder = dict(child) if isinstance(child, dict) else None
            if holder is not None:
                kept[name] = holder  # one level deep: pass_iae
        if holder is not None and leaf in holder:
            values[".".join([*parents, leaf])] = holder.pop(leaf)
    return kept, values


def _kek() -> AESGCM:
    try:
        raw = base64.b64decode(os.environ.get("IDENTITY_KEK", ""), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise RuntimeError(
            "IDENTITY_KEK must be set (as for the service) to move the PASS IAE numbers and "
            "free texts out of the event log."
        )
    return AESGCM(raw)


def upgrade() -> None:
    op.execute(TABLE)
    op.execute(GRANT)
    conn = op.get_bind()
    kek: AESGCM | None = None
    after = 0
    op.execute("ALTER TABLE events DISABLE TRIGGER events_append_only")
    while True:
        rows = conn.execute(PAGE, {"after": after, "limit": BATCH}).all()
        if not rows:
            break
        for row in rows:
            kept, values = _split(row.type, row.data)
            if values and row.wrapped_key is not None:
                kek = kek or _kek()
                _seal(conn, kek, row, values)
            conn.execute(REDACT, {"data": json.dumps(kept), "event_id": row.event_id})
        after = rows[-1].position
    op.execute("ALTER TABLE events ENABLE TRIGGER events_append_only")


def _seal(conn, kek: AESGCM, row, values: dict) -> None:
    """Seal the values with the person's data key (dropped if it cannot be unwrapped)."""
    person = uuid.UUID(str(row.person_id))
    event = uuid.UUID(str(row.event_id))
    try:
        data_key = kek.decrypt(bytes(row.key_nonce), bytes(row.wrapped_key), person.bytes)
    except InvalidTag:
        return  # wrapped by another KEK: as good as erased
    nonce = os.urandom(12)
    plain = json.dumps(values).encode()
    ciphertext = AESGCM(data_key).encrypt(nonce, plain, person.bytes + event.bytes)
    conn.execute(
        INSERT, {"event_id": event, "person_id": person, "nonce": nonce, "ciphertext": ciphertext}
    )


def downgrade() -> None:
    # The values cannot go back into the log in clear: version-2 events stay redacted.
    op.execute("DROP TABLE event_sealed_values")
