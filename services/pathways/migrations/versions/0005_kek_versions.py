"""Each wrapped data key records the version of the key-encryption key that wrapped it.

The KEK can then be rotated (docs/adr/0003-crypto-shredding.md): a new IDENTITY_KEK of a new
IDENTITY_KEK_VERSION wraps new keys, `python -m services.pathways.cli rotate-kek` wraps every
key again with it, and the old KEK is destroyed. Every key stored so far was wrapped by the one
KEK there was: version 1. The column has no default afterwards: a key is always stored with the
version that wrapped it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        ALTER TABLE person_keys
            ADD COLUMN kek_version smallint NOT NULL DEFAULT 1 CHECK (kek_version > 0);
        ALTER TABLE person_keys ALTER COLUMN kek_version DROP DEFAULT;
        """
    )


def downgrade() -> None:
    # Keys wrapped by another version than 1 would be read with the wrong KEK: refuse.
    op.execute(
        """
        DO $$ BEGIN
            IF EXISTS (SELECT 1 FROM person_keys WHERE kek_version <> 1) THEN
                RAISE EXCEPTION 'keys wrapped by a KEK version other than 1: rotate back first';
            END IF;
        END $$;
        ALTER TABLE person_keys DROP COLUMN kek_version;
        """
    )
