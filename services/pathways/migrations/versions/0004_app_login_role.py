"""The application logs in as its own role, which holds the writer's rights and nothing else.

Until now the application logged in as the migrating user (an owner, often a superuser) and took
the writer role with SET ROLE: one RESET ROLE, through any SQL the application can be made to
run, gave the owner back, who may drop the log's append-only trigger. The login role
`iae_pathways_app` is a member of the writer role (it inherits its grants, present and future)
and of nothing else, so RESET ROLE leaves it as it is
(docs/adr/0013-secrets-and-least-privilege.md).

Its password is derived from the migrating user's (HMAC-SHA256 of the role name keyed with it),
so that the application, given the same DATABASE_URL, logs in without another setting; a cluster
that trusts local users (no password in the URL) leaves it without one. Like the writer role, it
exists only where the migrating user may create roles.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

import hashlib
import hmac

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# As at this revision (services/pathways/store/roles.py uses the same names and derivation).
WRITER_ROLE = "iae_pathways_writer"
APP_ROLE = "iae_pathways_app"


def app_password(owner_password: str | None) -> str | None:
    if not owner_password:
        return None
    return hmac.new(owner_password.encode(), APP_ROLE.encode(), hashlib.sha256).hexdigest()


def upgrade() -> None:
    password = app_password(op.get_bind().engine.url.password)
    set_password = f"'{password}'" if password else "NULL"  # hex digits only: a safe literal
    op.execute(f"""
    DO $$
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{WRITER_ROLE}') THEN
            RETURN;
        END IF;
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
            BEGIN
                CREATE ROLE "{APP_ROLE}" LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE
                    NOREPLICATION NOBYPASSRLS IN ROLE "{WRITER_ROLE}";
            EXCEPTION WHEN duplicate_object OR unique_violation OR insufficient_privilege THEN
                NULL;
            END;
        END IF;
        BEGIN
            ALTER ROLE "{APP_ROLE}" PASSWORD {set_password};
        EXCEPTION WHEN insufficient_privilege OR undefined_object THEN
            NULL;
        END;
    END $$;
    """)


def downgrade() -> None:
    # The role is the cluster's, shared by every database migrated to this revision: it stays.
    pass
