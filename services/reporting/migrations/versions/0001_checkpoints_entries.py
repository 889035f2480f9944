"""Projection checkpoints and the pathway facts read model.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE projection_checkpoints (
            name text PRIMARY KEY,
            position bigint NOT NULL DEFAULT 0,
            updated_at timestamptz NOT NULL DEFAULT now(),
            status text NOT NULL DEFAULT 'running',
            last_error text
        )
        """
    )
    op.execute("INSERT INTO projection_checkpoints (name) VALUES ('all')")
    op.execute(
        """
        CREATE TABLE pathway_facts (
            pathway_id uuid PRIMARY KEY,
            structure_id uuid NOT NULL,
            opened_on date NOT NULL
        )
        """
    )
    op.execute("CREATE INDEX pathway_facts_opened ON pathway_facts (opened_on, structure_id)")


def downgrade() -> None:
    op.execute("DROP TABLE pathway_facts")
    op.execute("DROP TABLE projection_checkpoints")
