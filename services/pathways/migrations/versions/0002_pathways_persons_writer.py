"""Pathway index, identity vault, and the restricted role the application writes with.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# The role as named at this revision (services/pathways/store/roles.py uses the same name).
WRITER_ROLE = "iae_pathways_writer"

TABLES = """
CREATE TABLE pathways (
    id uuid PRIMARY KEY,
    structure_id uuid NOT NULL,
    person_id uuid NOT NULL,
    opened_on date NOT NULL,
    status text NOT NULL,
    version integer NOT NULL
);
CREATE INDEX pathways_structure ON pathways (structure_id, opened_on, id);
CREATE INDEX pathways_person ON pathways (person_id);
CREATE TABLE persons (
    id uuid PRIMARY KEY,
    structure_id uuid NOT NULL,
    nonce bytea NOT NULL,
    identity bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE person_keys (
    person_id uuid PRIMARY KEY,
    nonce bytea NOT NULL,
    wrapped_key bytea NOT NULL
);
"""

# The role exists only where the migrating user may create roles (CREATEROLE or superuser); the
# application then switches to it on every connection (services/pathways/store/roles.py).
CREATE_ROLE = f"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{WRITER_ROLE}') THEN
        BEGIN
            CREATE ROLE "{WRITER_ROLE}" NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation OR insufficient_privilege THEN
            NULL;
        END;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{WRITER_ROLE}') THEN
        BEGIN
            EXECUTE format('GRANT "{WRITER_ROLE}" TO %I', current_user);
        EXCEPTION WHEN OTHERS THEN
            NULL;
        END;
        EXECUTE format('GRANT CONNECT ON DATABASE %I TO "{WRITER_ROLE}"', current_database());
        GRANT USAGE ON SCHEMA public TO "{WRITER_ROLE}";
        GRANT SELECT, INSERT ON events TO "{WRITER_ROLE}";
        GRANT USAGE ON SEQUENCE events_position_seq TO "{WRITER_ROLE}";
        GRANT EXECUTE ON FUNCTION allocate_positions(integer) TO "{WRITER_ROLE}";
        GRANT SELECT, INSERT, UPDATE ON pathways TO "{WRITER_ROLE}";
        GRANT SELECT, INSERT, DELETE ON persons, person_keys TO "{WRITER_ROLE}";
    END IF;
END $$;
"""


def upgrade() -> None:
    op.execute(TABLES)
    op.execute(CREATE_ROLE)


def downgrade() -> None:
    op.execute(f"""
    DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{WRITER_ROLE}') THEN
            REVOKE ALL ON events, pathways, persons, person_keys FROM "{WRITER_ROLE}";
            REVOKE ALL ON SEQUENCE events_position_seq FROM "{WRITER_ROLE}";
            REVOKE ALL ON FUNCTION allocate_positions(integer) FROM "{WRITER_ROLE}";
            REVOKE ALL ON SCHEMA public FROM "{WRITER_ROLE}";
            EXECUTE format('REVOKE ALL ON DATABASE %I FROM "{WRITER_ROLE}"', current_database());
        END IF;
    END $$;
    """)
    op.execute("DROP TABLE person_keys, persons, pathways")
