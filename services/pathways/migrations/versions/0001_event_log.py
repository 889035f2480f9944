"""The event log: append-only, gap-free for readers, protected against UPDATE and DELETE.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Writers stay parallel; only the allocation of (transaction id, positions) is serialised, for a
# few microseconds, so that position order equals transaction-id order (docs/adr/0001).
ALLOCATE = """
CREATE FUNCTION allocate_positions(n integer) RETURNS SETOF bigint
LANGUAGE plpgsql AS $$
DECLARE
    positions bigint[];
BEGIN
    PERFORM pg_advisory_lock(7263501);
    BEGIN
        PERFORM pg_current_xact_id();
        SELECT array_agg(nextval('events_position_seq')) INTO positions
            FROM generate_series(1, n);
    EXCEPTION WHEN OTHERS OR QUERY_CANCELED THEN
        PERFORM pg_advisory_unlock(7263501);
        RAISE;
    END;
    PERFORM pg_advisory_unlock(7263501);
    RETURN QUERY SELECT unnest(positions);
END $$;
"""

REFUSE = """
CREATE FUNCTION events_are_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only: % refused', TG_OP;
END $$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_are_append_only();
"""


def upgrade() -> None:
    op.execute("CREATE SEQUENCE events_position_seq AS bigint")
    op.execute(
        """
        CREATE TABLE events (
            position bigint PRIMARY KEY,
            tx_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
            event_id uuid NOT NULL UNIQUE,
            pathway_id uuid NOT NULL,
            version integer NOT NULL CHECK (version > 0),
            structure_id uuid NOT NULL,
            type text NOT NULL,
            schema_version smallint NOT NULL DEFAULT 1,
            occurred_on date NOT NULL,
            recorded_at timestamptz NOT NULL DEFAULT now(),
            data jsonb NOT NULL,
            metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
            UNIQUE (pathway_id, version)
        )
        """
    )
    op.execute("CREATE INDEX events_structure ON events (structure_id, position)")
    op.execute(ALLOCATE)
    op.execute(REFUSE)


def downgrade() -> None:
    op.execute("DROP TABLE events")
    op.execute("DROP FUNCTION events_are_append_only()")
    op.execute("DROP FUNCTION allocate_positions(integer)")
    op.execute("DROP SEQUENCE events_position_seq")
